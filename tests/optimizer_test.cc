#include "evaluators/optimizer/optimizer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <vector>

#include "evaluators/native/compiler.h"
#include "evaluators/optimizer/rule_export.h"
#include "evaluators/optimizer/rules.h"
#include "evaluators/optimizer/tasks.h"
#include "evaluators/optimizer/trainer.h"
#include "evaluators/registry.h"
#include "search/errors.h"
#include "search/interpreter.h"
#include "search/program_text.h"

namespace evo::optimizer {
namespace {

constexpr int kN = 7, kSteps = 6;
constexpr double kLr = 0.01, kWd = 0.05;

// Gradient at step s for parameter i: deterministic, signs mixed, scale varied.
double grad(int s, int i, double w) { return std::sin(1.3 * s + 0.7 * i) * (1 + i) + 0.3 * w; }

// Runs a rule through the interpreter for kSteps; returns the weights after each step.
std::vector<std::vector<double>> run_rule(const Program& rule) {
  Interpreter<double> interp;
  std::vector<double> g(kN), w(kN), lr(kN, kLr), t(kN), wd(kN, kWd), m(kN), v(kN), u(kN);
  for (int i = 0; i < kN; ++i) w[i] = 0.1 * i - 0.3;
  const double* in[] = {g.data(), w.data(), lr.data(), t.data(), wd.data()};
  const double* st[] = {m.data(), v.data()};
  double* next[] = {m.data(), v.data()};
  double* out[] = {u.data()};
  std::vector<std::vector<double>> trace;
  for (int s = 0; s < kSteps; ++s) {
    for (int i = 0; i < kN; ++i) g[i] = grad(s, i, w[i]), t[i] = s + 1;
    interp.run(rule, in, st, out, next, kN);
    for (int i = 0; i < kN; ++i) w[i] -= u[i];
    trace.push_back(w);
  }
  return trace;
}

// The textbook formulas, one parameter at a time.
std::vector<std::vector<double>> reference(const std::string& name) {
  using C = SeedConstants;
  std::vector<double> w(kN), m(kN, 0.0), v(kN, 0.0);
  for (int i = 0; i < kN; ++i) w[i] = 0.1 * i - 0.3;
  std::vector<std::vector<double>> trace;
  for (int s = 0; s < kSteps; ++s) {
    const int t = s + 1;
    for (int i = 0; i < kN; ++i) {
      const double g = grad(s, i, w[i]);
      if (name == "sgd") {
        w[i] -= kLr * (g + kWd * w[i]);
      } else if (name == "momentum") {
        m[i] = C::momentum * m[i] + (g + kWd * w[i]);
        w[i] -= kLr * m[i];
      } else if (name == "adam" || name == "adamw") {
        const double gg = name == "adam" ? g + kWd * w[i] : g;
        m[i] = C::beta1 * m[i] + (1 - C::beta1) * gg;
        v[i] = C::beta2 * v[i] + (1 - C::beta2) * gg * gg;
        const double mh = m[i] / (1 - std::pow(C::beta1, t)), vh = v[i] / (1 - std::pow(C::beta2, t));
        const double step = mh / (std::sqrt(vh) + C::eps);
        w[i] -= kLr * (name == "adamw" ? step + kWd * w[i] : step);
      } else if (name == "lion") {
        const double c = C::lion_beta1 * m[i] + (1 - C::lion_beta1) * g;
        w[i] -= kLr * ((c > 0) - (c < 0) + kWd * w[i]);
        m[i] = C::lion_beta2 * m[i] + (1 - C::lion_beta2) * g;
      }
    }
    trace.push_back(w);
  }
  return trace;
}

TEST(OptimizerSeeds, MatchTheTextbookFormulas) {
  for (const auto& name : seed_names()) {
    const auto got = run_rule(seed_program(name));
    const auto want = reference(name);
    for (int s = 0; s < kSteps; ++s)
      for (int i = 0; i < kN; ++i)
        EXPECT_NEAR(got[s][i], want[s][i], 1e-12 * (1 + std::fabs(want[s][i]))) << name << " step " << s << " i " << i;
  }
  EXPECT_THROW(seed_program("rmsprop"), InputError);
}

TEST(OptimizerSeeds, PassTheStaticChecks) {
  for (const auto& name : seed_names()) EXPECT_EQ(static_defect(seed_program(name)), "") << name;
}

const char* kHeader = "input g\ninput w\ninput lr\ninput t\ninput wd\nstate m\nstate v\n";
Program rule(const std::string& body) { return parse_program(kHeader + body, rule_signature()); }

TEST(OptimizerChecks, RejectRulesThatCannotWork) {
  EXPECT_EQ(static_defect(rule("u1 = mul(lr, w)\noutput u = u1\nupdate m = m\nupdate v = v\n")),
            "the update does not depend on g");
  // g only reaches the update through m, a step later: still a dependence.
  EXPECT_EQ(static_defect(rule("m1 = add(m, g)\nu1 = mul(lr, m)\noutput u = u1\nupdate m = m1\nupdate v = v\n")), "");
  EXPECT_EQ(static_defect(rule("a = add(g, v)\nu1 = mul(lr, a)\noutput u = u1\nupdate m = m\nupdate v = v\n")),
            "state v is read but never written");
}

// Synthetic tasks only and no second stage: cheap to build and to evaluate on.
class OptimizerDomainTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    domain_ = make_domain("optimizer", {{"tasks", "quadratic,rosenbrock,regression"}, {"funnel_tasks", "none"}}).release();
  }
  static void TearDownTestSuite() { delete domain_; }
  static Domain* domain_;
};
Domain* OptimizerDomainTest::domain_ = nullptr;

