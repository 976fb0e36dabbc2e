// End-to-end tests of the expensive checks: a float32 run measures its final Pareto front on
// every float of the interval, stores it, and `evo measure` reads or redoes it.
#include <gtest/gtest.h>

#include <algorithm>

#include <nlohmann/json.hpp>

#include "tests/e2e_support.h"

namespace evo::test {
namespace {

using nlohmann::json;

std::vector<std::string> float32_run(const std::string& db) {
  // [1, 2] holds 2^23 + 1 floats: exhaustive checks take a fraction of a second.
  return {"run",    "--domain", "funcapprox", "--set", "target=exp2", "--set", "interval=1:2", "--set",
          "precision=float32", "--set", "population=50", "--set", "fit=none", "--budget", "400",
          "--seed", "5", "--threads", "2", "--db", db, "-q"};
}

TEST(MeasureCli, AFloat32RunChecksItsFrontOnEveryInput) {
  ScratchDir dir;
  const std::string db = dir.file("m.db");
  const Result run = run_evo(float32_run(db));
  ASSERT_EQ(run.code, 0) << run.err;
  EXPECT_NE(run.out.find("ulp_exhaustive"), std::string::npos) << run.out;

  const Result stored = run_evo({"measure", "--db", db, "--run", "1", "--format", "json"});
  ASSERT_EQ(stored.code, 0) << stored.err;
  const json front = json::parse(stored.out);
  const json pareto = json::parse(run_evo({"pareto", "--db", db, "--run", "1", "--format", "json"}).out);
  ASSERT_EQ(front.size(), pareto.size());
  for (std::size_t i = 0; i < front.size(); ++i) {
    EXPECT_EQ(front[i]["candidate"], pareto[i]["candidate"]);
    const auto& m = front[i]["measurements"]["ulp_exhaustive"];
    EXPECT_EQ(m["detail"]["inputs"], (1 << 23) + 1);
    // A float32 error e relative is at least e * 2^23 ULPs somewhere near the worst grid point
    // (the grid is a subset of every float), and an error of 0 is impossible for these programs.
    const double rel = front[i]["objectives"]["error"].get<double>();
    EXPECT_GE(m["value"].get<double>(), rel * 0x1p23 * 0.999) << m.dump();
  }

  // Measuring again gives the same numbers: the check is deterministic.
  const json again = json::parse(run_evo({"measure", "--db", db, "--run", "1", "--again", "--format", "json"}).out);
  ASSERT_EQ(again.size(), front.size());
  for (std::size_t i = 0; i < front.size(); ++i)
    EXPECT_EQ(again[i]["measurements"]["ulp_exhaustive"]["value"], front[i]["measurements"]["ulp_exhaustive"]["value"]);

  const std::string first = std::to_string(front[0]["candidate"].get<long long>());
  const Result table = run_evo({"measure", "--db", db, "--candidate", first});
  ASSERT_EQ(table.code, 0) << table.err;
  EXPECT_NE(table.out.find("ulp_exhaustive"), std::string::npos);

  // evo eval --measure runs the same check, without storing it.
  const Result ev = run_evo({"eval", "--db", db, "--candidate", first, "--measure", "--format", "json"});
  ASSERT_EQ(ev.code, 0) << ev.err;
  EXPECT_EQ(json::parse(ev.out)["measurements"]["ulp_exhaustive"]["value"], front[0]["measurements"]["ulp_exhaustive"]["value"]);
  const Result ev_table = run_evo({"eval", "--db", db, "--candidate", first, "--measure"});
  ASSERT_EQ(ev_table.code, 0) << ev_table.err;
  EXPECT_NE(ev_table.out.find("ulp_exhaustive"), std::string::npos) << ev_table.out;
  // In precision=real nothing is measured: one line, exit 2.
  const Result real = run_evo({"eval", "--db", db, "--candidate", first, "--set", "precision=real", "--measure"});
  EXPECT_EQ(real.code, 2) << real.out;
  EXPECT_EQ(std::count(real.err.begin(), real.err.end(), '\n'), 1) << real.err;
}

TEST(MeasureCli, WithAScaffoldTheWholeRangeFunctionIsChecked) {
  ScratchDir dir;
  const std::string db = dir.file("s.db");
  // measure_interval keeps the test fast; by default the check covers every finite float.
  const Result run = run_evo({"run", "--domain", "funcapprox", "--set", "scaffold=exp", "--set", "precision=float32",
                              "--set", "measure_interval=0.5:1", "--set", "population=50", "--set", "fit=none",
                              "--budget", "300", "--seed", "2", "--threads", "2", "--db", db, "-q"});
  ASSERT_EQ(run.code, 0) << run.err;
  // The run's settings say what the core was searched on: e^r on [-ln2/2, ln2/2].
  const json runs = json::parse(run_evo({"runs", "--db", db, "--format", "json"}).out);
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0]["settings"]["target"], "exp");
  EXPECT_EQ(runs[0]["settings"]["interval"], "-0.34657359027997264:0.34657359027997264");
  const json front = json::parse(run_evo({"measure", "--db", db, "--run", "1", "--format", "json"}).out);
  ASSERT_FALSE(front.empty());
  for (const auto& c : front) {
    const auto& d = c["measurements"]["ulp_exhaustive"]["detail"];
    EXPECT_EQ(d["function"], "exp");  // the whole-range function, not the core's e^r
    EXPECT_EQ(d["from"], 0.5);
    EXPECT_EQ(d["to"], 1.0);
    EXPECT_EQ(d["inputs"], (1 << 23) + 1);
  }
  const Result speed = run_evo({"speed", "--db", db, "--candidate", std::to_string(front[0]["candidate"].get<long long>()),
                                "--rounds", "2", "--elements", "512", "--format", "json"});
  ASSERT_EQ(speed.code, 0) << speed.err;
  EXPECT_NE(json::parse(speed.out)["timed"].get<std::string>().find("whole-range"), std::string::npos) << speed.out;
}

