#include "hashing/functional_hash.h"

#include <algorithm>
#include <bit>
#include <cmath>

#include <xxhash.h>

namespace evo {

std::uint64_t truncated_bits(double v, int mantissa_bits) {
  if (v == 0.0) return 0;                          // -0.0 and +0.0
  if (std::isnan(v)) return 0x7ff8000000000000ULL;  // every NaN
  const int drop = 52 - std::clamp(mantissa_bits, 0, 52);
  const std::uint64_t mask = drop >= 64 ? 0 : ~((std::uint64_t{1} << drop) - 1);
  return std::bit_cast<std::uint64_t>(v) & mask;
}

std::uint32_t truncated_bits(float v, int mantissa_bits) {
  if (v == 0.0f) return 0;
  if (std::isnan(v)) return 0x7fc00000U;
  const int drop = 23 - std::clamp(mantissa_bits, 0, 23);
  const std::uint32_t mask = ~((std::uint32_t{1} << drop) - 1);
  return std::bit_cast<std::uint32_t>(v) & mask;
}

void FunctionalHasher::add(std::span<const double> values) {
  for (double v : values) words_.push_back(truncated_bits(v, bits_));
}

void FunctionalHasher::add(std::span<const float> values) {
  for (float v : values) words_.push_back(truncated_bits(v, bits_));
}

void FunctionalHasher::add(std::span<const long double> values) {
  for (long double v : values) words_.push_back(truncated_bits(static_cast<double>(v), bits_));
}

Hash128 FunctionalHasher::digest() const {
  const XXH128_hash_t h = XXH3_128bits(words_.data(), words_.size() * sizeof(std::uint64_t));
  return Hash128{h.low64, h.high64};
}

}  // namespace evo
