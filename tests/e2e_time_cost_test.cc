// End-to-end: a float32 search whose cost is measured speed (cost=time), through the real
// binary, and the bad input it refuses.
#include <gtest/gtest.h>

#include <cmath>

#include <nlohmann/json.hpp>

#include "tests/e2e_support.h"

namespace evo::test {
namespace {

using nlohmann::json;

TEST(TimeCostCli, SearchTimesTheCandidatesWithinTheBoundAndRecordsHow) {
  ScratchDir dir;
  const std::string db = dir.file("t.db");
  const Result r = run_evo({"run", "--domain", "funcapprox", "--set", "precision=float32", "--set", "cost=time",
                            "--set", "error_bound=1e-3", "--set", "selection=nsga2", "--set", "population=64",
                            "--set", "max_ops=8", "--budget", "384", "--seed", "5", "--threads", "2", "--db", db, "-q",
                            "--no-measure"});
  ASSERT_EQ(r.code, 0) << r.err;

  const Result runs = run_evo({"runs", "--db", db, "--format", "json"});
  ASSERT_EQ(runs.code, 0) << runs.err;
  const json run = json::parse(runs.out)[0];
  ASSERT_EQ(run["objectives"].size(), 4u);
  EXPECT_EQ(run["objectives"][1]["name"], "time");
  EXPECT_NE(run["objectives"][1]["help"].get<std::string>().find("-O3 -march=native"), std::string::npos);
  EXPECT_EQ(run["objectives"][3]["steers"], false);

  // Every valid candidate is either timed (error within the bound) or not (null).
  const Result best = run_evo({"best", "--db", db, "--run", "1", "--top", "400", "--format", "json"});
  ASSERT_EQ(best.code, 0) << best.err;
  int timed = 0, untimed = 0;
  for (const auto& c : json::parse(best.out)) {
    const auto& o = c["objectives"];
    const bool within = o["error"].get<double>() <= 1e-3;
    EXPECT_EQ(o["time"].is_number(), within) << c.dump();
    EXPECT_EQ(o["ns"].is_number(), within) << c.dump();
    if (within) {
      ++timed;
      EXPECT_GT(o["time"].get<double>(), 0);
      EXPECT_GT(o["ns"].get<double>(), 0);
    } else {
      ++untimed;
      EXPECT_TRUE(o["time"].is_null());
    }
  }
  EXPECT_GT(timed, 0);
  EXPECT_GT(untimed, 0);

  // The front is over error and time: every member timed (some program meets the bound).
  const Result front = run_evo({"pareto", "--db", db, "--run", "1", "--format", "json"});
  ASSERT_EQ(front.code, 0) << front.err;
  for (const auto& c : json::parse(front.out)) EXPECT_TRUE(c["objectives"]["time"].is_number()) << c.dump();
}

TEST(TimeCostCli, BadSettingsAreOneLineAndExitTwo) {
  ScratchDir dir;
  const std::string db = dir.file("t.db");
  for (const auto& bad : std::vector<std::vector<std::string>>{{"cost=time", "precision=real"},
                                                               {"cost=time", "error_bound=-1"},
                                                               {"cost=fast"},
                                                               // Settings that would change nothing.
                                                               {"error_bound=1e-3"},
                                                               {"measure_interval=0:1"},
                                                               {"precision=float32", "measure_interval=5:6"},
                                                               {"argument_rounding=ignore"},
                                                               {"scaffold=exp", "precision=real", "argument_rounding=ignore"}}) {
    std::vector<std::string> args = {"run", "--domain", "funcapprox", "--budget", "10", "--db", db};
    for (const auto& s : bad) {
      args.push_back("--set");
      args.push_back(s);
    }
    const Result r = run_evo(args);
    EXPECT_EQ(r.code, 2) << bad[0];
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_FALSE(file_exists(db)) << "a refused run must not create the database";
  }
}

}  // namespace
}  // namespace evo::test
