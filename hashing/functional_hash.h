// Functional hash: a program is run on a domain's fixed probe inputs and the outputs are
// hashed, so programs that compute the same values collide however they are written.
// Each value's mantissa is truncated to `mantissa_bits` bits first (round-off-level
// differences, e.g. from reassociation, then usually collide); -0.0 hashes as +0.0 and
// every NaN as one NaN.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "hashing/hash128.h"

namespace evo {

// Incremental xxh3-128 over truncated values; domains feed it the probe outputs.
class FunctionalHasher {
 public:
  explicit FunctionalHasher(int mantissa_bits) : bits_(mantissa_bits) {}

  void add(std::span<const double> values);
  void add(std::span<const float> values);
  void add(std::span<const long double> values);  // rounded to double first
  Hash128 digest() const;

 private:
  int bits_;
  std::vector<std::uint64_t> words_;
};

// The bit pattern hashed for one value (exposed for tests).
std::uint64_t truncated_bits(double v, int mantissa_bits);
std::uint32_t truncated_bits(float v, int mantissa_bits);

}  // namespace evo
