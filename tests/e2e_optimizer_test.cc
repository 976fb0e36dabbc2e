// The optimizer domain through the real `evo` binary: a short seeded search from AdamW with
// a second stage, the same candidates for 1 and 2 threads, the second fidelity recorded,
// `evo eval` with the test split, export as C++ and PyTorch, and bad settings.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/e2e_runs.h"
#include "tests/e2e_support.h"

namespace evo::test {
namespace {

using json = nlohmann::json;

std::vector<std::string> run_args(const std::string& db, int threads) {
  return {"run", "--domain", "optimizer", "--budget", "300", "--seed", "3", "--threads", std::to_string(threads),
          "--db", db, "-q", "--set", "tasks=quadratic,rosenbrock,regression", "--set", "funnel_tasks=fmnist_logreg",
          "--set", "funnel_lr_grid=0.003,0.03", "--set", "funnel_hurdle=1"};
}

TEST(EvoOptimizer, SearchFromAdamWStoresRulesAndExportsThem) {
  ScratchDir dir;
  const std::string db1 = dir.file("one.db"), db2 = dir.file("two.db");
  const Result one = run_evo(run_args(db1, 1));
  ASSERT_EQ(one.code, 0) << one.err;
  const Result two = run_evo(run_args(db2, 2));
  ASSERT_EQ(two.code, 0) << two.err;

  const Result best1 = run_evo({"best", "--db", db1, "--top", "50", "--format", "json"});
  const Result best2 = run_evo({"best", "--db", db2, "--top", "50", "--format", "json"});
  ASSERT_EQ(best1.code, 0) << best1.err;
  EXPECT_EQ(best1.out, best2.out);  // same seed, same candidates, any thread count
  const json top = json::parse(best1.out);
  ASSERT_FALSE(top.empty());
  // The start population is AdamW, whose fitness is 1 by definition: the best is no worse.
  const double fitness = top[0]["objectives"]["fitness"].get<double>();
  EXPECT_LE(fitness, 1.0);
  EXPECT_GT(fitness, 0.0);

  // Rules that cleared the hurdle carry the second fidelity; the rest have none.
  int second = 0;
  for (const auto& c : top) {
    const auto& o = c["objectives"];
    const bool cleared = o["fitness"].get<double>() <= 1.0;
    EXPECT_EQ(o.contains("funnel") && !o["funnel"].is_null(), cleared) << c.dump();
    second += cleared;
  }
  EXPECT_GT(second, 0);
  const Result by_funnel = run_evo({"best", "--db", db1, "--objective", "funnel", "--format", "json"});
  ASSERT_EQ(by_funnel.code, 0) << by_funnel.err;
  EXPECT_FALSE(json::parse(by_funnel.out)[0]["objectives"]["funnel"].is_null());

  const std::string id = std::to_string(top[0]["candidate"].get<long long>());
  const Result cpp = run_evo({"export", "--db", db1, "--candidate", id, "--lang", "cpp"});
  ASSERT_EQ(cpp.code, 0) << cpp.err;
  EXPECT_NE(cpp.out.find("inline void evo_update("), std::string::npos) << cpp.out;
  const Result py = run_evo({"export", "--db", db1, "--candidate", id, "--lang", "pytorch"});
  ASSERT_EQ(py.code, 0) << py.err;
  EXPECT_NE(py.out.find("class EvoOptimizer(torch.optim.Optimizer):"), std::string::npos) << py.out;

  // Native update speed: compiled and timed beside AdamW in the same rounds.
  const Result speed = run_evo({"measure", "--db", db1, "--candidate", id, "--format", "json"});
  ASSERT_EQ(speed.code, 0) << speed.err;
  const json ns = json::parse(speed.out)[0]["measurements"]["ns_per_param"];
  EXPECT_GT(ns["value"].get<double>(), 0.0) << speed.out;
  EXPECT_GT(ns["detail"]["adamw_ratio"].get<double>(), 0.0) << speed.out;
  EXPECT_GT(ns["detail"]["adamw_ns"].get<double>(), 0.0) << speed.out;

  // evo eval: per task, validation and test beside AdamW's, the second stage included.
  const Result ev = run_evo({"eval", "--db", db1, "--candidate", id, "--format", "json"});
  ASSERT_EQ(ev.code, 0) << ev.err;
  const json report = json::parse(ev.out)["report"];
  ASSERT_EQ(report.size(), 4u) << ev.out;
  EXPECT_EQ(report[3]["part"], "fmnist_logreg (funnel)");
  for (const auto& row : report) {
    EXPECT_TRUE(row["test_loss"].is_number()) << row.dump();
    EXPECT_TRUE(row["adamw_test"].is_number()) << row.dump();
  }

  // evo simplify: AdamW with wd=0 has at least its weight-decay term to lose. The result is
  // a new candidate in a run of its own, linked to the original, within the tolerance.
  const std::string before = file_digest(db1);
  const Result bad = run_evo({"simplify", "--db", db1, "--candidate", id, "--tolerance", "-1"});
  EXPECT_EQ(bad.code, 2) << bad.err;
  EXPECT_EQ(run_evo({"simplify", "--db", db1, "--candidate", "999999"}).code, 2);
  EXPECT_EQ(file_digest(db1), before);  // bad input changes nothing
  const Result simple = run_evo({"simplify", "--db", db1, "--candidate", id, "--format", "json"});
  ASSERT_EQ(simple.code, 0) << simple.err;
  const json s = json::parse(simple.out);
  EXPECT_LT(s["ops_after"].get<int>(), s["ops_before"].get<int>()) << simple.out;
  EXPECT_LE(s["after"].get<double>(), 1.01 * s["before"].get<double>()) << simple.out;
  const std::string new_id = std::to_string(s["candidate"].get<long long>());
  const Result shown = run_evo({"show", "--db", db1, "--candidate", new_id, "--format", "json"});
  ASSERT_EQ(shown.code, 0) << shown.err;
  const json c = json::parse(shown.out);
  EXPECT_EQ(c["parent"].get<long long>(), top[0]["candidate"].get<long long>());
  EXPECT_EQ(c["mutation"], "simplify");
  EXPECT_NE(c["run"], top[0]["run"]);
  EXPECT_EQ(c["objectives"]["fitness"].get<double>(), s["after"].get<double>());
  // Simplified again (tolerance 0) until nothing is left to remove: that last call says so
  // and writes nothing.
  std::string current = new_id;
  bool settled = false;
  for (int round = 0; round < 20 && !settled; ++round) {
    const std::size_t runs_before = runs_json(db1).size();
    const Result again = run_evo({"simplify", "--db", db1, "--candidate", current, "--tolerance", "0", "--format", "json"});
    ASSERT_EQ(again.code, 0) << again.err;
    const json a = json::parse(again.out);
    settled = a["unchanged"].get<bool>();
    if (settled) {
      EXPECT_EQ(std::to_string(a["candidate"].get<long long>()), current);
      EXPECT_EQ(runs_json(db1).size(), runs_before) << "nothing removed, yet a run was written";
    } else {
      EXPECT_EQ(runs_json(db1).size(), runs_before + 1);
      current = std::to_string(a["candidate"].get<long long>());
    }
  }
  EXPECT_TRUE(settled);
  // A simplify run is not a search to go on with.
  const Result resumed = run_evo({"resume", "--db", db1, "--run", std::to_string(c["run"].get<long long>()), "-q"});
  EXPECT_EQ(resumed.code, 2) << resumed.err;
  EXPECT_NE(resumed.err.find("nothing to resume"), std::string::npos) << resumed.err;
  // The searched run is as the search left it.
  EXPECT_EQ(run_evo({"best", "--db", db1, "--run", "1", "--top", "50", "--format", "json"}).out, best1.out);
}

TEST(EvoOptimizer, BadSettingsAreOneLineAndExitTwo) {
  ScratchDir dir;
  for (const auto& set : {"tasks=imagenet", "lr_grid=0.1,-1", "seed_program=rmsprop", "wd=2", "funnel_tasks=mnist",
                          "funnel_hurdle=-1", "funnel_lr_grid=0"}) {
    const Result r = run_evo({"run", "--domain", "optimizer", "--set", set, "--budget", "10", "--db", dir.file("x.db")});
    EXPECT_EQ(r.code, 2) << set << ": " << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_FALSE(file_exists(dir.file("x.db"))) << set;
  }
}

}  // namespace
}  // namespace evo::test
