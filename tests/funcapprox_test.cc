#include "evaluators/funcapprox/funcapprox.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>

#include "evaluators/funcapprox/baselines.h"
#include "evaluators/registry.h"
#include "hashing/canonical.h"
#include "search/errors.h"
#include "search/mutation.h"
#include "search/program_text.h"
#include "search/rng.h"
#include "tests/engine_support.h"

namespace evo {

namespace {
std::unique_ptr<Domain> make(std::map<std::string, std::string> s) { return make_domain("funcapprox", s); }
}  // namespace

TEST(FuncApprox, IdentityProgramErrorMatchesAHandComputation) {
  auto d = make({{"target", "exp2"}, {"interval", "0:1"}, {"points", "1025"}});
  const Program p = parse_program("input x\noutput y = x\n", d->signature());
  const Evaluation ev = d->evaluate(p);
  ASSERT_TRUE(ev.valid);
  // max over the grid of |x - 2^x| / 2^x, computed independently in long double.
  long double worst = 0;
  for (int i = 0; i <= 1024; ++i) {
    const long double x = i / 1024.0L;
    worst = std::max(worst, std::fabs(x - exp2l(x)) / exp2l(x));
  }
  EXPECT_NEAR(ev.values[0], static_cast<double>(worst), 1e-15);
  EXPECT_EQ(d->structural_objectives(p)[0], 0.0);  // no ops
}

TEST(FuncApprox, MeasuresRoundOffOfAGoodPolynomialAccurately) {
  // 2^x ~ degree-9 Taylor around 0 on [0, 0.01]: truncation error ~1e-25, so what is
  // measured is float64 round-off (a few 1e-17..1e-16), which the double-double
  // reference resolves.
  auto d = make({{"target", "exp2"}, {"interval", "0:0.01"}});
  std::string body = "input x\n";
  const double ln2 = 0.6931471805599453;
  double coef[10];
  double f = 1;
  for (int k = 0; k < 10; ++k) {
    coef[k] = std::pow(ln2, k) / f;
    f *= (k + 1);
  }
  // fma takes at most one immediate: name the coefficients with const.
  std::string prev;
  for (int k = 9; k >= 0; --k) {
    body += "c" + std::to_string(k) + " = const(" + hex_double(coef[k]) + ")\n";
    if (k == 9) {
      prev = "c9";
    } else {
      body += "h" + std::to_string(k) + " = fma(" + prev + ", x, c" + std::to_string(k) + ")\n";
      prev = "h" + std::to_string(k);
    }
  }
  body += "output y = " + prev + "\n";
  const Program p = parse_program(body, d->signature());
  const Evaluation ev = d->evaluate(p);
  ASSERT_TRUE(ev.valid);
  EXPECT_LT(ev.values[0], 4e-16);
  EXPECT_GT(ev.values[0], 0.0);
  EXPECT_EQ(d->structural_objectives(p)[0], 18.0);  // 9 fma at cost 2, constants free
}

TEST(FuncApprox, NonFiniteOutputIsInvalidNotAnError) {
  auto d = make({{"target", "exp2"}, {"interval", "0:1"}});
  const Program p = parse_program("input x\nr1 = sub(x, x)\nr2 = div(x, r1)\noutput y = r2\n", d->signature());
  const Evaluation ev = d->evaluate(p);
  EXPECT_FALSE(ev.valid);
  EXPECT_NE(ev.reason.find("non-finite"), std::string::npos);
  const Program q = parse_program("input x\nr1 = sub(x, 2)\nr2 = sqrt(r1)\noutput y = r2\n", d->signature());
  EXPECT_FALSE(d->evaluate(q).valid);
}

TEST(FuncApprox, AbsoluteErrorWhereTheTargetCrossesZero) {
  auto d = make({{"target", "sin"}, {"interval", "-1:1"}});
  auto* fa = dynamic_cast<funcapprox::FuncApprox*>(d.get());
  ASSERT_NE(fa, nullptr);
  EXPECT_FALSE(fa->relative_error());
  const Program p = parse_program("input x\noutput y = x\n", d->signature());
  EXPECT_NEAR(d->evaluate(p).values[0], 1.0 - std::sin(1.0), 1e-15);
  auto e = make({{"target", "exp2"}});
  EXPECT_TRUE(dynamic_cast<funcapprox::FuncApprox*>(e.get())->relative_error());
  EXPECT_THROW(make({{"target", "sin"}, {"interval", "-1:1"}, {"error", "relative"}}), InputError);
}

TEST(FuncApprox, RejectsIntervalsOutsideTheTargetsDomain) {
  EXPECT_THROW(make({{"target", "log"}, {"interval", "0:2"}}), InputError);
  EXPECT_THROW(make({{"target", "log2"}, {"interval", "-1:2"}}), InputError);
  EXPECT_THROW(make({{"target", "exp"}, {"interval", "0:1000"}}), InputError);  // overflows double
  EXPECT_NO_THROW(make({{"target", "log2"}, {"interval", "1:2"}}));
}

TEST(FuncApprox, EveryTargetBuildsAndEvaluates) {
  for (const auto& t : funcapprox::targets()) {
    const std::string iv = t.open_lo ? "0.5:2" : "-1:1";
    for (const char* prec : {"float32", "float64", "real"}) {
      auto d = make({{"target", std::string(t.name)}, {"interval", iv}, {"precision", prec}, {"points", "64"}});
      const Program p = parse_program("input x\nr1 = mul(x, 0.5)\noutput y = r1\n", d->signature());
      const Evaluation ev = d->evaluate(p);
      EXPECT_TRUE(ev.valid) << t.name << " " << prec;
      EXPECT_TRUE(std::isfinite(ev.values[0])) << t.name << " " << prec;
    }
  }
}

TEST(FuncApprox, Float32ModeSeesFloatRounding) {
  // 1 + x/3 rounds differently in float than in double: the float32 evaluation must see
  // float's error, which is far above double's.
  auto d32 = make({{"target", "exp2"}, {"interval", "0:1"}, {"precision", "float32"}});
  auto d64 = make({{"target", "exp2"}, {"interval", "0:1"}, {"precision", "float64"}});
  const std::string text = "input x\nc = const(0x1.62e42fefa39efp-1)\nr1 = fma(x, c, 1)\noutput y = r1\n";
  const double e32 = d32->evaluate(parse_program(text, d32->signature())).values[0];
  const double e64 = d64->evaluate(parse_program(text, d64->signature())).values[0];
  EXPECT_GT(e32, 0.0);
  EXPECT_NE(e32, e64);
  EXPECT_NE(d32->fingerprint(), d64->fingerprint());
}

TEST(FuncApprox, RendersCompilableLookingCpp) {
  auto d = make({});
  const Program p = parse_program(
      "input x\nc = const(0x1.8p-1)\nr1 = fma(x, c, 1)\nr2 = const(2)\nr3 = mul(r1, r2)\noutput y = r3\n",
      d->signature());
  const std::string cpp = d->render(p, "cpp", {});
  EXPECT_NE(cpp.find("inline double evo_exp2(double x)"), std::string::npos) << cpp;
  EXPECT_NE(cpp.find("std::fma(x, r1, 0x1p+0)"), std::string::npos) << cpp;
  EXPECT_NE(cpp.find("evo_exp2_n("), std::string::npos);
  const std::string c = d->render(p, "c", {});
  EXPECT_NE(c.find("fma(x, r1, 0x1p+0)"), std::string::npos) << c;
  EXPECT_EQ(c.find("std::"), std::string::npos) << c;
}

namespace evo {

TEST(FuncApprox, ConstantFitLowersTheErrorDeterministically) {
  auto d = make({{"target", "exp2"}, {"interval", "0:1"}, {"fit", "all"}});
  // 1 + x*(a + b*x) with poor a, b: a fit should approach the best quadratic (~1e-3 or better).
  const std::string text = "input x\na = const(0.25)\nr1 = fma(x, a, 0.5)\nr2 = fma(x, r1, 1)\noutput y = r2\n";
  const Program start = parse_program(text, d->signature());
  const double before = d->evaluate(start).values[0];
  Program a = start, b = start;
  d->polish(a, MutationKind::insert);
  d->polish(b, MutationKind::insert);
  EXPECT_EQ(a, b);  // deterministic
  const double after = d->evaluate(a).values[0];
  EXPECT_LT(after, before / 10) << to_text(a);
  EXPECT_LT(after, 3e-3) << to_text(a);
  EXPECT_EQ(d->structural_objectives(a), d->structural_objectives(start));  // same ops, new constants

  auto no_fit = make({{"fit", "none"}});
  Program c = start;
  no_fit->polish(c, MutationKind::insert);
  EXPECT_EQ(c, start);
  auto structural = make({{"fit", "structural"}});
  Program e = start;
  structural->polish(e, MutationKind::perturb_constant);  // constant perturbations are not refitted
  EXPECT_EQ(e, start);
}

}  // namespace evo

namespace evo {

// Constant-only chains fold in every precision, `real` included (in double there): left
// alone they fill max_instructions and soak up the mutations of a real search.
TEST(FuncApprox, ChildrenFoldConstantChainsInEveryPrecision) {
  for (const char* precision : {"real", "float64", "float32"}) {
    auto d = make({{"target", "exp2"}, {"precision", precision}});
    const Program p = parse_program(
        "input x\nc = const(0.75)\nk = mul(c, 3)\nh = sub(k, 1.5)\nr1 = fma(x, h, 1)\noutput y = r1\n",
        d->signature());
    Rng rng(7);
    int mutated = 0;
    for (int i = 0; i < 200; ++i) {
      Program child = p;
      if (mutate(child, d->mutation_space(), rng) == MutationKind::none) continue;
      for (std::size_t k = 0; k < child.code.size(); ++k) {
        const Instr& in = child.code[k];
        auto named_constant = [&](Reg r) {
          if (r < child.first_temp()) return false;
          const Instr& def = child.code[r - child.first_temp()];
          return def.op == Op::const_ && def.args[0] == kImm;
        };
        bool constant_only = in.op != Op::const_;
        for (int a = 0; a < in.arity(); ++a) constant_only &= in.args[a] == kImm || named_constant(in.args[a]);
        EXPECT_FALSE(constant_only) << precision << "\n" << to_text(child);
      }
      ++mutated;
    }
    EXPECT_GT(mutated, 100) << precision;
  }
  // In `real` the fold is double arithmetic: 0.1 * 3 - 0.3 is 2^-54 in double, about half
  // that in long double.
  auto real = make({{"target", "exp2"}, {"precision", "real"}});
  Program chain = parse_program("input x\nc = const(0.1)\nk = mul(c, 3)\nh = sub(k, 0.3)\nr1 = add(x, h)\noutput y = r1\n",
                                real->signature());
  fold_constants(chain, real->mutation_space().fold);
  ASSERT_EQ(chain.code.size(), 2u) << to_text(chain);
  EXPECT_EQ(chain.code[0].imm, 0x1p-54) << to_text(chain);
}

TEST(FuncApprox, FmaCostSettingWeighsAnFmaAsOneOrTwo) {
  const std::string text = "input x\nr1 = const(1)\nr2 = fma(x, 0.5, r1)\nr3 = mul(r2, x)\noutput y = r3\n";
  auto two = make({{"max_ops", "2"}});
  auto one = make({{"max_ops", "2"}, {"fma_cost", "1"}});
  const Program p = parse_program(text, two->signature());
  EXPECT_EQ(two->structural_objectives(p)[0], 3.0);
  EXPECT_EQ(one->structural_objectives(p)[0], 2.0);
  EXPECT_FALSE(two->admissible(p));  // over max_ops=2 at fma = 2
  EXPECT_TRUE(one->admissible(p));
  // The minimax baselines are one fma per degree: cost = degree under fma_cost=1.
  for (const auto& b : one->baselines(5, 5)) {
    if (b.family == "minimax") {
      EXPECT_EQ(one->structural_objectives(b.program)[0], 5.0);
    }
  }
  EXPECT_THROW(make({{"fma_cost", "3"}}), InputError);
}

// init=minimax starts from the minimax polynomial of the highest degree within max_ops (degree
// 5 at 10 ops when an fma counts two, 10 when it counts one), in the more accurate of the two
// Horner forms that fit, and only with the ops the run allows.
TEST(FuncApprox, MinimaxInitStartsFromTheMinimaxPolynomialWithinMaxOps) {
  for (const char* precision : {"real", "float64", "float32"})
    for (const auto& [fma_cost, degree] : {std::pair{"2", 5}, std::pair{"1", 10}}) {
      const std::string what = std::string(precision) + " fma_cost=" + fma_cost;
      auto d = make({{"max_ops", "10"}, {"fma_cost", fma_cost}, {"precision", precision}, {"init", "minimax"}});
      Rng rng(1);
      const Program start = d->initial_program(rng);
      EXPECT_EQ(to_text(d->initial_program(rng)), to_text(start)) << what;  // no randomness
      EXPECT_LE(d->structural_objectives(start)[0], 10.0) << what;
      const Evaluation ev = d->evaluate(start);
      ASSERT_TRUE(ev.valid) << what;
      double best = INFINITY;
      bool among = false;
      for (const Program& form : funcapprox::minimax_forms(static_cast<const funcapprox::FuncApprox&>(*d), degree)) {
        among |= to_text(form) == to_text(start);
        if (d->admissible(form)) best = std::min(best, d->evaluate(form).values[0]);
      }
      EXPECT_TRUE(among) << what;
      EXPECT_EQ(ev.values[0], best) << what;
    }
  // Degree 5 at 10 ops: 7.5e-8 for 2^x on [0, 1], as in the baselines' table (bench/RESULTS.md).
  auto d = make({{"init", "minimax"}, {"precision", "real"}});
  Rng rng(1);
  const Evaluation ev = d->evaluate(d->initial_program(rng));
  ASSERT_TRUE(ev.valid);
  EXPECT_NEAR(ev.values[0], 7.5e-8, 0.1e-8);
  EXPECT_THROW(make({{"init", "minimax"}, {"max_ops", "1"}}), InputError);                     // not even degree 1 fits
  EXPECT_THROW(make({{"init", "minimax"}, {"ops", "add,sub,mul,div"}}), InputError);           // Horner needs fma
}

// The start population is the polynomial itself, scored as it ships (not refitted: in float32
// a refit on the fit's points would change it), so the run's best is never worse than it; in
// long double the search finds better at the same cost.
TEST(FuncApprox, MinimaxInitSearchScoresThePolynomialAndEndsNoWorse) {
  for (const char* precision : {"float32", "real"}) {
    auto d = make({{"init", "minimax"}, {"precision", precision}, {"points", "256"}});
    Rng rng(1);
    const Program start = d->initial_program(rng);
    const double error = d->evaluate(start).values[0];
    EngineConfig cfg;
    cfg.seed = 3;
    cfg.budget = 2000;
    cfg.population = 64;
    cfg.batch = 32;
    RunStats st;
    const auto cs = run_engine(*d, cfg, 2, &st);
    ASSERT_EQ(cs.size(), 2000u) << precision;
    bool improved = false;
    for (const auto& c : cs) {
      if (c.birth < 64) {
        EXPECT_EQ(c.text, to_text(canonicalize(start))) << precision;
        EXPECT_EQ(c.objectives[0], error) << precision;
      } else if (c.valid && c.objectives[0] < error && c.objectives[1] <= 10) {
        improved = true;
      }
    }
    EXPECT_LE(st.best_objectives[0], error) << precision;
    if (std::string(precision) == "real") {
      EXPECT_TRUE(improved);  // the quintic is not the best at 10 ops
    }
  }
}

// init=polynomials: about a quarter of the start programs are minimax polynomials, each degree
// within max_ops drawn (1 to 5 at 10 ops), scored as they ship; the rest are random programs.
// So the run's front starts at or below the polynomial at every cost.
TEST(FuncApprox, PolynomialsInitMixesEveryDegreeWithRandomPrograms) {
  auto d = make({{"init", "polynomials"}, {"precision", "real"}, {"points", "256"}});
  const auto* fa = static_cast<const funcapprox::FuncApprox*>(d.get());
  std::map<std::string, double> polynomial_error;  // text -> error of the best form per degree
  for (int degree = 1; degree <= 5; ++degree) {
    double best = INFINITY;
    std::string text;
    for (const Program& form : funcapprox::minimax_forms(*fa, degree))
      if (d->admissible(form)) {
        const double e = d->evaluate(form).values[0];
        if (e < best) best = e, text = to_text(canonicalize(form));
      }
    polynomial_error[text] = best;
  }
  EngineConfig cfg;
  cfg.seed = 5;
  cfg.budget = 400;
  cfg.population = 400;
  cfg.batch = 40;
  const auto cs = run_engine(*d, cfg, 2, nullptr);
  ASSERT_EQ(cs.size(), 400u);
  std::set<std::string> degrees_seen;
  int polynomials = 0;
  for (const auto& c : cs) {
    const auto it = polynomial_error.find(c.text);
    if (it == polynomial_error.end()) continue;
    ++polynomials;
    degrees_seen.insert(it->first);
    EXPECT_EQ(c.objectives[0], it->second);  // not refitted
  }
  EXPECT_EQ(degrees_seen.size(), 5u);
  EXPECT_GT(polynomials, 60);   // a quarter of 400 is 100
  EXPECT_LT(polynomials, 140);
}

}  // namespace evo

// The exp scaffold's reduction rounds r, so each grid point's error grows by |f'(r)| times
// half an ulp of r (relative error: half an ulp of r itself, f' being f). y = 1 + x is worst
// at r = -ln2/2, where r's binade [1/4, 1/2) makes that 2^-26 in float and 2^-55 in double
// (both exact additions to an error of about 0.076).
TEST(FuncApprox, ArgumentRoundingAddsHalfAnUlpOfTheArgumentTimesTheSlope) {
  auto error = [](const std::string& scaffold, const std::string& precision, const std::string& rounding) {
    auto d = make({{"scaffold", scaffold}, {"precision", precision}, {"error", "relative"},
                   {"argument_rounding", rounding}});
    const Evaluation ev = d->evaluate(parse_program("input x\nr1 = add(x, 1)\noutput y = r1\n", d->signature()));
    EXPECT_TRUE(ev.valid);
    return ev.values.at(0);
  };
  const double plain = error("exp", "float32", "ignore");
  EXPECT_NEAR(plain, (std::sqrt(0.5) - 1 + std::log(2.0) / 2) / std::sqrt(0.5), 1e-6);
  EXPECT_NEAR(error("exp", "float32", "auto") - plain, 0x1p-26, 1e-13);
  EXPECT_NEAR(error("exp", "float64", "auto") - error("exp", "float64", "ignore"), 0x1p-55, 0x1p-60);
  // Arguments the reduction leaves exact are measured as they are.
  EXPECT_EQ(error("exp2", "float32", "auto"), error("exp2", "float32", "ignore"));
  // Where it would change nothing, argument_rounding=ignore is refused.
  EXPECT_THROW(make({{"scaffold", "exp"}, {"precision", "real"}, {"argument_rounding", "ignore"}}), InputError);
  EXPECT_THROW(make({{"precision", "float32"}, {"argument_rounding", "ignore"}}), InputError);
  EXPECT_NE(make({{"scaffold", "exp"}, {"precision", "float32"}})->fingerprint(),
            make({{"scaffold", "exp"}, {"precision", "float32"}, {"argument_rounding", "ignore"}})->fingerprint());
}

// How to fit constants is refused where no constant is fitted or the method does not use it.
TEST(FuncApprox, FitSettingsARunWouldIgnoreAreRefused) {
  for (const auto& [key, value] : std::vector<std::pair<std::string, std::string>>{
           {"fit_evals", "500"}, {"fit_method", "simplex"}, {"fit_start", "series"}})
    EXPECT_THROW(make({{"fit", "none"}, {key, value}}), InputError) << key;
  EXPECT_THROW(make({{"fit_method", "simplex"}, {"fit_start", "series"}}), InputError);
  EXPECT_NO_THROW(make({{"fit", "none"}}));
  EXPECT_NO_THROW(make({{"fit_method", "simplex"}, {"fit_evals", "500"}}));
  EXPECT_NO_THROW(make({{"fit", "all"}, {"fit_start", "series"}}));
}

}  // namespace evo
