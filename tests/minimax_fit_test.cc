#include <gtest/gtest.h>

#include <cstdio>

#include "evaluators/registry.h"
#include "search/program_text.h"

namespace evo::funcapprox {
namespace {

// The degree-5 Horner structure for 2^x on [0, 1] with constants good to two digits.
constexpr const char* kRoughQuintic =
    "input x\nr1 = mul(x, 0x1.3p-10)\nr2 = add(r1, 0x1.3p-7)\nr3 = mul(r2, x)\nr4 = add(r3, 0x1.cp-5)\n"
    "r5 = mul(r4, x)\nr6 = add(r5, 0x1.ecp-3)\nr7 = mul(r6, x)\nr8 = add(r7, 0x1.62p-1)\nr9 = mul(r8, x)\n"
    "r10 = add(r9, 0x1p+0)\noutput y = r10\n";

// Three rounds of the fit the search applies after a structural mutation; the error after.
double polished_error(const Domain& d, Program& p) {
  for (int i = 0; i < 3; ++i) d.polish(p, MutationKind::insert);
  return d.evaluate(p).values[0];
}

double fitted_error(const std::string& method, Program* out = nullptr) {
  auto d = make_domain("funcapprox", {{"target", "exp2"}, {"precision", "real"}, {"fit_method", method}, {"fit_evals", "200"}});
  Program p = parse_program(kRoughQuintic, d->signature());
  const double error = polished_error(*d, p);
  if (out) *out = p;
  return error;
}

TEST(MinimaxFit, ReachesTheMinimaxPolynomialsError) {
  // The degree-5 minimax polynomial's relative error is 7.5e-8 (REFERENCES.md); the fit sees
  // 1/8 of the grid, so it may stop slightly above that on the whole grid.
  const double lm = fitted_error("lm");
  EXPECT_LT(lm, 1.0e-7);
  EXPECT_GT(lm, 7.0e-8);  // no polynomial of this degree does better
  // The derivative-free simplex fit stays orders of magnitude away with the same budget.
  EXPECT_GT(fitted_error("simplex"), 100 * lm);
}

TEST(MinimaxFit, IsDeterministic) {
  Program a, b;
  fitted_error("lm", &a);
  fitted_error("lm", &b);
  EXPECT_EQ(to_text(a), to_text(b));
}

TEST(MinimaxFit, LeavesAProgramWithoutConstantsAlone) {
  auto d = make_domain("funcapprox", {{"target", "exp2"}, {"fit_method", "lm"}});
  const Program p = parse_program("input x\nr1 = mul(x, x)\noutput y = r1\n", d->signature());
  Program q = p;
  d->polish(q, MutationKind::insert);
  EXPECT_EQ(to_text(q), to_text(p));
}


// Padé [4/4] of 2^x about x = 1/2 in symmetric form, sqrt(2) * (Q(z) + y P(z)) / (Q(z) - y P(z))
// with y = x - 1/2, z = y^2: 10 ops when an fma counts 1. Padé's constants give 2.85e-12;
// the minimax constants of the same structure are far better.
constexpr const char* kPade44 =
    "input x\n"
    "r1 = sub(x, 0.5)\n"
    "r2 = mul(r1, r1)\n"
    "r3 = const(0x1.3b4abed3155c1p+11)\n"
    "r4 = fma(r2, 0x1.cda993e7663bfp+4, r3)\n"
    "r5 = mul(r1, r4)\n"
    "r6 = add(r2, 0x1.76a57b8e9b071p+8)\n"
    "r7 = fma(r6, r2, 0x1.c6dec34f33cbep+12)\n"
    "r8 = add(r7, r5)\n"
    "r9 = sub(r7, r5)\n"
    "r10 = div(r8, r9)\n"
    "r11 = mul(r10, 0x1.6a09e667f3bcdp+0)\n"
    "output y = r11\n";

TEST(MinimaxFit, TakesTheSymmetricRationalFormBelow1e12) {
  auto d = make_domain("funcapprox", {{"target", "exp2"}, {"precision", "real"}, {"fma_cost", "1"}});
  Program p = parse_program(kPade44, d->signature());
  EXPECT_EQ(d->structural_objectives(p)[0], 10.0);
  const double pade = d->evaluate(p).values[0];
  EXPECT_NEAR(pade, 2.85e-12, 0.01e-12);
  const double fitted = polished_error(*d, p);
  std::printf("[ fitted ] %.3g (Pade %.3g)\n", fitted, pade);
  EXPECT_LT(fitted, 1e-12);
}

// Two 10-op forms (an fma counting two) for 2^x on [0, 1] with Padé constants, in which the
// constants are continued-fraction coefficients: R = (D + x) / (D - x) with D an even
// rational of x, the Padé form of 2^(x/2^k) that needs no centring, then squared k times.
// [4/4] squared once: D = b1 + s / (b2 + c / (s + b3)), s = x^2 (Padé: 5.7e-12).
constexpr const char* kCf44Squared =
    "input x\n"
    "r1 = mul(x, x)\n"
    "r2 = add(r1, 0x1.236443a7cde91p+10)\n"
    "r3 = div(-0x1.6fd733f643962p+15, r2)\n"
    "r4 = add(r3, 0x1.cda993e7663bep+5)\n"
    "r5 = div(r1, r4)\n"
    "r6 = add(r5, 0x1.71547652b82fep+2)\n"
    "r7 = add(r6, x)\n"
    "r8 = sub(r6, x)\n"
    "r9 = div(r7, r8)\n"
    "r10 = mul(r9, r9)\n"
    "output y = r10\n";
// [3/3] squared three times: D = b1 + c / (s + b2) (Padé: 2.9e-12).
constexpr const char* kCf33Cubed =
    "input x\n"
    "r1 = mul(x, x)\n"
    "r2 = add(r1, 0x1.f3874f68ceb42p+12)\n"
    "r3 = div(-0x1.c26ac776b0cccp+19, r2)\n"
    "r4 = add(r3, 0x1.14ff58be0a23fp+7)\n"
    "r5 = add(r4, x)\n"
    "r6 = sub(r4, x)\n"
    "r7 = div(r5, r6)\n"
    "r8 = mul(r7, r7)\n"
    "r9 = mul(r8, r8)\n"
    "r10 = mul(r9, r9)\n"
    "output y = r10\n";

TEST(MinimaxFit, TakesTenOpContinuedFractionsBelow1e12) {
  auto d = make_domain("funcapprox", {{"target", "exp2"}, {"precision", "real"}});
  for (const auto& [text, pade_error] : {std::pair{kCf44Squared, 5.70e-12}, std::pair{kCf33Cubed, 2.91e-12}}) {
    Program p = parse_program(text, d->signature());
    EXPECT_EQ(d->structural_objectives(p)[0], 10.0);
    EXPECT_NEAR(d->evaluate(p).values[0], pade_error, 0.01e-12);
    const double fitted = polished_error(*d, p);
    std::printf("[ fitted ] %.3g (Pade %.3g)\n", fitted, pade_error);
    EXPECT_LT(fitted, 0.5e-12);
  }
}

}  // namespace
}  // namespace evo::funcapprox
