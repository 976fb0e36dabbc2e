// cost=time: the funnel (only programs within the error bound are timed) and the timing
// of a batch against the reference polynomial.
#include <gtest/gtest.h>

#include <cmath>

#include "evaluators/registry.h"
#include "search/errors.h"
#include "search/program_text.h"

namespace evo {
namespace {

std::unique_ptr<Domain> timed(std::map<std::string, std::string> s) {
  s.emplace("cost", "time");
  s.emplace("precision", "float32");
  return make_domain("funcapprox", s);
}

// y = (x + 1) / c1 / c2 ...: `divs` dependent divisions by constants that are not powers
// of two, which the compiler must keep as divisions.
Program division_chain(const Domain& d, int divs) {
  std::string text = "input x\nr1 = add(x, 0x1p+0)\n";
  for (int k = 0; k < divs; ++k) {
    const std::string dst = std::to_string(k + 2), src = std::to_string(k + 1);
    text.append("r").append(dst).append(" = div(r").append(src).append(", ").append(hex_double(1.5 + k)).append(")\n");
  }
  text.append("output y = r").append(std::to_string(divs + 1)).append("\n");
  return parse_program(text, d.signature());
}

}  // namespace

TEST(TimeCost, ObjectivesSayWhatSteersAndWhatIsMeasured) {
  const auto d = timed({});
  const auto o = d->objectives();
  ASSERT_EQ(o.size(), 4u);
  EXPECT_EQ(o[0].name, "error");
  EXPECT_EQ(o[1].name, "time");
  EXPECT_TRUE(o[1].steers && o[1].measured && o[1].functional);
  EXPECT_EQ(o[2].name, "ns");
  EXPECT_FALSE(o[2].steers);
  EXPECT_EQ(o[3].name, "cost");
  EXPECT_FALSE(o[3].steers);
  EXPECT_FALSE(o[3].functional);
  EXPECT_NE(o[1].help.find("-march=native"), std::string::npos) << o[1].help;  // flags recorded with the run
  // Cached results of an op-cost run must never answer a timed one.
  EXPECT_NE(d->fingerprint(), make_domain("funcapprox", {{"precision", "float32"}})->fingerprint());
}

TEST(TimeCost, RejectsWhatCannotBeTimed) {
  EXPECT_THROW(timed({{"precision", "real"}}), InputError);
  EXPECT_THROW(timed({{"error_bound", "0"}}), InputError);
  EXPECT_THROW(timed({{"error_bound", "many"}}), InputError);
}

TEST(TimeCost, OnlyProgramsWithinTheBoundAreTimed) {
  const auto d = timed({{"error_bound", "1e-5"}});
  const Program identity = parse_program("input x\noutput y = x\n", d->signature());
  Program minimax;
  for (const auto& b : d->baselines(5, 5))
    if (b.family == "minimax") minimax = b.program;
  std::vector<Evaluation> ev = {d->evaluate(identity), d->evaluate(minimax)};
  ASSERT_TRUE(ev[0].valid && ev[1].valid);
  ASSERT_EQ(ev[0].values.size(), 3u);
  EXPECT_TRUE(std::isinf(ev[0].values[1]));  // error ~0.5 > bound: never timed
  EXPECT_TRUE(std::isnan(ev[1].values[1]));  // within the bound: waits for the batch stage
  const std::vector<const Program*> programs = {&identity, &minimax};
  d->evaluate_together(programs, ev);
  EXPECT_TRUE(std::isinf(ev[0].values[1]));
  EXPECT_TRUE(std::isinf(ev[0].values[2]));
  // The minimax polynomial is the reference itself, timed in the same run: a finite ratio.
  // (How near 1 it comes depends on how busy the machine is; bench/ reports such figures.)
  EXPECT_TRUE(std::isfinite(ev[1].values[1]));
  EXPECT_GT(ev[1].values[1], 0.0);
  EXPECT_GT(ev[1].values[2], 0.0);
}

TEST(TimeCost, SlowerKernelsGetLargerTimes) {
  const auto d = timed({{"error_bound", "1e30"}, {"max_ops", "40"}});  // everything is timed
  const Program identity = parse_program("input x\noutput y = x\n", d->signature());
  const Program chain = division_chain(*d, 24);
  std::vector<Evaluation> ev = {d->evaluate(identity), d->evaluate(chain)};
  ASSERT_TRUE(ev[0].valid && ev[1].valid) << ev[1].reason;
  d->evaluate_together(std::vector<const Program*>{&identity, &chain}, ev);
  // 24 dependent divisions against a copy: far apart on any machine, however noisy.
  EXPECT_GT(ev[1].values[1], 3 * ev[0].values[1]);
  EXPECT_GT(ev[1].values[2], 3 * ev[0].values[2]);
}

}  // namespace evo