TEST_F(OptimizerDomainTest, AlgebraicallyEqualRulesCollideAndDifferentOnesDoNot) {
  const std::string lion = to_text(seed_program("lion"));
  auto h = [&](const Program& p) { return domain_->functional_hash(p); };
  const Hash128 base = h(seed_program("lion"));
  const std::string body =
      "c = interp(g, m, 0x1.ccccccccccccdp-1)\ns = sign(c)\nsw = fma(wd, w, s)\nu1 = mul(lr, sw)\n"
      "m1 = interp(g, m, 0x1.fae147ae147aep-1)\n";
  // A dead state: v is written but nothing reads it.
  EXPECT_EQ(h(rule(body + "g2 = square(g)\noutput u = u1\nupdate m = m1\nupdate v = g2\n")), base);
  // Commutative arguments swapped; a multiplication by one; sign(sign(x)); a dead instruction.
  EXPECT_EQ(h(rule("c = interp(g, m, 0x1.ccccccccccccdp-1)\ns = sign(c)\nsw = fma(w, wd, s)\nu1 = mul(sw, lr)\n"
                   "m1 = interp(g, m, 0x1.fae147ae147aep-1)\noutput u = u1\nupdate m = m1\nupdate v = v\n")),
            base);
  EXPECT_EQ(h(rule(body + "one = mul(u1, 0x1p+0)\noutput u = one\nupdate m = m1\nupdate v = v\n")), base);
  EXPECT_EQ(h(rule("c = interp(g, m, 0x1.ccccccccccccdp-1)\ns0 = sign(c)\ns = sign(s0)\nsw = fma(wd, w, s)\n"
                   "u1 = mul(lr, sw)\nm1 = interp(g, m, 0x1.fae147ae147aep-1)\nx = exp(g)\noutput u = u1\n"
                   "update m = m1\nupdate v = v\n")),
            base);
  // Different rules.
  for (const auto& other : {"sgd", "momentum", "adam", "adamw"}) EXPECT_NE(h(seed_program(other)), base) << other;
  EXPECT_NE(h(seed_program("adam")), h(seed_program("adamw")));  // the probe's weight decay tells them apart
  EXPECT_NE(h(rule(body + "output u = u1\nupdate m = m1\nupdate v = v\n")),
            h(rule("c = interp(g, m, 0x1.ccccccccccccdp-1)\ns = sign(c)\nsw = fma(wd, w, s)\nu1 = mul(lr, sw)\n"
                   "m1 = interp(g, m, 0x1.f5c28f5c28f5cp-1)\noutput u = u1\nupdate m = m1\nupdate v = v\n")));
  EXPECT_EQ(lion, to_text(seed_program("lion")));
}

