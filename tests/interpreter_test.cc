#include "search/interpreter.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <vector>

#include "search/mutation.h"
#include "tests/test_programs.h"

namespace evo {
namespace {

// Straightforward scalar evaluation of a program at one point: the reference the
// block interpreter must match bit for bit.
template <class T>
std::vector<T> scalar_eval(const Program& p, const std::vector<T>& inputs) {
  std::vector<T> reg(p.num_registers());
  for (std::size_t i = 0; i < inputs.size(); ++i) reg[i] = inputs[i];
  for (std::size_t i = 0; i < p.code.size(); ++i) {
    const Instr& in = p.code[i];
    T a[3] = {0, 0, 0};
    for (int k = 0; k < in.arity(); ++k) a[k] = in.args[k] == kImm ? static_cast<T>(in.imm) : reg[in.args[k]];
    reg[p.first_temp() + i] = eval_op<T>(in.op, a[0], a[1], a[2]);
  }
  std::vector<T> out;
  for (Reg r : p.outputs) out.push_back(reg[r]);
  return out;
}

template <class T>
bool same_bits(T a, T b) {
  if (std::isnan(a) && std::isnan(b)) return true;
  if constexpr (sizeof(T) == 4) return std::bit_cast<std::uint32_t>(a) == std::bit_cast<std::uint32_t>(b);
  else return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b);
}

}  // namespace

TEST(Interpreter, HandComputedValuesInBothPrecisions) {
  const Program p = test::parse_xy(
      "r1 = mul(x, x)\n"
      "r2 = fma(r1, 0.5, x)\n"   // x + x^2/2
      "r3 = add(r2, 1)\n"        // 1 + x + x^2/2
      "r4 = div(r3, 2)\n"
      "output y = r4\n");
  const std::vector<double> xd = {0.0, 1.0, 2.0, -4.0, 0.5};
  const std::vector<double> expect = {0.5, 1.25, 2.5, 2.5, 0.8125};
  std::vector<double> yd(xd.size());
  Interpreter<double> id;
  id.run(p, xd.data(), yd.data(), xd.size());
  EXPECT_EQ(yd, expect);
  std::vector<float> xf(xd.begin(), xd.end()), yf(xf.size());
  Interpreter<float> iff;
  iff.run(p, xf.data(), yf.data(), xf.size());
  for (std::size_t i = 0; i < xf.size(); ++i) EXPECT_EQ(yf[i], static_cast<float>(expect[i]));
}

