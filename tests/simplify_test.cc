// The greedy simplifier on a program with two needless instructions: it removes those,
// keeps the one the objective needs, and honours the tolerance and the direction.
#include "search/simplify.h"

#include <gtest/gtest.h>

#include <cmath>

#include "search/interpreter.h"
#include "search/program_text.h"
#include "tests/test_programs.h"

namespace evo {
namespace {

// Worst error against x^2 on a few points, plus 1e-3 so a relative tolerance has room.
double error_vs_square(const Program& p) {
  Interpreter<double> interp;
  const double xs[] = {-1.5, 0.5, 2.0, 3.0};
  double ys[4];
  interp.run(p, xs, ys, 4);
  double worst = 0;
  for (int i = 0; i < 4; ++i) worst = std::max(worst, std::fabs(ys[i] - xs[i] * xs[i]));
  return worst + 1e-3;
}

const char* kNoisySquare = "r1 = mul(x, x)\nr2 = add(r1, 0x1p-30)\nr3 = mul(r2, 0x1.000001p+0)\noutput y = r3\n";

TEST(Simplify, RemovesWhatTheObjectiveDoesNotNeed) {
  const SimplifyResult r = simplify(test::parse_xy(kNoisySquare), error_vs_square, true, 0.01);
  EXPECT_EQ(to_text(r.program), to_text(test::parse_xy("r1 = mul(x, x)\noutput y = r1\n")));
  EXPECT_EQ(r.removed, 2);
  EXPECT_NEAR(r.value, 1e-3, 1e-12);
  EXPECT_GT(r.tried, 3);  // the original, the two kept removals, and the refused ones
}

TEST(Simplify, ToleranceZeroTakesOnlyRemovalsThatDoNotWorsen) {
  // Against 1.000001 x^2 the scale is needed: with no tolerance it stays, the offset goes.
  const auto scaled = [](const Program& p) {
    Interpreter<double> interp;
    const double xs[] = {-1.5, 0.5, 2.0, 3.0};
    double ys[4];
    interp.run(p, xs, ys, 4);
    double worst = 0;
    for (int i = 0; i < 4; ++i) worst = std::max(worst, std::fabs(ys[i] - 0x1.000001p+0 * xs[i] * xs[i]));
    return worst + 1e-12;
  };
  const SimplifyResult r = simplify(test::parse_xy(kNoisySquare), scaled, true, 0.0);
  EXPECT_EQ(to_text(r.program), to_text(test::parse_xy("r1 = mul(x, x)\nr2 = mul(r1, 0x1.000001p+0)\noutput y = r2\n")));
  EXPECT_EQ(r.removed, 1);
}

TEST(Simplify, MaximisedObjectivesMayNotFall) {
  // Maximise the negated error: the same answer as minimising the error.
  const SimplifyResult r =
      simplify(test::parse_xy(kNoisySquare), [](const Program& p) { return -error_vs_square(p); }, false, 0.01);
  EXPECT_EQ(to_text(r.program), to_text(test::parse_xy("r1 = mul(x, x)\noutput y = r1\n")));
  // An invalid score (NaN) is never accepted.
  const SimplifyResult none = simplify(
      test::parse_xy(kNoisySquare),
      [](const Program& p) { return p.code.size() == 3 ? 1.0 : std::nan(""); }, true, 0.5);
  EXPECT_EQ(none.program.code.size(), 3u);
  EXPECT_EQ(none.removed, 0);
}

}  // namespace
}  // namespace evo