TEST_F(OptimizerDomainTest, FitnessIsRelativeToAdamW) {
  const Evaluation adamw = domain_->evaluate(seed_program("adamw"));
  ASSERT_TRUE(adamw.valid) << adamw.reason;
  EXPECT_EQ(adamw.values.at(0), 1.0);  // the same program on the same tasks and grid
  const Evaluation sgd = domain_->evaluate(seed_program("sgd"));
  ASSERT_TRUE(sgd.valid) << sgd.reason;
  EXPECT_GT(sgd.values[0], 0.0);
  EXPECT_NE(sgd.values[0], 1.0);
  const Evaluation bad = domain_->evaluate(rule("u1 = mul(lr, w)\noutput u = u1\nupdate m = m\nupdate v = v\n"));
  EXPECT_FALSE(bad.valid);
  EXPECT_EQ(bad.reason, "the update does not depend on g");
  const Evaluation wild =
      domain_->evaluate(rule("e = exp(g)\nu1 = mul(e, 0x1p+40)\noutput u = u1\nupdate m = m\nupdate v = v\n"));
  EXPECT_FALSE(wild.valid);
  EXPECT_EQ(wild.reason, "its update grows without bound on the probe");
}

TEST_F(OptimizerDomainTest, StateBytesCountLiveSlots) {
  const auto names = domain_->objectives();
  ASSERT_EQ(names.size(), 3u);  // no funnel objective without funnel tasks
  EXPECT_EQ(names[2].name, "state_bytes");
  EXPECT_EQ(domain_->structural_objectives(seed_program("sgd"))[1], 0.0);
  EXPECT_EQ(domain_->structural_objectives(seed_program("lion"))[1], 4.0);
  EXPECT_EQ(domain_->structural_objectives(seed_program("adamw"))[1], 8.0);
}

TEST(OptimizerFunnel, SecondStageOnlyForRulesPastTheHurdle) {
  auto domain = make_domain("optimizer", {{"tasks", "quadratic"}, {"funnel_tasks", "regression"}, {"funnel_hurdle", "1"}});
  const auto specs = domain->objectives();
  ASSERT_EQ(specs.size(), 4u);
  EXPECT_EQ(specs[1].name, "funnel");
  EXPECT_FALSE(specs[1].steers);
  const Evaluation adamw = domain->evaluate(seed_program("adamw"));
  ASSERT_TRUE(adamw.valid) << adamw.reason;
  EXPECT_EQ(adamw.values, (std::vector<double>{1.0, 1.0}));
  const Evaluation sgd = domain->evaluate(seed_program("sgd"));
  ASSERT_TRUE(sgd.valid) << sgd.reason;
  ASSERT_GT(sgd.values[0], 1.0);  // worse than AdamW on the quadratic: no second stage
  EXPECT_TRUE(std::isinf(sgd.values[1]));
  auto lenient = make_domain("optimizer", {{"tasks", "quadratic"}, {"funnel_tasks", "regression"}, {"funnel_hurdle", "1e6"}});
  const Evaluation sgd2 = lenient->evaluate(seed_program("sgd"));
  EXPECT_EQ(sgd2.values[0], sgd.values[0]);
  EXPECT_TRUE(std::isfinite(sgd2.values[1]));
  EXPECT_GT(sgd2.values[1], 0.0);
}