TEST(Interpreter, Float32MatchesNativeFloatCodeBitForBit) {
  // The same program written as C++ in float: the build turns contraction off, so
  // a*b+c stays two roundings unless the op is fma, exactly like the interpreter.
  const Program p = test::parse_xy(
      "r1 = mul(x, 0x1.62e43p-1)\n"
      "r2 = fma(r1, x, 0x1.fffffep-1)\n"
      "r3 = mul(r2, x)\n"
      "r4 = add(r3, 0.5)\n"
      "r5 = div(r4, r2)\n"
      "r6 = sqrt(r5)\n"
      "output y = r6\n");
  auto native = [](float x) {
    const float r1 = x * 0x1.62e43p-1f;
    const float r2 = std::fma(r1, x, 0x1.fffffep-1f);
    const float r3 = r2 * x;
    const float r4 = r3 + 0.5f;
    const float r5 = r4 / r2;
    return std::sqrt(r5);
  };
  std::vector<float> x(100000), y(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = -0.4f + 3.0f * static_cast<float>(i) / static_cast<float>(x.size());
  Interpreter<float> interp;
  interp.run(p, x.data(), y.data(), x.size());
  std::size_t mismatches = 0;
  for (std::size_t i = 0; i < x.size(); ++i) mismatches += !same_bits(y[i], native(x[i]));
  EXPECT_EQ(mismatches, 0u);
}

// Random programs exercise every way an argument reaches an op: the previous result kept
// in registers (in any position, several positions at once), a stored column, an input,
// the immediate; lengths cover one element, exactly one tile, and a partial last tile.
TEST(Interpreter, RandomProgramsMatchScalarReferenceAcrossTileBoundaries) {
  MutationSpace space;
  space.ops = {Op::add, Op::sub, Op::mul, Op::div, Op::fma, Op::sqrt, Op::min, Op::max, Op::abs, Op::neg,
               Op::square, Op::mul2, Op::half, Op::sign, Op::const_};
  space.max_instructions = 24;
  Rng rng(7);
  Program p = trivial_program(test::xy_signature());
  const std::size_t tile = Interpreter<double>::kTile;
  for (const std::size_t n : {std::size_t{1}, tile, tile * 2 + 7}) {
    std::vector<double> xd(n);
    std::vector<float> xf(n);
    std::vector<long double> xl(n);
    for (std::size_t i = 0; i < n; ++i) {
      xd[i] = -3.0 + 6.0 * rng.uniform();
      xf[i] = static_cast<float>(xd[i]);
      xl[i] = xd[i];
    }
    Interpreter<double> id;
    Interpreter<float> iff;
    Interpreter<long double> il;
    std::vector<double> yd(n);
    std::vector<float> yf(n);
    std::vector<long double> yl(n);
    for (int trial = 0; trial < 300; ++trial) {
      mutate(p, space, rng);
      id.run(p, xd.data(), yd.data(), n);
      iff.run(p, xf.data(), yf.data(), n);
      il.run(p, xl.data(), yl.data(), n);
      for (std::size_t i = 0; i < n; ++i) {
        ASSERT_TRUE(same_bits(yd[i], scalar_eval<double>(p, {xd[i]})[0])) << to_text(p) << " at " << xd[i];
        ASSERT_TRUE(same_bits(yf[i], scalar_eval<float>(p, {xf[i]})[0])) << to_text(p) << " at " << xf[i];
        const long double want = scalar_eval<long double>(p, {xl[i]})[0];
        ASSERT_TRUE(yl[i] == want || (std::isnan(yl[i]) && std::isnan(want))) << to_text(p) << " at " << xd[i];
      }
    }
  }
}

// A result read by the next instruction (from registers) and again later (from its
// column), and an intermediate that is also an output.
TEST(Interpreter, ResultsKeptInRegistersAndStoredAgree) {
  const Program p = parse_program(
      "input x\nr1 = add(x, 0x1p+0)\nr2 = fma(r1, r1, r1)\nr3 = sub(0x1p+1, r2)\n"
      "r4 = div(r3, r1)\nr5 = mul(r4, r2)\noutput y = r5\noutput z = r2\n");
  const std::size_t n = Interpreter<double>::kTile + 3;
  std::vector<double> x(n), y(n), z(n);
  for (std::size_t i = 0; i < n; ++i) x[i] = 0.25 * static_cast<double>(i);
  const double* in[] = {x.data()};
  double* out[] = {y.data(), z.data()};
  Interpreter<double> interp;
  interp.run(p, in, {}, out, {}, n);
  for (std::size_t i = 0; i < n; ++i) {
    const double r1 = x[i] + 1, r2 = std::fma(r1, r1, r1), r3 = 2 - r2, r4 = r3 / r1;
    EXPECT_EQ(y[i], r4 * r2) << i;
    EXPECT_EQ(z[i], r2) << i;
  }
}

// The caller may pass an input array as an output array: an output computed before the
// input's last reader must not overwrite it early.
TEST(Interpreter, OutputMayBeTheInputArray) {
  const Program p = parse_program("input x\nr1 = add(x, 0x1p+0)\nr2 = mul(r1, r1)\nr3 = sub(x, r2)\noutput y = r2\noutput z = r3\n");
  const std::size_t n = Interpreter<double>::kTile * 2;
  std::vector<double> x(n), z(n);
  for (std::size_t i = 0; i < n; ++i) x[i] = 0.5 * static_cast<double>(i);
  const std::vector<double> x0 = x;
  const double* in[] = {x.data()};
  double* out[] = {x.data(), z.data()};
  Interpreter<double> interp;
  interp.run(p, in, {}, out, {}, n);
  for (std::size_t i = 0; i < n; ++i) {
    const double r2 = (x0[i] + 1) * (x0[i] + 1);
    EXPECT_EQ(x[i], r2) << i;
    EXPECT_EQ(z[i], x0[i] - r2) << i;
  }
}

TEST(Interpreter, StatesAreReadThenUpdatedEvenWhenSlotsSwap) {
  const Program p = parse_program(
      "input g\nstate a\nstate b\nr1 = add(a, g)\nupdate a = b\nupdate b = r1\noutput u = r1\n");
  std::vector<double> g = {1, 2, 3}, a = {10, 20, 30}, b = {100, 200, 300}, u(3);
  const double* in[] = {g.data()};
  const double* st[] = {a.data(), b.data()};
  double* out[] = {u.data()};
  double* next[] = {a.data(), b.data()};  // updated in place
  Interpreter<double> interp;
  interp.run(p, in, st, out, next, 3);
  EXPECT_EQ(u, (std::vector<double>{11, 22, 33}));
  EXPECT_EQ(a, (std::vector<double>{100, 200, 300}));
  EXPECT_EQ(b, (std::vector<double>{11, 22, 33}));
}

}  // namespace evo
