#include "search/op_table.h"

#include <gtest/gtest.h>

#include <cmath>

namespace evo {

TEST(OpTable, NamesRoundTripAndRowsMatchEnum) {
  for (int i = 0; i < kOpCount; ++i) {
    const OpInfo& info = kOpTable[i];
    EXPECT_EQ(static_cast<int>(info.op), i);
    auto back = op_from_name(info.name);
    ASSERT_TRUE(back.has_value()) << info.name;
    EXPECT_EQ(*back, info.op);
    EXPECT_GE(info.arity, 1);
    EXPECT_LE(info.arity, 3);
    EXPECT_GE(info.cost, 0.0);
  }
  EXPECT_FALSE(op_from_name("nope").has_value());
}

TEST(OpTable, MinAndMaxAreNotCommutativeOnSignedZeros) {
  EXPECT_NE(std::signbit(eval_op(Op::min, -0.0, 0.0, 0.0)), std::signbit(eval_op(Op::min, 0.0, -0.0, 0.0)));
  EXPECT_FALSE(op_info(Op::min).commutative);
  EXPECT_FALSE(op_info(Op::max).commutative);
}

TEST(OpTable, ScalarSemantics) {
  EXPECT_EQ(eval_op(Op::add, 1.5, 2.0, 0.0), 3.5);
  EXPECT_EQ(eval_op(Op::sub, 1.5, 2.0, 0.0), -0.5);
  EXPECT_EQ(eval_op(Op::mul, 1.5, 2.0, 0.0), 3.0);
  EXPECT_EQ(eval_op(Op::div, 1.0, 4.0, 0.0), 0.25);
  EXPECT_EQ(eval_op(Op::fma, 2.0, 3.0, 1.0), 7.0);
  EXPECT_EQ(eval_op(Op::neg, 2.0, 0.0, 0.0), -2.0);
  EXPECT_EQ(eval_op(Op::abs, -2.0, 0.0, 0.0), 2.0);
  EXPECT_EQ(eval_op(Op::sqrt, 9.0, 0.0, 0.0), 3.0);
  EXPECT_EQ(eval_op(Op::square, -3.0, 0.0, 0.0), 9.0);
  EXPECT_EQ(eval_op(Op::mul2, 3.0, 0.0, 0.0), 6.0);
  EXPECT_EQ(eval_op(Op::half, 3.0, 0.0, 0.0), 1.5);
  EXPECT_EQ(eval_op(Op::min, 3.0, -1.0, 0.0), -1.0);
  EXPECT_EQ(eval_op(Op::max, 3.0, -1.0, 0.0), 3.0);
  EXPECT_EQ(eval_op(Op::sign, -0.5, 0.0, 0.0), -1.0);
  EXPECT_EQ(eval_op(Op::sign, 0.0, 0.0, 0.0), 0.0);
  EXPECT_EQ(eval_op(Op::const_, 0.75, 0.0, 0.0), 0.75);
  // fma rounds once: (1 + 2^-30)^2 - 1 keeps the 2^-60 term a separate multiply loses.
  const double a = 1.0 + std::ldexp(1.0, -30);
  EXPECT_NE(eval_op(Op::fma, a, a, -1.0), a * a - 1.0);
}

TEST(OpTable, CommutativeOpsReallyCommute) {
  const double vals[] = {0.1, -3.7, 1e300, 2.5e-310, -0.0, 7.0};
  for (const OpInfo& info : kOpTable) {
    if (!info.commutative) continue;
    for (double a : vals)
      for (double b : vals)
        for (double c : vals) {
          const double x = eval_op(info.op, a, b, c), y = eval_op(info.op, b, a, c);
          // Bit for bit: min(-0, +0) and min(+0, -0) compare equal but differ.
          EXPECT_TRUE(std::signbit(x) == std::signbit(y) && (x == y || (std::isnan(x) && std::isnan(y))))
              << info.name << " " << a << " " << b;
        }
  }
}

}  // namespace evo