TEST(OptimizerReport, TestSplitAndStepsBesideAdamW) {
  auto domain = make_domain("optimizer", {{"tasks", "regression"}, {"funnel_tasks", "fmnist_logreg"},
                                          {"funnel_lr_grid", "0.003,0.03"}});
  const Report r = domain->report(seed_program("sgd"));
  ASSERT_EQ(r.rows.size(), 2u);
  EXPECT_EQ(r.rows[0].name, "regression");
  EXPECT_EQ(r.rows[1].name, "fmnist_logreg (funnel)");
  auto col = [&](const std::string& name) {
    return static_cast<std::size_t>(std::find(r.columns.begin(), r.columns.end(), name) - r.columns.begin());
  };
  ASSERT_LT(col("adamw_steps"), r.columns.size());
  for (const auto& row : r.rows) {
    ASSERT_EQ(row.values.size(), r.columns.size());
    EXPECT_TRUE(std::isfinite(row.values[col("test_loss")])) << row.name;
    EXPECT_TRUE(std::isfinite(row.values[col("adamw_test")])) << row.name;
    EXPECT_NE(row.values[col("test_loss")], row.values[col("val_loss")]) << row.name;  // a held-out split
    // AdamW reaches its own final validation loss by the end of its budget.
    EXPECT_GT(row.values[col("adamw_steps")], 0.0) << row.name;
  }
  EXPECT_TRUE(std::isnan(r.rows[0].values[col("test_acc")]));  // regression is not a classifier
  const double acc = r.rows[1].values[col("adamw_acc")];
  EXPECT_GT(acc, 0.5);
  EXPECT_LT(acc, 1.0);
  // The lr the report shows is one of the stage's grid.
  const double lr = r.rows[1].values[col("lr")];
  EXPECT_TRUE(lr == 0.003 || lr == 0.03) << lr;
}

// The same steps through the trainer's RuleStepper, which evaluates rules with reductions
// over whole arrays.
std::vector<std::vector<double>> stepper_trace(const Program& rule) {
  std::vector<double> w0(kN);
  for (int i = 0; i < kN; ++i) w0[i] = 0.1 * i - 0.3;
  RuleStepper s(w0, kLr, kWd);
  std::vector<std::vector<double>> trace;
  for (int step = 0; step < kSteps; ++step) {
    for (int i = 0; i < kN; ++i) s.gradient()[i] = grad(step, i, s.weights()[i]);
    s.step(rule, step + 1);
    trace.emplace_back(s.weights().begin(), s.weights().end());
  }
  return trace;
}

// Normalised momentum: the update is m scaled to unit RMS, centred by g's mean.
Program reduction_rule() {
  return rule("m1 = interp(g, m, 0x1.ccccccccccccdp-1)\nn = rms(m1)\nq = pdiv(m1, n)\nc = mean(g)\n"
              "d = sub(q, c)\nu1 = mul(lr, d)\noutput u = u1\nupdate m = m1\nupdate v = v\n");
}

// The guarded and comparison ops, as the exports must write them.
Program guarded_rule() {
  return rule("c = clip(g, 0x1p-1)\nlo = min(c, w)\nhi = max(lo, m)\ne = exp(hi)\nl = log(e)\nd = pdiv(l, v)\n"
              "s = sign(d)\nx = fma(s, 0x1p-3, hi)\nu1 = mul(lr, x)\nm1 = interp(m, g, 0x1p-2)\nv1 = square(g)\n"
              "output u = u1\nupdate m = m1\nupdate v = v1\n");
}

TEST(OptimizerReductions, TrainerReducesOverTheWholeTensor) {
  const auto got = stepper_trace(reduction_rule());
  std::vector<double> w(kN), m(kN, 0.0);
  for (int i = 0; i < kN; ++i) w[i] = 0.1 * i - 0.3;
  for (int s = 0; s < kSteps; ++s) {
    std::vector<double> g(kN);
    double gsum = 0, sq = 0;
    for (int i = 0; i < kN; ++i) g[i] = grad(s, i, w[i]), gsum += g[i];
    for (int i = 0; i < kN; ++i) m[i] = g[i] + 0.9 * (m[i] - g[i]), sq += m[i] * m[i];
    const double rms = std::sqrt(sq / kN), mean = gsum / kN;
    for (int i = 0; i < kN; ++i) w[i] -= kLr * (m[i] / rms - mean);
    for (int i = 0; i < kN; ++i) EXPECT_NEAR(got[s][i], w[i], 1e-12) << "step " << s << " i " << i;
  }
  for (const auto& name : seed_names()) {  // without reductions: the block interpreter's steps
    const auto a = stepper_trace(seed_program(name)), b = run_rule(seed_program(name));
    EXPECT_EQ(a, b) << name;
  }
}