// A setting the scaffold replaces is refused when typed, not ignored; nothing is written.
TEST(MeasureCli, ATypedIntervalOrTargetTheScaffoldReplacesIsRefused) {
  ScratchDir dir;
  const std::string db = dir.file("r.db");
  expect_input_error({"run", "--domain", "funcapprox", "--set", "scaffold=exp", "--set", "interval=0:1", "--db", db});
  expect_input_error({"run", "--domain", "funcapprox", "--set", "scaffold=log2", "--set", "target=exp2", "--db", db});
  expect_input_error({"baselines", "--domain", "funcapprox", "--set", "scaffold=exp", "--set", "interval=0:1"});
  EXPECT_FALSE(file_exists(db));
}

TEST(MeasureCli, NoMeasureSkipsTheCheck) {
  ScratchDir dir;
  auto args = float32_run(dir.file("n.db"));
  args.push_back("--no-measure");
  const Result run = run_evo(args);
  ASSERT_EQ(run.code, 0) << run.err;
  EXPECT_EQ(run.out.find("ulp_exhaustive"), std::string::npos) << run.out;
}

TEST(MeasureCli, BadInputLeavesTheDatabaseAlone) {
  ScratchDir dir;
  const std::string db = dir.file("b.db");
  ASSERT_EQ(run_evo({"run", "--domain", "funcapprox", "--set", "population=20", "--budget", "100", "--db", db, "-q"}).code, 0);
  const std::string before = file_digest(db);
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"measure", "--db", db, "--run", "1"},  // float64: nothing to measure
           {"measure", "--db", db, "--run", "7"},
           {"measure", "--db", db},
           {"measure", "--db", db, "--run", "1", "--candidate", "1"},
           {"measure", "--db", db, "--candidate", "x"}}) {
    const Result r = run_evo(args);
    EXPECT_EQ(r.code, 2) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  }
  EXPECT_EQ(file_digest(db), before);
}

}  // namespace
}  // namespace evo::test
