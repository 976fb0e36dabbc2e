// End-to-end tests of `evo speed`: stored candidates compiled and timed as native code beside
// the library functions, through the real binary.
#include <gtest/gtest.h>

#include <algorithm>

#include <nlohmann/json.hpp>

#include "tests/e2e_support.h"

namespace evo::test {
namespace {

using nlohmann::json;

class SpeedCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new ScratchDir();
    const Result r = run_evo({"run", "--domain", "funcapprox", "--set", "target=exp", "--set", "interval=-1:1", "--set",
                              "precision=float32", "--set", "population=50", "--set", "fit=none", "--budget", "500",
                              "--seed", "3", "--threads", "1", "--db", db(), "-q", "--no-measure"});
    ASSERT_EQ(r.code, 0) << r.err;
  }
  static void TearDownTestSuite() { delete dir_; }
  static std::string db() { return dir_->file("speed.db"); }
  static ScratchDir* dir_;
};
ScratchDir* SpeedCli::dir_ = nullptr;

TEST_F(SpeedCli, TimesCandidatesBesideTheLibraryFunctions) {
  const Result r = run_evo({"speed", "--db", db(), "--candidate", "1", "--candidate", "2", "--rounds", "3", "--elements",
                            "1024", "--format", "json"});
  ASSERT_EQ(r.code, 0) << r.err;
  const json out = json::parse(r.out);
  EXPECT_EQ(out["value_type"], "float");
  EXPECT_NE(out["compiler"].get<std::string>().find("-O3"), std::string::npos);
  const auto& k = out["kernels"];
  ASSERT_GE(k.size(), 4u);  // two candidates, the minimax polynomial of equal cost, glibc's expf, ...
  EXPECT_EQ(k[0]["kernel"], "candidate 1");
  EXPECT_EQ(k[0]["baseline"], false);
  EXPECT_EQ(k[1]["kernel"], "candidate 2");
  // The cheapest start programs cost 1-3: the polynomial baseline is the minimax line or
  // parabola, never above the first candidate's cost.
  EXPECT_EQ(k[2]["kernel"].get<std::string>().rfind("minimax ", 0), 0u) << k[2].dump();
  EXPECT_EQ(k[2]["baseline"], true);
  EXPECT_EQ(k[3]["kernel"], "glibc expf (scalar loop)");
  EXPECT_EQ(k[3]["baseline"], true);
  for (const auto& x : k) {
    EXPECT_GT(x["ns_per_element"].get<double>(), 0) << x.dump();
    EXPECT_LE(x["q1_ns"].get<double>(), x["ns_per_element"].get<double>());
    EXPECT_EQ(x["rounds"], 3);
  }
  EXPECT_DOUBLE_EQ(k[0]["relative_to_first"].get<double>(), 1.0);
}

TEST_F(SpeedCli, TableAndNoBaselines) {
  const Result r = run_evo({"speed", "--db", db(), "--candidate", "1", "--rounds", "2", "--elements", "256", "--no-baselines"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("candidate 1"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("glibc"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("compiled with:"), std::string::npos) << r.out;
}

// A program file under a domain's settings: here a scaffolded e^x core, which is timed as the
// whole-range kernel beside the polynomial of at most its cost and the libraries.
TEST_F(SpeedCli, TimesAProgramFileUnderADomainsSettings) {
  const std::string file = dir_->file("core.txt");
  write_file(file, "input x\nc = const(0x1.5555555555555p-3)\nh2 = fma(c, x, 0.5)\nh1 = fma(h2, x, 1)\n"
                   "h0 = fma(h1, x, 1)\noutput y = h0\n");
  const Result r = run_evo({"speed", "--domain", "funcapprox", "--set", "scaffold=exp", "--set", "precision=float32",
                            "--program", file, "--rounds", "2", "--elements", "1000", "--format", "json"});
  ASSERT_EQ(r.code, 0) << r.err;
  const json out = json::parse(r.out);
  EXPECT_NE(out["timed"].get<std::string>().find("whole-range"), std::string::npos) << r.out;
  const auto& k = out["kernels"];
  ASSERT_GE(k.size(), 3u) << r.out;
  EXPECT_EQ(k[0]["kernel"], file);
  EXPECT_EQ(k[0]["baseline"], false);
  EXPECT_EQ(k[1]["kernel"], "minimax 3 (cost 6)") << k[1].dump();
  EXPECT_EQ(k[2]["kernel"], "glibc expf (scalar loop)");
}

TEST_F(SpeedCli, BadInputIsOneLineAndExitTwo) {
  const std::string file = dir_->file("line.txt");
  write_file(file, "input x\nh = fma(x, x, 1)\noutput y = h\n");
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"speed", "--db", db(), "--candidate", "999999"},
           {"speed", "--db", db()},
           {"speed", "--program", file},                                                    // no domain
           {"speed", "--domain", "funcapprox", "--program", dir_->file("missing.txt")},       // no such file
           {"speed", "--domain", "funcapprox", "--program", file, "--set", "colour=red"},    // no such setting
           {"speed", "--db", db(), "--candidate", "1", "--program", file},                  // both
           {"speed", "--db", db(), "--candidate", "1", "--set", "precision=float64"},       // settings of a candidate
           {"speed", "--db", db(), "--candidate", "1", "--rounds", "0"},
           {"speed", "--db", db(), "--candidate", "1", "--elements", "many"},
           {"speed", "--db", db(), "--candidate", "1", "--format", "xml"}}) {
    const Result r = run_evo(args);
    EXPECT_EQ(r.code, 2) << args[1] << " " << args[2] << " " << args[3] << "\n" << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  }
}

}  // namespace
}  // namespace evo::test
