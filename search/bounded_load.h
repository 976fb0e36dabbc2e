// Boost's vector loader resizes a vector to the element count the archive states before
// it reads a single element, so one damaged count in a checkpoint would allocate
// gigabytes. bounded() writes exactly the bytes `ar & v` writes (checkpoints stay
// readable both ways) and, when loading, refuses a count above `limit` before allocating.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include <boost/serialization/array_wrapper.hpp>
#include <boost/serialization/collection_size_type.hpp>
#include <boost/serialization/vector.hpp>

namespace evo {

template <class Archive, class T>
void bounded(Archive& ar, std::vector<T>& v, std::size_t limit) {
  static_assert(std::is_arithmetic_v<T>, "the layout mirrored here is Boost's for arithmetic elements");
  if constexpr (Archive::is_saving::value) {
    ar & v;
  } else {
    boost::serialization::collection_size_type count;
    ar >> count;
    if (count > limit)
      throw std::length_error("a list of " + std::to_string(std::size_t{count}) + " entries (at most " +
                              std::to_string(limit) + ")");
    v.resize(count);
    if (BOOST_SERIALIZATION_VECTOR_VERSIONED(ar.get_library_version())) {
      unsigned int item_version = 0;
      ar >> item_version;
    }
    if (count != 0) ar >> boost::serialization::make_array<T, boost::serialization::collection_size_type>(v.data(), count);
  }
}

}  // namespace evo