// With two tensors a reduction stays within each: the same as two steppers of one tensor.
TEST(OptimizerReductions, ReduceWithinEachTensor) {
  std::vector<double> w(kN);
  for (int i = 0; i < kN; ++i) w[i] = 0.1 * i - 0.3;
  constexpr int kSplit = 3;
  RuleStepper both(w, kLr, kWd, {kSplit, kN});
  const std::span<const double> all(w);
  RuleStepper first(all.first(kSplit), kLr, kWd), second(all.subspan(kSplit), kLr, kWd);
  for (int step = 0; step < kSteps; ++step) {
    for (int i = 0; i < kN; ++i) {
      const double g = grad(step, i, both.weights()[i]);
      both.gradient()[i] = g;
      (i < kSplit ? first.gradient()[i] : second.gradient()[i - kSplit]) = g;
    }
    both.step(reduction_rule(), step + 1);
    first.step(reduction_rule(), step + 1);
    second.step(reduction_rule(), step + 1);
    for (int i = 0; i < kN; ++i)
      EXPECT_EQ(both.weights()[i], i < kSplit ? first.weights()[i] : second.weights()[i - kSplit]) << step << " " << i;
  }
}

// The PyTorch export run by Python against a stand-in for torch (tests/data/fake_torch),
// stepped like MatchTheTextbookFormulas; returns the weights after each step.
std::vector<std::vector<double>> pytorch_trace(const Program& rule, const std::string& tag) {
  const std::string dir = ::testing::TempDir();
  std::ofstream(dir + "/evo_rule_" + tag + ".py") << render_pytorch(rule, {});
  const std::string script = dir + "/evo_drive_" + tag + ".py";
  std::ofstream(script) << "import math, sys\n"
                           "sys.path[:0] = ['" EVO_SOURCE_DIR "/tests/data/fake_torch', '" << dir << "']\n"
                           "import torch\n"
                           "from evo_rule_" << tag << " import EvoOptimizer\n"
                           "p = torch.Tensor([0.1 * i - 0.3 for i in range(" << kN << ")])\n"
                           "opt = EvoOptimizer([p], lr=" << kLr << ", weight_decay=" << kWd << ")\n"
                           "for s in range(" << kSteps << "):\n"
                           "    p.grad = torch.Tensor([math.sin(1.3 * s + 0.7 * i) * (1 + i) + 0.3 * w\n"
                           "                           for i, w in enumerate(p.data)])\n"
                           "    opt.step()\n"
                           "    print(' '.join(repr(w) for w in p.data))\n";
  FILE* pipe = popen(("python3 " + script).c_str(), "r");
  if (!pipe) return {};
  std::string out;
  char buf[4096];
  while (std::fgets(buf, sizeof buf, pipe)) out += buf;
  if (pclose(pipe) != 0) ADD_FAILURE() << tag << ": " << out;
  std::istringstream in(out);
  std::vector<std::vector<double>> trace(kSteps, std::vector<double>(kN));
  for (auto& row : trace)
    for (double& w : row)
      if (!(in >> w)) ADD_FAILURE() << tag << ": " << out;
  return trace;
}

void expect_traces_near(const std::vector<std::vector<double>>& got, const std::vector<std::vector<double>>& want,
                        double tolerance, const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (std::size_t s = 0; s < want.size(); ++s)
    for (std::size_t i = 0; i < want[s].size(); ++i)
      EXPECT_NEAR(got[s][i], want[s][i], tolerance * (1 + std::fabs(want[s][i]))) << what << " step " << s << " i " << i;
}

TEST(OptimizerExport, PyTorchMatchesTheTextbookFormulasAndTheTrainer) {
  if (std::system("python3 -c pass 2>/dev/null") != 0) GTEST_SKIP() << "python3 is not installed";
  for (const auto& name : seed_names()) expect_traces_near(pytorch_trace(seed_program(name), name), reference(name), 1e-12, name);
  expect_traces_near(pytorch_trace(reduction_rule(), "reduce"), stepper_trace(reduction_rule()), 1e-12, "reductions");
  expect_traces_near(pytorch_trace(guarded_rule(), "guarded"), stepper_trace(guarded_rule()), 1e-12, "guarded ops");
}

