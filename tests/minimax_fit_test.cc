#include <gtest/gtest.h>

#include "evaluators/registry.h"
#include "search/program_text.h"

namespace evo::funcapprox {
namespace {

// The degree-5 Horner structure for 2^x on [0, 1] with constants good to two digits.
constexpr const char* kRoughQuintic =
    "input x\nr1 = mul(x, 0x1.3p-10)\nr2 = add(r1, 0x1.3p-7)\nr3 = mul(r2, x)\nr4 = add(r3, 0x1.cp-5)\n"
    "r5 = mul(r4, x)\nr6 = add(r5, 0x1.ecp-3)\nr7 = mul(r6, x)\nr8 = add(r7, 0x1.62p-1)\nr9 = mul(r8, x)\n"
    "r10 = add(r9, 0x1p+0)\noutput y = r10\n";

double fitted_error(const std::string& method, Program* out = nullptr) {
  auto d = make_domain("funcapprox", {{"target", "exp2"}, {"precision", "real"}, {"fit_method", method}, {"fit_evals", "200"}});
  Program p = parse_program(kRoughQuintic, d->signature());
  for (int i = 0; i < 3; ++i) d->polish(p, MutationKind::insert);
  if (out) *out = p;
  return d->evaluate(p).values[0];
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

}  // namespace
}  // namespace evo::funcapprox
