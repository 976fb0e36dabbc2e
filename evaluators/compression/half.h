// IEEE binary16 (F16) and bfloat16 (BF16) to and from float, bit by bit, so models stored
// in either precision read exactly and round-trip. Narrowing rounds to nearest, ties to
// even; NaN stays NaN (quiet), overflow becomes infinity, as hardware conversions do.
#pragma once

#include <bit>
#include <cstdint>

namespace evo::compression {

inline float f16_to_float(std::uint16_t h) {
  const std::uint32_t sign = std::uint32_t{h & 0x8000u} << 16;
  const std::uint32_t exp = (h >> 10) & 0x1f;
  std::uint32_t mant = h & 0x3ffu;
  if (exp == 0x1f) return std::bit_cast<float>(sign | 0x7f800000u | mant << 13);  // Inf, NaN
  if (exp != 0) return std::bit_cast<float>(sign | (exp + 112) << 23 | mant << 13);
  if (mant == 0) return std::bit_cast<float>(sign);  // ±0
  // Subnormal: mant × 2^-24, exact in float.
  const float v = static_cast<float>(mant) * 0x1p-24f;
  return sign ? -v : v;
}

inline std::uint16_t float_to_f16(float f) {
  const std::uint32_t x = std::bit_cast<std::uint32_t>(f);
  const std::uint16_t sign = static_cast<std::uint16_t>((x >> 16) & 0x8000u);
  const std::uint32_t abs = x & 0x7fffffffu;
  if (abs > 0x7f800000u) return sign | 0x7e00u;  // NaN
  if (abs >= 0x477ff000u) return sign | 0x7c00u;  // rounds to ≥ 65520: infinity
  if (abs < 0x38800000u) {                        // below 2^-14: subnormal or zero
    // Round abs × 2^24 to an integer, ties to even (the float's own rounding does it).
    const float scaled = std::bit_cast<float>(abs) * 0x1p24f;
    const float rounded = scaled + 0x1p23f - 0x1p23f;  // exact for scaled < 2^23
    return sign | static_cast<std::uint16_t>(rounded);
  }
  // Normal: keep 10 mantissa bits, round the 13 dropped ones to nearest even.
  const std::uint32_t rebased = abs - (112u << 23);
  const std::uint32_t rounded = rebased + 0x0fffu + ((rebased >> 13) & 1u);
  return sign | static_cast<std::uint16_t>(rounded >> 13);
}

inline float bf16_to_float(std::uint16_t b) { return std::bit_cast<float>(std::uint32_t{b} << 16); }

inline std::uint16_t float_to_bf16(float f) {
  const std::uint32_t x = std::bit_cast<std::uint32_t>(f);
  if ((x & 0x7fffffffu) > 0x7f800000u) return static_cast<std::uint16_t>((x >> 16) | 0x40u);  // quiet NaN
  return static_cast<std::uint16_t>((x + 0x7fffu + ((x >> 16) & 1u)) >> 16);
}

}  // namespace evo::compression
