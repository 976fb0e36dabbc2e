#include "hashing/functional_hash.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

namespace evo {

TEST(FunctionalHash, TruncationKeepsTheRequestedMantissaBits) {
  const double a = 1.0, b = std::nextafter(1.0, 2.0);  // differ in the last bit
  EXPECT_EQ(truncated_bits(a, 44), truncated_bits(b, 44));
  EXPECT_NE(truncated_bits(a, 52), truncated_bits(b, 52));
  const double c = 1.0 + std::ldexp(1.0, -10);  // differs at mantissa bit 10
  EXPECT_NE(truncated_bits(a, 10), truncated_bits(c, 10));
  EXPECT_EQ(truncated_bits(a, 9), truncated_bits(c, 9));
  const float f = 1.0f, g = std::nextafter(1.0f, 2.0f);
  EXPECT_NE(truncated_bits(f, 23), truncated_bits(g, 23));
  EXPECT_EQ(truncated_bits(f, 22), truncated_bits(g, 22));
}

TEST(FunctionalHash, NegativeZeroAndNaNsAreNormalised) {
  EXPECT_EQ(truncated_bits(-0.0, 52), truncated_bits(0.0, 52));
  const double nan1 = std::numeric_limits<double>::quiet_NaN();
  const double nan2 = -std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(truncated_bits(nan1, 52), truncated_bits(nan2, 52));
  EXPECT_EQ(truncated_bits(-0.0f, 23), truncated_bits(0.0f, 23));
}

TEST(FunctionalHash, EqualOutputsCollideDifferentOutputsDoNot) {
  std::vector<double> a = {1.0, 2.0, -0.0, 3.5}, b = {1.0, 2.0, 0.0, 3.5}, c = {1.0, 2.0, 0.0, 3.6};
  FunctionalHasher ha(44), hb(44), hc(44);
  ha.add(a);
  hb.add(b);
  hc.add(c);
  EXPECT_EQ(ha.digest(), hb.digest());
  EXPECT_NE(ha.digest(), hc.digest());
  // Order matters: the hash is of the output sequence.
  std::vector<double> d = {2.0, 1.0, 0.0, 3.5};
  FunctionalHasher hd(44);
  hd.add(d);
  EXPECT_NE(ha.digest(), hd.digest());
}

TEST(FunctionalHash, HexRoundTrip) {
  const Hash128 h{0x0123456789abcdefULL, 0xfedcba9876543210ULL};
  EXPECT_EQ(h.hex(), "fedcba98765432100123456789abcdef");
  EXPECT_EQ(Hash128::from_hex(h.hex()), h);
  EXPECT_FALSE(Hash128::from_hex("xyz").has_value());
}

}  // namespace evo
