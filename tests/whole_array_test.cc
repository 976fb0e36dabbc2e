// Whole-array evaluation: the reductions over the whole array, everything else exactly as
// the block interpreter, and one-element arrays as the op table's scalar semantics.
#include "search/whole_array.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "search/interpreter.h"
#include "search/rng.h"
#include "tests/test_programs.h"

namespace evo {
namespace {

void run(const Program& p, const std::vector<double>& x, std::vector<double>& y) {
  const double* in[] = {x.data()};
  double* out[] = {y.data()};
  run_whole_arrays(p, in, {}, out, {}, x.size());
}

TEST(WholeArray, ReductionsSeeTheWholeArray) {
  const Program p = test::parse_xy("r1 = rms(x)\nr2 = div(x, r1)\nr3 = mean(x)\nr4 = sub(r2, r3)\noutput y = r4\n");
  EXPECT_TRUE(has_reduction(p));
  const std::vector<double> x = {1, -2, 3, 0.5, 4};
  std::vector<double> y(x.size());
  run(p, x, y);
  double sq = 0, sum = 0;
  for (double v : x) sq += v * v, sum += v;
  const double rms = std::sqrt(sq / 5), mean = sum / 5;
  for (std::size_t i = 0; i < x.size(); ++i) EXPECT_DOUBLE_EQ(y[i], x[i] / rms - mean) << i;
  // One element: rms is |x| and mean is x, as in the op table and the block interpreter.
  std::vector<double> one = {-3}, y1(1), yi(1);
  run(p, one, y1);
  Interpreter<double>().run(p, one.data(), yi.data(), 1);
  EXPECT_EQ(y1[0], yi[0]);
  EXPECT_EQ(y1[0], -1.0 + 3.0);
}

TEST(WholeArray, WithoutReductionsItIsTheInterpreter) {
  const Program p = test::parse_xy(
      "r1 = mul(x, x)\nr2 = fma(r1, 0x1.8p-1, x)\nr3 = min(r2, 0x1p+1)\nr4 = interp(r3, x, 0x1p-2)\noutput y = r4\n");
  EXPECT_FALSE(has_reduction(p));
  Rng rng(4);
  std::vector<double> x(77), a(77), b(77);
  for (double& v : x) v = rng.normal();
  run(p, x, a);
  Interpreter<double>().run(p, x.data(), b.data(), x.size());
  EXPECT_EQ(a, b);
}

TEST(WholeArray, NextStateMayBeTheStateItReplaces) {
  Signature s;
  s.inputs = {"x"};
  s.states = {"m", "v"};
  s.outputs = {"y"};
  // The states swap: each next state is the other's old value.
  const Program p = parse_program("input x\nstate m\nstate v\nr1 = add(x, m)\noutput y = r1\nupdate m = v\nupdate v = m\n",
                                  intern_signature(s));
  std::vector<double> x = {1, 2}, m = {10, 20}, v = {100, 200}, y(2);
  const double* in[] = {x.data()};
  const double* st[] = {m.data(), v.data()};
  double* out[] = {y.data()};
  double* next[] = {m.data(), v.data()};
  run_whole_arrays(p, in, st, out, next, 2);
  EXPECT_EQ(y, (std::vector<double>{11, 22}));
  EXPECT_EQ(m, (std::vector<double>{100, 200}));
  EXPECT_EQ(v, (std::vector<double>{10, 20}));
}

}  // namespace
}  // namespace evo
