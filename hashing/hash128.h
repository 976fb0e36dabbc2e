// 128-bit hash value (xxh3-128) used as the functional hash.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <optional>
#include <string_view>

namespace evo {

struct Hash128 {
  std::uint64_t lo = 0, hi = 0;
  bool operator==(const Hash128&) const = default;
  std::string hex() const;  // 32 lowercase hex digits, high word first
  static std::optional<Hash128> from_hex(std::string_view s);
  // 16 bytes, high word first, most significant byte first (so hex(bytes) == hex()).
  std::array<unsigned char, 16> bytes() const;
  static Hash128 from_bytes(const unsigned char* b);

  template <class Archive>
  void serialize(Archive& ar, unsigned /*version*/) {
    ar& lo& hi;
  }
};

std::string hex64(std::uint64_t v);  // 16 lowercase hex digits

}  // namespace evo

template <>
struct std::hash<evo::Hash128> {
  std::size_t operator()(const evo::Hash128& h) const noexcept { return h.lo ^ (h.hi * 0x9e3779b97f4a7c15ULL); }
};
