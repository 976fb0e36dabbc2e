// The optimizer domain through the real `evo` binary: a short seeded search from AdamW,
// the same candidates for 1 and 2 threads, export as C++, and bad settings.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/e2e_support.h"

namespace evo::test {
namespace {

using json = nlohmann::json;

std::vector<std::string> run_args(const std::string& db, int threads) {
  return {"run", "--domain", "optimizer", "--budget", "300", "--seed", "3", "--threads", std::to_string(threads),
          "--db", db, "-q"};
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

  const std::string id = std::to_string(top[0]["candidate"].get<long long>());
  const Result cpp = run_evo({"export", "--db", db1, "--candidate", id, "--lang", "cpp"});
  ASSERT_EQ(cpp.code, 0) << cpp.err;
  EXPECT_NE(cpp.out.find("inline void evo_update("), std::string::npos) << cpp.out;
}

TEST(EvoOptimizer, BadSettingsAreOneLineAndExitTwo) {
  ScratchDir dir;
  for (const auto& set : {"tasks=imagenet", "lr_grid=0.1,-1", "seed_program=rmsprop", "wd=2"}) {
    const Result r = run_evo({"run", "--domain", "optimizer", "--set", set, "--budget", "10", "--db", dir.file("x.db")});
    EXPECT_EQ(r.code, 2) << set << ": " << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_FALSE(file_exists(dir.file("x.db"))) << set;
  }
}

}  // namespace
}  // namespace evo::test