// A slot the rule writes but whose value never reaches the update is not in the export:
// no tensor is kept for it, and the steps are the trainer's.
TEST(OptimizerExport, PyTorchKeepsNoTensorForADeadSlot) {
  if (std::system("python3 -c pass 2>/dev/null") != 0) GTEST_SKIP() << "python3 is not installed";
  const Program dead_v = rule("m1 = interp(g, m, 0x1.ccccccccccccdp-1)\nv1 = square(g)\nu1 = mul(lr, m1)\n"
                              "output u = u1\nupdate m = m1\nupdate v = v1\n");
  const std::string source = render_pytorch(dead_v, {});
  EXPECT_NE(source.find("state[\"m\"]"), std::string::npos) << source;
  EXPECT_EQ(source.find("state[\"v\"]"), std::string::npos) << source;
  EXPECT_EQ(source.find("g * g"), std::string::npos) << source;
  expect_traces_near(pytorch_trace(dead_v, "dead_v"), stepper_trace(dead_v), 1e-12, "a dead slot");
}

// The C++ export compiled by the system compiler and stepped in float: the trainer's
// weights to float precision.
TEST(OptimizerExport, CppCompilesAndMatchesTheTrainer) {
  std::vector<Program> rules;
  for (const auto& name : seed_names()) rules.push_back(seed_program(name));
  rules.push_back(reduction_rule());
  rules.push_back(guarded_rule());
  for (const Program& r : rules) {
    const std::string source = render_cpp(r, {}) +
                               "extern \"C\" void step(std::size_t n, const float* g, float* w, float* m, float* v, "
                               "float lr, float t, float wd) { evo_update(n, g, w, m, v, lr, t, wd); }\n";
    const auto lib = native::compile(source);
    auto* step = lib->function<void(std::size_t, const float*, float*, float*, float*, float, float, float)>("step");
    std::vector<float> w(kN), m(kN, 0.0f), v(kN, 0.0f), g(kN);
    for (int i = 0; i < kN; ++i) w[i] = static_cast<float>(0.1 * i - 0.3);
    std::vector<std::vector<double>> trace;
    for (int s = 0; s < kSteps; ++s) {
      for (int i = 0; i < kN; ++i) g[i] = static_cast<float>(grad(s, i, w[i]));
      step(kN, g.data(), w.data(), m.data(), v.data(), static_cast<float>(kLr), static_cast<float>(s + 1),
           static_cast<float>(kWd));
      trace.emplace_back(w.begin(), w.end());
    }
    expect_traces_near(trace, stepper_trace(r), 2e-5, to_text(r));
  }
}

TEST(OptimizerTasks, GradientsMatchFiniteDifferences) {
  for (const std::string name : {"rosenbrock", "regression"}) {
    const auto task = make_task(name);
    std::vector<double> w = task->initial_weights(), g(w.size()), scratch(w.size());
    for (std::size_t i = 0; i < w.size(); ++i) w[i] += 0.01 * static_cast<double>(i);
    task->gradient(w, g, 3);
    for (std::size_t i = 0; i < w.size(); ++i) {
      const double h = 1e-6;
      std::vector<double> wp = w, wm = w;
      wp[i] += h, wm[i] -= h;
      const double fd = (task->gradient(wp, scratch, 3) - task->gradient(wm, scratch, 3)) / (2 * h);
      EXPECT_NEAR(g[i], fd, 1e-4 * (1 + std::fabs(fd))) << name << " " << i;
    }
  }
  EXPECT_THROW(make_task("imagenet"), InputError);
}

TEST(OptimizerTasks, TestSplitDiffersFromValidationWhereThereIsData) {
  const auto task = make_task("regression");
  const auto w = task->initial_weights();
  EXPECT_NE(task->validation_loss(w), task->test_loss(w));
}

}  // namespace
}  // namespace evo::optimizer
