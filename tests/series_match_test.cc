#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

#include "evaluators/funcapprox/baselines.h"
#include "evaluators/funcapprox/series_match.h"
#include "evaluators/registry.h"
#include "search/program_text.h"
#include "search/rng.h"

namespace evo::funcapprox {
namespace {

const Signature* x_to_y() {
  Signature s;
  s.inputs = {"x"};
  s.outputs = {"y"};
  return intern_signature(s);
}

std::vector<long double> constants_of(const Program& p) {
  std::vector<long double> c;
  for (const Instr& in : p.code)
    if (in.imm_position() >= 0) c.push_back(in.imm);
  return c;
}

TEST(SeriesMatch, ExpandsProgramsAsTheirFormulas) {
  // 1 / (1 - x) = Σ x^k about 0; sqrt(1 + x) = 1 + x/2 - x²/8 + x³/16 - ...;
  // max(x, 0.25) about 0 is 0.25, and fma(x, x, 2) = 2 + x².
  const Program p = parse_program(
      "input x\nr1 = sub(1, x)\nr2 = div(1, r1)\nr3 = add(x, 1)\nr4 = sqrt(r3)\nr5 = max(x, 0.25)\n"
      "r6 = fma(x, x, 2)\nr7 = mul(r2, r4)\nr8 = add(r5, r6)\nr9 = add(r7, r8)\noutput y = r9\n",
      x_to_y());
  const Series y = program_series(p, series_variable(0.0L, 5), constants_of(p));
  // 1/(1-x)·sqrt(1+x) = 1 + 3/2 x + 11/8 x² + 23/16 x³ + 179/128 x⁴; plus 0.25 + 2 + x².
  const long double want[5] = {3.25L, 1.5L, 19.0L / 8, 23.0L / 16, 179.0L / 128};
  ASSERT_EQ(y.size(), 5u);
  for (int k = 0; k < 5; ++k) EXPECT_NEAR(static_cast<double>(y[k]), static_cast<double>(want[k]), 1e-15) << k;
  // At a kink or a pole there is no series: max(x, 0.25) at 0.25, 1/(1 - x) at 1.
  EXPECT_TRUE(program_series(p, series_variable(0.25L, 3), constants_of(p)).empty());
  EXPECT_TRUE(program_series(p, series_variable(1.0L, 3), constants_of(p)).empty());
}

SeriesPoint exp2_about(long double c, long double radius, int terms) {
  SeriesPoint pt;
  pt.center = c;
  pt.radius = radius;
  pt.target = taylor_coefficients(*find_target("exp2"), c, terms - 1);
  pt.scale = 1 / pt.target[0];
  return pt;
}

TEST(SeriesMatch, MatchesAPolynomialToTheTaylorPolynomial) {
  // A cubic in Horner form from arbitrary constants: the match is 2^x's Taylor cubic about ½.
  const Program p = parse_program(
      "input x\nr1 = sub(x, 0.5)\nr2 = mul(r1, 1.5)\nr3 = add(r2, -2)\nr4 = mul(r3, r1)\nr5 = add(r4, 0.25)\n"
      "r6 = mul(r5, r1)\nr7 = add(r6, 3)\noutput y = r7\n",
      x_to_y());
  const SeriesPoint pt = exp2_about(0.5L, 0.5L, 12);
  const auto c = series_matched_constants(p, pt);
  ASSERT_TRUE(c.has_value());
  // The shift is a constant too; the match keeps it anywhere, and the coefficients follow.
  Program q = p;
  std::size_t k = 0;
  for (Instr& in : q.code)
    if (in.imm_position() >= 0) in.imm = (*c)[k++];
  const Series y = program_series(q, series_variable(0.5L, 4), constants_of(q));
  for (int j = 0; j < 4; ++j) EXPECT_NEAR(static_cast<double>(y[j] / pt.target[j]), 1.0, 1e-12) << j;
}

// ((b + x) / (b - x))² is 2^x's Padé form about 0 when b = 4/ln 2: one constant that
// matches three orders (0 to 2), since the form is exact at 0 and odd in log. The match finds b
// from any positive start; a negative one lies across the pole at b = 0.
TEST(SeriesMatch, FindsPadesConstantWhereTheFormHasStructureToSpare) {
  const SeriesPoint about0 = exp2_about(0, 1, 24);
  for (double start : {0.25, 1.0, 2.0, 40.0}) {
    char text[256];
    std::snprintf(text, sizeof text,
                  "input x\nr1 = const(%a)\nr2 = add(r1, x)\nr3 = sub(r1, x)\nr4 = div(r2, r3)\nr5 = mul(r4, r4)\n"
                  "output y = r5\n",
                  start);
    const Program p = parse_program(text, x_to_y());
    const auto c = series_matched_constants(p, about0);
    ASSERT_TRUE(c.has_value()) << start;
    EXPECT_NEAR((*c)[0], 4 / std::log(2.0), 1e-13) << start;
  }
}

// 2^x's continued-fraction form ((D + x) / (D - x))², D = b1 + s / (b2 + c / (s + b3)),
// s = x²: 10 ops, 4 constants matching 9 orders at Padé's b3 ≈ 1,165, c ≈ −47,084,
// b2 ≈ 57.7, b1 = 4/ln 2. With b3 that large, b2, c and b3 act on the series almost alike,
// and the solution lies along a curved valley: plain damped Gauss–Newton steps stall there
// (from 10 % off they ended at b3 = 1,195), geodesic acceleration follows it.
Program cf44_with(double b3, double c, double b2, double b1) {
  char text[512];
  std::snprintf(text, sizeof text,
                "input x\nr1 = mul(x, x)\nr2 = add(r1, %a)\nr3 = div(%a, r2)\nr4 = add(r3, %a)\nr5 = div(r1, r4)\n"
                "r6 = add(r5, %a)\nr7 = add(r6, x)\nr8 = sub(r6, x)\nr9 = div(r7, r8)\nr10 = mul(r9, r9)\n"
                "output y = r10\n",
                b3, c, b2, b1);
  return parse_program(text, x_to_y());
}

TEST(SeriesMatch, FollowsTheContinuedFractionsValleyToPadesConstants) {
  auto d = make_domain("funcapprox", {{"target", "exp2"}, {"precision", "real"}});
  const SeriesPoint about0 = exp2_about(0, 1, 24);
  for (double f : {1.01, 1.1}) {
    const Program p = cf44_with(1165.57 * f, -47083.6 * f, 57.7078 / f, 5.77078 * f);
    const auto c = series_matched_constants(p, about0);
    ASSERT_TRUE(c.has_value()) << f;
    EXPECT_NEAR((*c)[0], 1165.57, 0.01) << f;
    const Evaluation ev = d->evaluate(cf44_with((*c)[0], (*c)[1], (*c)[2], (*c)[3]));
    ASSERT_TRUE(ev.valid) << f;
    EXPECT_NEAR(ev.values[0], 5.70e-12, 0.01e-12) << f;  // Padé's error (tests/minimax_fit_test.cc)
  }
}

// The cap on Levenberg–Marquardt steps is honoured: along the same valley, two steps per
// order stop short of Padé's constants that the default cap reaches.
TEST(SeriesMatch, IterationCapStopsTheMatchShortOfTheValleysEnd) {
  const SeriesPoint about0 = exp2_about(0, 1, 24);
  const Program p = cf44_with(1165.57 * 1.1, -47083.6 * 1.1, 57.7078 / 1.1, 5.77078 * 1.1);
  const auto capped = series_matched_constants(p, about0, 2);
  const auto full = series_matched_constants(p, about0);
  ASSERT_TRUE(full.has_value());
  EXPECT_NEAR((*full)[0], 1165.57, 0.01);
  EXPECT_TRUE(!capped.has_value() || std::fabs((*capped)[0] - 1165.57) > 1);
}

// Polishing with fit_start=series: the rough quintic still reaches the minimax polynomial's
// error (the Taylor start is taken only where it beats the program's constants).
TEST(SeriesMatch, SeriesStartStillReachesTheMinimaxQuintic) {
  auto d = make_domain("funcapprox", {{"target", "exp2"}, {"precision", "real"}, {"fit_start", "series"}});
  Program p = parse_program(
      "input x\nr1 = mul(x, 0x1.3p-10)\nr2 = add(r1, 0x1.3p-7)\nr3 = mul(r2, x)\nr4 = add(r3, 0x1.cp-5)\n"
      "r5 = mul(r4, x)\nr6 = add(r5, 0x1.ecp-3)\nr7 = mul(r6, x)\nr8 = add(r7, 0x1.62p-1)\nr9 = mul(r8, x)\n"
      "r10 = add(r9, 0x1p+0)\noutput y = r10\n",
      d->signature());
  for (int i = 0; i < 3; ++i) d->polish(p, MutationKind::insert);
  const Evaluation quintic = d->evaluate(p);
  ASSERT_TRUE(quintic.valid);
  EXPECT_LT(quintic.values[0], 1.0e-7);
}

}  // namespace
}  // namespace evo::funcapprox
