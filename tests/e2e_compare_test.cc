// End-to-end tests of `evo compare`: runs side by side, the settings that differ, and the
// evaluations each run needed to reach a threshold.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/e2e_support.h"

namespace evo::test {
namespace {

using nlohmann::json;

void make_runs(const std::string& db) {
  for (const auto& [seed, max_ops] : {std::pair{"1", "10"}, std::pair{"2", "10"}, std::pair{"1", "12"}}) {
    const Result r = run_evo({"run", "--domain", "funcapprox", "--set", std::string("max_ops=") + max_ops, "--set",
                              "population=60", "--budget", "900", "--seed", seed, "--threads", "2", "--db", db, "-q"});
    ASSERT_EQ(r.code, 0) << r.err;
  }
}

// A run without a valid candidate has no best to take the threshold from: the table says so
// rather than leave the row out, and --threshold still gives one.
TEST(CompareCli, ARunWithoutAValidCandidateIsNamedAsWhyThereIsNoThreshold) {
  ScratchDir dir;
  const std::string db = dir.file("ext.db");
  ASSERT_EQ(run_evo({"run", "--domain", "external", "--set",
                     "command=python3 " EVO_SOURCE_DIR "/evaluators/external/example_evaluator.py", "--set",
                     "mode=server", "--set", "objectives=loss", "--budget", "60", "--db", db, "-q"}).code, 0);
  ASSERT_EQ(run_evo({"run", "--domain", "external", "--set", "command=exit 7", "--set", "objectives=loss", "--budget", "10", "--db", db,
                     "-q"}).code, 1);
  const Result table = run_evo({"compare", "--db", db, "--runs", "1,2"});
  ASSERT_EQ(table.code, 0) << table.err;
  EXPECT_NE(table.out.find("a run has no valid candidate, so no common threshold"), std::string::npos) << table.out;
  const Result given = run_evo({"compare", "--db", db, "--runs", "1,2", "--threshold", "1e9"});
  ASSERT_EQ(given.code, 0) << given.err;
  EXPECT_NE(given.out.find("evals to loss <= "), std::string::npos) << given.out;
  EXPECT_EQ(given.out.find("no common threshold"), std::string::npos) << given.out;
}

TEST(CompareCli, RunsSideBySideWithEvaluationsToTheWeakestBest) {
  ScratchDir dir;
  const std::string db = dir.file("c.db");
  make_runs(db);
  const Result r = run_evo({"compare", "--db", db, "--runs", "1,2,3", "--format", "json"});
  ASSERT_EQ(r.code, 0) << r.err;
  const json out = json::parse(r.out);
  ASSERT_EQ(out["runs"].size(), 3u);
  // Only max_ops differs among the settings (seeds are not settings).
  ASSERT_EQ(out["differing_settings"].size(), 1u) << out["differing_settings"].dump();
  EXPECT_EQ(out["differing_settings"]["max_ops"], json::array({"10", "10", "12"}));
  // The default threshold is the weakest run's best error, so every run reaches it; the
  // weakest reaches it with its best candidate.
  double weakest = 0;
  for (const auto& run : out["runs"]) weakest = std::max(weakest, run["best"]["error"].get<double>());
  EXPECT_EQ(out["threshold"]["objective"], "error");
  EXPECT_EQ(out["threshold"]["value"].get<double>(), weakest);
  for (const auto& run : out["runs"]) {
    ASSERT_FALSE(run["evaluations_to_threshold"].is_null()) << run.dump();
    EXPECT_LE(run["evaluations_to_threshold"].get<long>(), run["evaluations"].get<long>());
    const json best = json::parse(run_evo({"best", "--db", db, "--run", std::to_string(run["run"].get<int>()), "--format", "json"}).out);
    EXPECT_EQ(best[0]["objectives"]["error"], run["best"]["error"]);
    if (run["best"]["error"].get<double>() == weakest) {
      EXPECT_EQ(run["evaluations_to_threshold"].get<long>(), best[0]["birth"].get<long>() + 1);
    }
    EXPECT_GT(run["seconds"].get<double>(), 0);
  }

  const Result table = run_evo({"compare", "--db", db, "--runs", "1,3"});
  ASSERT_EQ(table.code, 0) << table.err;
  for (const char* text : {"run 1", "run 3", "settings that differ:", "max_ops", "best error (min)", "evals to error <= "})
    EXPECT_NE(table.out.find(text), std::string::npos) << text << " in\n" << table.out;

  // A threshold nobody reached.
  const json never = json::parse(run_evo({"compare", "--db", db, "--runs", "1,2", "--threshold", "1e-30", "--format", "json"}).out);
  for (const auto& run : never["runs"]) EXPECT_TRUE(run["evaluations_to_threshold"].is_null());
  EXPECT_NE(run_evo({"compare", "--db", db, "--runs", "1,2", "--threshold", "1e-30"}).out.find("never"), std::string::npos);
}

TEST(CompareCli, BadInputIsOneLineAndExitTwo) {
  ScratchDir dir;
  const std::string db = dir.file("c.db");
  const Result r = run_evo({"run", "--domain", "funcapprox", "--budget", "100", "--db", db, "-q"});
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string before = file_digest(db);
  expect_input_error({"compare", "--db", db});
  expect_input_error({"compare", "--db", db, "--runs", "1"});
  expect_input_error({"compare", "--db", db, "--runs", "1,1"});
  expect_input_error({"compare", "--db", db, "--runs", "1,x"});
  expect_input_error({"compare", "--db", db, "--runs", "1,9"});
  expect_input_error({"compare", "--db", db, "--runs", "1,2", "--threshold", "abc"});
  expect_input_error({"compare", "--db", db, "--runs", "1,2", "--format", "xml"});
  EXPECT_EQ(file_digest(db), before);
}

}  // namespace
}  // namespace evo::test
