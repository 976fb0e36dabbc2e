// Taylor coefficients from power-series arithmetic, the Remez exchange, and the baselines
// funcapprox offers, checked against closed forms and the published minimax figures.
#include "evaluators/funcapprox/baselines.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "evaluators/funcapprox/polynomial.h"
#include "evaluators/funcapprox/remez.h"
#include "evaluators/registry.h"
#include "search/program_text.h"

namespace evo::funcapprox {
namespace {

std::unique_ptr<Domain> make(std::map<std::string, std::string> s) { return make_domain("funcapprox", s); }

long double factorial(int k) { return k <= 1 ? 1.0L : k * factorial(k - 1); }

Coefficients taylor(const char* name, long double c, int degree) {
  return taylor_coefficients(*find_target(name), c, degree);
}

void expect_coefficients(const Coefficients& got, const Coefficients& want, long double tol = 1e-17L) {
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t k = 0; k < want.size(); ++k)
    EXPECT_NEAR(static_cast<double>(got[k]), static_cast<double>(want[k]),
                static_cast<double>(tol * std::max(1.0L, std::fabs(want[k]))))
        << "coefficient " << k;
}

// The baseline of a family and degree, scored by the domain.
struct Scored {
  Baseline baseline;
  double error, cost;
};

Scored find(const Domain& d, const std::vector<Baseline>& all, const std::string& family, int degree) {
  for (const auto& b : all)
    if (b.family == family && b.degree == degree) {
      const Evaluation ev = d.evaluate(b.program);
      EXPECT_TRUE(ev.valid) << b.name << ": " << ev.reason;
      return {b, ev.valid ? ev.values[0] : INFINITY, d.structural_objectives(b.program)[0]};
    }
  ADD_FAILURE() << "no " << family << " " << degree;
  return {};
}

TEST(Taylor, ExpAboutAPointIsItsValueOverFactorials) {
  Coefficients want;
  for (int k = 0; k <= 12; ++k) want.push_back(expl(0.3L) / factorial(k));
  expect_coefficients(taylor("exp", 0.3L, 12), want);
}

TEST(Taylor, Exp2IsLn2PowersOverFactorials) {
  Coefficients want;
  for (int k = 0; k <= 10; ++k) want.push_back(powl(std::numbers::ln2_v<long double>, k) / factorial(k));
  expect_coefficients(taylor("exp2", 0, 10), want);
}

TEST(Taylor, SinAndCosAboutZeroAlternate) {
  Coefficients s, c;
  for (int k = 0; k <= 11; ++k) {
    s.push_back(k % 2 == 0 ? 0.0L : ((k / 2) % 2 ? -1.0L : 1.0L) / factorial(k));
    c.push_back(k % 2 == 1 ? 0.0L : ((k / 2) % 2 ? -1.0L : 1.0L) / factorial(k));
  }
  expect_coefficients(taylor("sin", 0, 11), s);
  expect_coefficients(taylor("cos", 0, 11), c);
}

TEST(Taylor, LogAboutOneIsTheMercatorSeries) {
  Coefficients want = {0};
  for (int k = 1; k <= 12; ++k) want.push_back((k % 2 ? 1.0L : -1.0L) / k);
  expect_coefficients(taylor("log", 1, 12), want);
  // About c: log(c + u) = log c + Σ (-1)^{k+1} (u/c)^k / k.
  Coefficients about3 = {logl(3.0L)};
  for (int k = 1; k <= 12; ++k) about3.push_back((k % 2 ? 1.0L : -1.0L) / (k * powl(3.0L, k)));
  expect_coefficients(taylor("log", 3, 12), about3);
}

TEST(Taylor, TanhSigmoidErfAboutZeroMatchTheirSeries) {
  expect_coefficients(taylor("tanh", 0, 7), {0, 1, 0, -1.0L / 3, 0, 2.0L / 15, 0, -17.0L / 315});
  expect_coefficients(taylor("sigmoid", 0, 5), {0.5L, 0.25L, 0, -1.0L / 48, 0, 1.0L / 480});
  const long double k = 2 / std::sqrt(std::numbers::pi_v<long double>);
  expect_coefficients(taylor("erf", 0, 7), {0, k, 0, -k / 3, 0, k / 10, 0, -k / 42});
}

TEST(Taylor, EveryTargetMatchesItsReferenceNearTheCentre) {
  // Degree 12 at distance 0.05 leaves a remainder far below 1e-12 for every target here;
  // negative centres take the other branch of tanh and sigmoid.
  for (const auto& t : targets()) {
    for (long double c : {-1.5L, 0.7L, 2.5L}) {
      if (c <= t.domain_lo) continue;
      const Coefficients a = taylor_coefficients(t, c, 12);
      for (long double u : {-0.05L, 0.03L}) {
        const long double want = t.reference(c + u);
        EXPECT_NEAR(static_cast<double>(polynomial_value(a, u)), static_cast<double>(want),
                    1e-12 * std::max(1.0, std::fabs(static_cast<double>(want))))
            << t.name << " about " << static_cast<double>(c) << " at u = " << static_cast<double>(u);
      }
    }
  }
}

TEST(Polynomial, ChebyshevToMonomialAndChangeOfVariable) {
  // T_3(t) = 4t^3 - 3t.
  expect_coefficients(chebyshev_to_monomial({0, 0, 0, 1}), {0, -3, 0, 4});
  EXPECT_NEAR(static_cast<double>(chebyshev_value({0.5L, -1, 2, 0.25L}, 0.3L)),
              static_cast<double>(0.5L - 0.3L + 2 * (2 * 0.09L - 1) + 0.25L * (4 * 0.027L - 0.9L)), 1e-18);
  // (2s + 1)^2 = 4s^2 + 4s + 1.
  expect_coefficients(compose_linear({0, 0, 1}, 2, 1), {1, 4, 4});
}

TEST(Remez, Exp2RelativeMatchesThePublishedMinimaxTable) {
  auto d = make({{"target", "exp2"}, {"interval", "0:1"}, {"precision", "real"}});
  const auto all = d->baselines(1, 9);
  EXPECT_EQ(all.size(), 18u);
  const std::map<int, double> published = {{3, 7.5e-5}, {4, 2.6e-6}, {5, 7.5e-8}, {6, 1.9e-9}, {7, 4.0e-11}, {9, 1.3e-14}};
  for (const auto& [degree, error] : published) {
    const Scored m = find(*d, all, "minimax", degree);
    EXPECT_NEAR(m.error, error, 0.1 * error) << "degree " << degree;
    EXPECT_EQ(m.cost, 2.0 * degree);
    EXPECT_EQ(op_count(m.baseline.program), degree);  // one fma per degree
    EXPECT_EQ(parse_program(to_text(m.baseline.program), d->signature()), m.baseline.program);
  }
}

TEST(Remez, MinimaxBeatsTaylorAtEveryDegree) {
  for (const auto& settings : std::vector<std::map<std::string, std::string>>{
           {{"target", "exp2"}, {"interval", "0:1"}, {"precision", "real"}},
           {{"target", "log2"}, {"interval", "1:2"}, {"precision", "real"}},
           {{"target", "erf"}, {"interval", "1:5"}, {"precision", "real"}}}) {
    auto d = make(settings);
    const auto all = d->baselines(1, 8);
    for (int degree = 1; degree <= 8; ++degree)
      EXPECT_LT(find(*d, all, "minimax", degree).error, find(*d, all, "taylor", degree).error)
          << d->describe() << ", degree " << degree;
  }
}

// The error reaches ± the level at degree + 2 points, in alternating signs (Chebyshev's
// characterisation of the best approximation), and the domain measures the same level.
void expect_equioscillation(const Minimax& m, int degree) {
  ASSERT_TRUE(m.converged);
  ASSERT_EQ(m.extrema.size(), static_cast<std::size_t>(degree + 2));
  for (std::size_t i = 0; i < m.extrema.size(); ++i) {
    EXPECT_NEAR(static_cast<double>(std::fabs(m.extrema_error[i]) / m.level), 1.0, 1e-3) << "extremum " << i;
    if (i > 0) {
      EXPECT_LT(m.extrema[i - 1], m.extrema[i]);
      EXPECT_NE(std::signbit(m.extrema_error[i - 1]), std::signbit(m.extrema_error[i])) << "extremum " << i;
    }
  }
}

TEST(Remez, RelativeErrorEquioscillates) {
  const Minimax m = remez(find_target("exp2")->reference, 0, 1, 5, ErrorWeight::relative);
  expect_equioscillation(m, 5);
  EXPECT_EQ(m.extrema.front(), 0.0L);
  EXPECT_EQ(m.extrema.back(), 1.0L);
  // The level is the weighted error of the polynomial, checked here independently.
  const Coefficients a = m.about(0);
  for (std::size_t i = 0; i < m.extrema.size(); ++i) {
    const long double x = m.extrema[i];
    EXPECT_NEAR(static_cast<double>((polynomial_value(a, x) - exp2l(x)) / exp2l(x)),
                static_cast<double>(m.extrema_error[i]), 1e-15);
  }
}

TEST(Remez, AbsoluteErrorForSinOnASymmetricInterval) {
  auto d = make({{"target", "sin"}, {"interval", "-1:1"}, {"precision", "real"}, {"points", "4097"}});
  ASSERT_FALSE(dynamic_cast<const FuncApprox&>(*d).relative_error());
  for (int degree : {3, 4, 5}) {
    const Minimax m = remez(find_target("sin")->reference, -1, 1, degree, ErrorWeight::absolute);
    expect_equioscillation(m, degree);
    const auto all = d->baselines(degree, degree);
    const Scored mm = find(*d, all, "minimax", degree);
    EXPECT_NEAR(mm.error, static_cast<double>(m.level), 1e-3 * static_cast<double>(m.level)) << "degree " << degree;
    EXPECT_LT(mm.error, find(*d, all, "taylor", degree).error);
  }
  // sin is odd, so the best even-degree polynomial is the best one of the degree below.
  const long double l3 = remez(find_target("sin")->reference, -1, 1, 3, ErrorWeight::absolute).level;
  const long double l4 = remez(find_target("sin")->reference, -1, 1, 4, ErrorWeight::absolute).level;
  EXPECT_NEAR(static_cast<double>(l4 / l3), 1.0, 1e-3);
}

TEST(Remez, BestLineForExpHasTheClosedFormError) {
  // For convex f the best line has the secant's slope s = e - 1 and touches the error
  // level at 0, 1 and ln(s): E = (2 - e + s ln s) / 2.
  const long double e = expl(1.0L), s = e - 1;
  const long double want = (2 - e + s * logl(s)) / 2;
  const Minimax m = remez(find_target("exp")->reference, 0, 1, 1, ErrorWeight::absolute);
  expect_equioscillation(m, 1);
  EXPECT_NEAR(static_cast<double>(m.level), static_cast<double>(want), 1e-12);
  EXPECT_NEAR(static_cast<double>(m.extrema[1]), static_cast<double>(logl(s)), 1e-6);
  auto d = make({{"target", "exp"}, {"interval", "0:1"}, {"error", "absolute"}, {"precision", "real"}});
  EXPECT_NEAR(find(*d, d->baselines(1, 1), "minimax", 1).error, static_cast<double>(want), 1e-6);
}

TEST(Remez, OddTargetAtOddDegreeOnASymmetricIntervalStillExchanges) {
  // The first levelled fit of tanh at odd degree on [-3, 3] interpolates (E = 0); the
  // best odd-degree approximation of an odd function equals the next even degree's.
  const auto* tanh_target = find_target("tanh");
  const Minimax m15 = remez(tanh_target->reference, -3, 3, 15, ErrorWeight::absolute);
  const Minimax m16 = remez(tanh_target->reference, -3, 3, 16, ErrorWeight::absolute);
  EXPECT_TRUE(m15.converged);
  EXPECT_NEAR(static_cast<double>(m15.level / m16.level), 1.0, 1e-3);
}

TEST(Baselines, FarFromZeroTheyAreWrittenInXMinusTheMidpoint) {
  // Relative error of 2^x is the same on [100, 101] as on [0, 1]; only the coefficients in
  // x would be ill-conditioned there, so the degree-9 baseline subtracts the midpoint first.
  auto d = make({{"target", "exp2"}, {"interval", "100:101"}, {"precision", "real"}});
  const Scored m = find(*d, d->baselines(9, 9), "minimax", 9);
  EXPECT_NE(m.baseline.name.find("(x - 100.5)"), std::string::npos) << m.baseline.name;
  EXPECT_EQ(m.baseline.program.code.front().op, Op::sub);
  EXPECT_EQ(m.cost, 19.0);
  EXPECT_NEAR(m.error, 1.3e-14, 0.1 * 1.3e-14);
}

TEST(Baselines, HornerProgramEvaluatesThePolynomial) {
  auto d = make({{"target", "exp2"}, {"interval", "0:1"}, {"precision", "real"}, {"points", "3"}});
  // 1 + 2x + 3x^2 against 2^x at x = 0, 0.5, 1: relative errors 0, |2.75 - √2|/√2, |6 - 2|/2.
  const Program p = horner_program(d->signature(), {1, 2, 3}, 0);
  EXPECT_EQ(p, parse_program("input x\nr1 = const(2)\nr2 = fma(x, 3, r1)\nr3 = fma(r2, x, 1)\noutput y = r3\n",
                             d->signature()))
      << to_text(p);
  const Evaluation ev = d->evaluate(p);
  ASSERT_TRUE(ev.valid);
  EXPECT_DOUBLE_EQ(ev.values[0], 2.0);
}

}  // namespace
}  // namespace evo::funcapprox
