// End-to-end: `evo baselines` prints the Taylor and minimax polynomials of a funcapprox
// domain, scored like candidates, as a table or as JSON; bad input exits 2 with one line.
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/e2e_runs.h"
#include "tests/e2e_support.h"

namespace evo::test {
namespace {

const Args kExp2 = {"baselines", "--domain", "funcapprox", "--set", "target=exp2", "--set", "interval=0:1",
                    "--set", "precision=real"};

Args with(Args args, const Args& more) {
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

TEST(EvoBaselines, TablePutsTaylorAndMinimaxSideBySidePerDegree) {
  const Args args = with(kExp2, {"--degrees", "3:5"});
  const Result r = run_evo(args);
  ASSERT_EQ(r.code, 0) << describe(args, r);
  EXPECT_TRUE(r.err.empty()) << describe(args, r);
  std::istringstream in(r.out);
  std::string line;
  std::getline(in, line);
  EXPECT_NE(line.find("exp2 on [0, 1], real"), std::string::npos) << line;
  std::getline(in, line);
  for (const char* column : {"degree", "taylor error", "taylor cost", "minimax error", "minimax cost"})
    EXPECT_NE(line.find(column), std::string::npos) << column << " missing from: " << line;
  // degree, taylor error, taylor cost, minimax error, minimax cost
  const double published[] = {7.5e-5, 2.6e-6, 7.5e-8};
  for (int degree = 3; degree <= 5; ++degree) {
    ASSERT_TRUE(std::getline(in, line)) << r.out;
    std::istringstream row(line);
    int d = 0;
    double taylor_error = 0, taylor_cost = 0, minimax_error = 0, minimax_cost = 0;
    row >> d >> taylor_error >> taylor_cost >> minimax_error >> minimax_cost;
    ASSERT_FALSE(row.fail()) << line;
    EXPECT_EQ(d, degree);
    EXPECT_EQ(taylor_cost, 2.0 * degree);
    EXPECT_EQ(minimax_cost, 2.0 * degree);
    EXPECT_NEAR(minimax_error, published[degree - 3], 0.1 * published[degree - 3]) << line;
    EXPECT_GT(taylor_error, 5 * minimax_error) << line;
  }
  EXPECT_FALSE(std::getline(in, line)) << "unexpected extra line: " << line;
}

// With --run, the run's best has no degree: it is a line of its own under the table.
TEST(EvoBaselines, TheRunsBestIsALineOfItsOwn) {
  ScratchDir dir;
  const std::string db = dir.file("r.db");
  ASSERT_EQ(run_evo({"run", "--domain", "funcapprox", "--set", "population=40", "--budget", "200", "--db", db, "-q",
                     "--no-measure"}).code, 0);
  const Result r = run_evo({"baselines", "--domain", "funcapprox", "--degrees", "2:3", "--db", db, "--run", "1"});
  ASSERT_EQ(r.code, 0) << r.err;
  std::istringstream in(r.out);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), 5u) << r.out;  // the title, the header, degrees 2 and 3, the run's best
  EXPECT_EQ(lines[1].find("evo"), std::string::npos) << r.out;
  EXPECT_EQ(lines[2].rfind("2 ", 0), 0u) << r.out;
  EXPECT_EQ(lines[4].rfind("evo run 1 (candidate ", 0), 0u) << r.out;
  EXPECT_NE(lines[4].find(": error "), std::string::npos) << r.out;
  EXPECT_NE(lines[4].find(", cost "), std::string::npos) << r.out;
}

// With --run, the run's problem is scored: its settings, not the defaults, so the run's best
// gets the error the run stored, and --domain may be left out.
TEST(EvoBaselines, TheRunsBestIsScoredUnderTheRunsSettings) {
  ScratchDir dir;
  const std::string db = dir.file("exp.db");
  ASSERT_EQ(run_evo({"run", "--domain", "funcapprox", "--set", "target=exp", "--set", "interval=1:1.01", "--set",
                     "population=40", "--budget", "200", "--db", db, "-q", "--no-measure"}).code, 0);
  const double stored = run_entry(db)["best"]["error"].get<double>();
  const Args args = {"baselines", "--degrees", "2", "--db", db, "--run", "1", "--format", "json"};
  const nlohmann::json j = ok_json(args);
  ASSERT_TRUE(j.is_array() && !j.empty()) << j.dump(2);
  const nlohmann::json& best = j.back();
  EXPECT_EQ(best["family"], "evo") << best.dump();
  EXPECT_NEAR(best["error"].get<double>(), stored, 1e-9 * stored) << best.dump();
  // A domain other than the run's is refused, not used.
  expect_input_error({"baselines", "--domain", "optimizer", "--db", db, "--run", "1"});
}

TEST(EvoBaselines, JsonHasOneObjectPerBaselineWithItsProgram) {
  const Args args = with(kExp2, {"--degrees", "2:3", "--format", "json"});
  const Result r = run_evo(args);
  ASSERT_EQ(r.code, 0) << describe(args, r);
  const nlohmann::json j = nlohmann::json::parse(r.out);
  ASSERT_TRUE(j.is_array());
  ASSERT_EQ(j.size(), 4u) << j.dump(2);
  int minimax = 0, taylor = 0;
  for (const auto& b : j) {
    for (const char* key : {"family", "degree", "cost", "error", "program", "name", "valid"})
      EXPECT_TRUE(b.contains(key)) << key << " missing: " << b.dump();
    const int degree = b["degree"];
    EXPECT_TRUE(degree == 2 || degree == 3) << b.dump();
    EXPECT_EQ(b["cost"].get<double>(), 2.0 * degree);
    EXPECT_TRUE(b["valid"].get<bool>());
    EXPECT_GT(b["error"].get<double>(), 0.0);
    const std::string program = b["program"];
    EXPECT_EQ(program.rfind("input x\n", 0), 0u) << program;
    EXPECT_NE(program.find("output y = "), std::string::npos) << program;
    (b["family"] == "minimax" ? minimax : taylor) += 1;
  }
  EXPECT_EQ(minimax, 2);
  EXPECT_EQ(taylor, 2);

  // The program text is a program `evo eval` scores to the same error.
  ScratchDir dir;
  const std::string file = dir.file("minimax3.txt");
  for (const auto& b : j)
    if (b["family"] == "minimax" && b["degree"] == 3) write_file(file, b["program"]);
  const Args eval = {"eval", "--domain", "funcapprox", "--set", "target=exp2", "--set", "precision=real",
                     "--program", file, "--format", "json"};
  const Result e = run_evo(eval);
  ASSERT_EQ(e.code, 0) << describe(eval, e);
  const double error = nlohmann::json::parse(e.out)["objectives"]["error"];
  for (const auto& b : j) {
    if (b["family"] != "minimax" || b["degree"] != 3) continue;
    EXPECT_EQ(b["error"].get<double>(), error);
  }
}

TEST(EvoBaselines, MeasureChecksEachBaselineOnEveryInput) {
  // [1, 2] holds 2^23 + 1 floats: the exhaustive check takes a fraction of a second.
  const Args args = {"baselines", "--domain", "funcapprox", "--set", "target=exp2", "--set", "interval=1:2",
                     "--set", "precision=float32", "--set", "error=ulp", "--degrees", "3:4", "--measure",
                     "--format", "json"};
  const Result r = run_evo(args);
  ASSERT_EQ(r.code, 0) << describe(args, r);
  const nlohmann::json j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j.size(), 4u) << j.dump(2);
  for (const auto& b : j) {
    ASSERT_TRUE(b.contains("measurements")) << b.dump();
    const auto& m = b["measurements"]["ulp_exhaustive"];
    EXPECT_EQ(m["detail"]["inputs"], (1 << 23) + 1) << b.dump();
    // The grid's points are floats of the interval, so every float's worst is no better.
    EXPECT_GE(m["value"].get<double>(), 0.999 * b["error"].get<double>()) << b.dump();
  }
  // The same numbers in the table, one more column per family.
  const Args table(args.begin(), args.end() - 2);
  const Result t = run_evo(table);
  ASSERT_EQ(t.code, 0) << describe(table, t);
  EXPECT_NE(t.out.find("minimax ulp_exhaustive"), std::string::npos) << t.out;
  EXPECT_NE(t.out.find("taylor ulp_exhaustive"), std::string::npos) << t.out;
}

TEST(EvoBaselines, HelpNamesTheOptions) {
  const Result r = run_evo({"baselines", "--help"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("evo baselines"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("--degrees"), std::string::npos) << r.out;
}

TEST(EvoBaselines, BadInputExitsTwoWithOneLine) {
  const std::vector<Args> bad = {
      with(kExp2, {"--degrees", "5:2"}),   with(kExp2, {"--degrees", "0"}),
      with(kExp2, {"--degrees", "abc"}),   with(kExp2, {"--degrees", "1:21"}),
      with(kExp2, {"--degrees", "3:x"}),   with(kExp2, {"--format", "xml"}),
      with(kExp2, {"--set", "colour=red"}), {"baselines", "--domain", "nosuch"},
      with(kExp2, {"--measure"}),  // precision=real makes no measurements
      {"baselines"},
  };
  for (const auto& args : bad) {
    const Result r = run_evo(args);
    EXPECT_EQ(r.code, 2) << describe(args, r);
    EXPECT_TRUE(r.out.empty()) << describe(args, r);
    ASSERT_FALSE(r.err.empty()) << describe(args, r);
    EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << "not one line:\n" << describe(args, r);
  }
}

}  // namespace
}  // namespace evo::test
