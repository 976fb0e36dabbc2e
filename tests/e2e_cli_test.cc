// End-to-end tests: drive the real `evo` binary through every subcommand and check its
// output, its exit codes, what it leaves in the database, and the rules of DESIGN.md:
// determinism across threads and across interrupt + resume, crash safety under kill -9,
// and clear failure (exit 2, one line on stderr, database untouched) on bad input.
//
// Runs are kept small (population 100, a few thousand candidates) so the whole file takes
// a few seconds on two cores.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>
#include <SQLiteCpp/SQLiteCpp.h>

#include "store/database.h"
#include "store/queries.h"
#include "store/runs.h"
#include "tests/e2e_runs.h"
#include "tests/e2e_support.h"

namespace evo::test {
namespace {

using nlohmann::json;

constexpr int kBudget = 2000;  // the fixture run



// Copies a database (and its WAL, should one be left) to a new path.
void copy_db(const std::string& from, const std::string& to) {
  write_file(to, read_file(from));
  if (file_exists(from + "-wal")) write_file(to + "-wal", read_file(from + "-wal"));
}

std::optional<double> objective(const CandidateRow& c, const std::string& name) {
  for (const auto& [n, v] : c.objectives)
    if (n == name) return v;
  return std::nullopt;
}


// Bad input: exit 2, exactly one non-empty line on stderr, nothing on stdout.
void expect_input_error(const Args& args, const std::string& must_mention = "") {
  const Result r = run_evo(args);
  EXPECT_EQ(r.code, 2) << describe(args, r);
  EXPECT_TRUE(r.out.empty()) << describe(args, r);
  ASSERT_GT(r.err.size(), 1u) << describe(args, r);
  EXPECT_EQ(r.err.back(), '\n') << describe(args, r);
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "more than one line on stderr\n" << describe(args, r);
  if (!must_mention.empty()) {
    EXPECT_NE(r.err.find(must_mention), std::string::npos) << "stderr does not mention '" << must_mention << "'\n"
                                                           << describe(args, r);
  }
}

bool empty_or_missing(const std::string& path) { return !file_exists(path) || read_file(path).empty(); }

// Same, and the database file (and its WAL) are byte-for-byte unchanged.
void expect_input_error_db_untouched(const std::string& db, const Args& args, const std::string& must_mention = "") {
  const std::string before = file_digest(db);
  const std::string wal_before = file_digest(db + "-wal");
  const bool wal_was_empty = empty_or_missing(db + "-wal");
  expect_input_error(args, must_mention);
  EXPECT_EQ(file_digest(db), before) << "database changed by: " << show_cmd(args);
  // An empty WAL may come and go (SQLite's bookkeeping); one with content must not appear.
  EXPECT_TRUE(file_digest(db + "-wal") == wal_before || (wal_was_empty && empty_or_missing(db + "-wal")))
      << "database WAL changed by: " << show_cmd(args);
}

bool have_command(const std::string& cmd) {
  return std::system(("command -v " + cmd + " >/dev/null 2>&1").c_str()) == 0;
}


// ---------------------------------------------------------------------------------------
// One small run shared by the read-only tests.
class EvoCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new ScratchDir;
    db_ = dir_->file("fixture.db");
    first_ = run_evo(run_args(db_, kBudget, 2, "first"));
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  void SetUp() override { ASSERT_EQ(first_.code, 0) << describe(run_args(db_, kBudget, 2, "first"), first_); }

  // The top candidates by `evo best --format json`.
  static json best(int top = 5) {
    return ok_json({"best", "--db", db_, "--run", "1", "--top", std::to_string(top), "--format", "json"});
  }

  static inline ScratchDir* dir_ = nullptr;
  static inline std::string db_;
  static inline Result first_;
};

TEST_F(EvoCli, RunPrintsSummaryAndBestProgram) {
  EXPECT_NE(first_.out.find("best: candidate"), std::string::npos) << first_.out;
  const auto at = first_.out.find("best: candidate");
  ASSERT_NE(at, std::string::npos);
  const std::string program = first_.out.substr(first_.out.find('\n', at) + 1);
  EXPECT_EQ(program.rfind("input x\n", 0), 0u) << "program expected after the best: line\n" << first_.out;
  EXPECT_NE(program.find("output y = "), std::string::npos) << first_.out;
  EXPECT_NE(first_.out.find("2000 evaluations"), std::string::npos) << first_.out;
  EXPECT_NE(first_.out.find("done"), std::string::npos) << first_.out;
  EXPECT_TRUE(file_exists(db_));
}

TEST_F(EvoCli, RunsListsTheRunAsTableAndJson) {
  const Result table = ok({"runs", "--db", db_});
  for (const char* s : {"run", "name", "status", "evaluations", "first", "funcapprox", "done", "2000"})
    EXPECT_NE(table.out.find(s), std::string::npos) << "'" << s << "' missing from\n" << table.out;

  const json all = runs_json(db_);
  ASSERT_TRUE(all.is_array()) << all.dump();
  ASSERT_EQ(all.size(), 1u);
  const json& r = all[0];
  for (const char* field :
       {"run", "name", "domain", "status", "evaluations", "budget", "seed", "best_candidate", "best", "settings",
        "engine", "stats"})
    EXPECT_TRUE(r.contains(field)) << "field '" << field << "' missing: " << r.dump(2);
  EXPECT_EQ(r["run"], 1);
  EXPECT_EQ(r["name"], "first");
  EXPECT_EQ(r["domain"], "funcapprox");
  EXPECT_EQ(r["status"], "done");
  EXPECT_EQ(r["evaluations"], kBudget);
  EXPECT_EQ(r["budget"], kBudget);
  EXPECT_EQ(r["seed"], kSeed);
  ASSERT_TRUE(r["best_candidate"].is_number_integer()) << r.dump(2);
  EXPECT_GE(r["best_candidate"].get<long long>(), 1);
  ASSERT_TRUE(r["best"].is_object()) << r.dump(2);
  ASSERT_TRUE(r["best"].contains("error")) << r.dump(2);
  EXPECT_GE(r["best"]["error"].get<double>(), 0.0);
  EXPECT_LT(r["best"]["error"].get<double>(), 1.0);  // 2000 candidates beat y = x easily
  ASSERT_TRUE(r["settings"].is_object());
  EXPECT_EQ(r["settings"]["target"], "exp2");
  EXPECT_EQ(r["settings"]["interval"], "0:1");
  EXPECT_TRUE(r["settings"]["max_ops"] == "10" || r["settings"]["max_ops"] == 10) << r["settings"].dump();
  EXPECT_TRUE(r["settings"].contains("points")) << "defaults filled in: " << r["settings"].dump();
  ASSERT_TRUE(r["engine"].is_object());
  EXPECT_TRUE(r["engine"]["population"] == "100" || r["engine"]["population"] == 100) << r["engine"].dump();
  EXPECT_TRUE(r["stats"].is_object()) << r.dump(2);

  // The best candidate named by the run is the one `evo show` finds, with that error.
  const json shown =
      ok_json({"show", "--db", db_, "--candidate", std::to_string(r["best_candidate"].get<long long>()), "--format", "json"});
  EXPECT_EQ(shown["objectives"]["error"], r["best"]["error"]);
}

TEST_F(EvoCli, ResumeContinuesToTheNewTotalBudget) {
  ScratchDir dir;
  const std::string db = dir.file("resumed.db");
  copy_db(db_, db);
  const double best_before = run_entry(db)["best"]["error"].get<double>();

  ok({"resume", "--db", db, "--run", "1", "--budget", std::to_string(2 * kBudget), "--threads", "2", "-q"});
  const json r = run_entry(db);
  EXPECT_EQ(r["evaluations"], 2 * kBudget) << r.dump(2);
  EXPECT_EQ(r["budget"], 2 * kBudget) << r.dump(2);
  EXPECT_EQ(r["status"], "done") << r.dump(2);
  EXPECT_LE(r["best"]["error"].get<double>(), best_before);
  const auto cands = candidates_of(db);
  expect_contiguous(cands, 2 * kBudget, "resumed run");
  // The first 2000 are the ones the original run made.
  const auto original = candidates_of(db_);
  expect_same_candidates(original, std::vector<CandidateRow>(cands.begin(), cands.begin() + kBudget),
                         "prefix of the resumed run");

  // A budget the run already reached: nothing to do, nothing written.
  const std::string digest = file_digest(db);
  const Result again = ok({"resume", "--db", db, "--run", "1", "--budget", std::to_string(kBudget), "-q"});
  EXPECT_NE(again.out.find("nothing to do"), std::string::npos) << again.out;
  EXPECT_EQ(file_digest(db), digest);
  EXPECT_EQ(evaluations_of(db), 2 * kBudget);
}

TEST_F(EvoCli, BestJsonIsSortedAndComplete) {
  const json top = best(5);
  ASSERT_TRUE(top.is_array()) << top.dump();
  ASSERT_EQ(top.size(), 5u) << top.dump(2);
  for (const auto& c : top) {
    for (const char* field : {"candidate", "run", "objectives", "ops", "program"})
      EXPECT_TRUE(c.contains(field)) << "field '" << field << "' missing: " << c.dump(2);
    EXPECT_EQ(c["run"], 1);
    ASSERT_TRUE(c["objectives"].contains("error")) << c.dump(2);
    ASSERT_TRUE(c["objectives"].contains("cost")) << c.dump(2);
    EXPECT_TRUE(c["program"].is_string());
    EXPECT_NE(c["program"].get<std::string>().find("output y"), std::string::npos);
    EXPECT_TRUE(c["ops"].is_number_integer());
  }
  for (std::size_t i = 1; i < top.size(); ++i) {
    const double e0 = top[i - 1]["objectives"]["error"], e1 = top[i]["objectives"]["error"];
    EXPECT_LE(e0, e1) << "not sorted by error at " << i << ": " << top.dump(2);
    if (e0 == e1) {  // ties: the run's ranking breaks them by cost
      EXPECT_LE(top[i - 1]["objectives"]["cost"].get<double>(), top[i]["objectives"]["cost"].get<double>())
          << "tie on error not broken by cost at " << i << ": " << top.dump(2);
    }
  }

  // They are the five smallest errors of all valid candidates of the run.
  auto all = candidates_of(db_);
  std::vector<double> errors;
  for (const auto& c : all)
    if (c.valid) errors.push_back(*objective(c, "error"));
  std::sort(errors.begin(), errors.end());
  ASSERT_GE(errors.size(), 5u);
  for (std::size_t i = 0; i < 5; ++i) EXPECT_EQ(top[i]["objectives"]["error"].get<double>(), errors[i]) << i;

  // The best one agrees with the run's best (same objectives: error first, then cost).
  const json run = run_entry(db_);
  const json run_best = ok_json({"show", "--db", db_, "--candidate",
                                 std::to_string(run["best_candidate"].get<long long>()), "--format", "json"});
  EXPECT_EQ(top[0]["objectives"], run_best["objectives"]) << "evo best's first vs runs' best_candidate";

  // Without --run: the latest run (the only one). --top 1: just the first.
  EXPECT_EQ(ok_json({"best", "--db", db_, "--top", "5", "--format", "json"}), top);
  const json one = best(1);
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0], top[0]);

  const Result table = ok({"best", "--db", db_, "--run", "1", "--top", "5"});
  EXPECT_NE(table.out.find("ranked by error"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find(std::to_string(top[0]["candidate"].get<long long>())), std::string::npos) << table.out;
  EXPECT_NE(table.out.find(top[0]["program"].get<std::string>()), std::string::npos) << table.out;
}

TEST_F(EvoCli, ShowTextEvaluatesToTheStoredError) {
  const json top = best(1);
  ASSERT_EQ(top.size(), 1u);
  const std::string id = std::to_string(top[0]["candidate"].get<long long>());
  const double stored_error = top[0]["objectives"]["error"];
  const double stored_cost = top[0]["objectives"]["cost"];

  const Result text = ok({"show", "--db", db_, "--candidate", id});
  EXPECT_EQ(text.out.rfind("# candidate " + id, 0), 0u) << text.out;
  EXPECT_NE(text.out.find(top[0]["program"].get<std::string>()), std::string::npos) << text.out;

  ScratchDir dir;
  const std::string file = dir.file("best.evo");
  write_file(file, text.out);
  const json ev = ok_json({"eval", "--domain", "funcapprox", "--set", "target=exp2", "--set", "interval=0:1",
                           "--program", file, "--format", "json"});
  EXPECT_EQ(ev["valid"], true) << ev.dump(2);
  EXPECT_EQ(ev["objectives"]["error"].get<double>(), stored_error) << ev.dump(2);
  EXPECT_EQ(ev["objectives"]["cost"].get<double>(), stored_cost) << ev.dump(2);
  EXPECT_EQ(ev["ops"], top[0]["ops"]);

  // Table form of eval, and eval of the stored candidate.
  const Result ev_table = ok({"eval", "--domain", "funcapprox", "--program", file});
  EXPECT_NE(ev_table.out.find("error"), std::string::npos) << ev_table.out;
  const json ev_stored = ok_json({"eval", "--db", db_, "--candidate", id, "--format", "json"});
  EXPECT_EQ(ev_stored["objectives"]["error"].get<double>(), stored_error) << ev_stored.dump(2);

  const Result cpp = ok({"show", "--db", db_, "--candidate", id, "--format", "cpp"});
  EXPECT_NE(cpp.out.find("evo_exp2("), std::string::npos) << cpp.out;
  EXPECT_NE(cpp.out.find("return "), std::string::npos) << cpp.out;

  const json js = ok_json({"show", "--db", db_, "--candidate", id, "--format", "json"});
  EXPECT_EQ(js["candidate"], top[0]["candidate"]);
  EXPECT_EQ(js["run"], 1);
  EXPECT_EQ(js["program"], top[0]["program"]);
  EXPECT_EQ(js["objectives"], top[0]["objectives"]);
  EXPECT_EQ(js["valid"], true);
}

// Equal errors are common when the same function can be written at several costs (here
// abs(x) == x on [0, 1]); `evo best` ranks like the run does: error, then cost (the order
// store/queries.h promises for best_candidates).
TEST(EvoBest, BreaksErrorTiesByCost) {
  ScratchDir dir;
  const std::string db = dir.file("ties.db");
  ok({"run", "--domain", "funcapprox", "--set", "ops=add,mul,abs", "--set", "population=100", "--budget", "3000",
      "--seed", "7", "--threads", "2", "--db", db, "-q"});
  std::vector<std::pair<double, double>> all;  // (error, cost) of every valid candidate, best first
  for (const auto& c : candidates_of(db))
    if (c.valid) all.emplace_back(*objective(c, "error"), *objective(c, "cost"));
  std::sort(all.begin(), all.end());
  int ties_with_other_cost = 0;
  for (std::size_t i = 1; i < all.size(); ++i)
    ties_with_other_cost += all[i].first == all[i - 1].first && all[i].second != all[i - 1].second;
  ASSERT_GT(ties_with_other_cost, 0) << "the run has no ties on error to break; the test needs some";

  for (int top : {20, 3000}) {
    const json best = ok_json({"best", "--db", db, "--top", std::to_string(top), "--format", "json"});
    ASSERT_EQ(best.size(), std::min<std::size_t>(top, all.size()));
    int wrong = 0;
    for (std::size_t i = 0; i < best.size(); ++i) {
      const std::pair<double, double> got = {best[i]["objectives"]["error"].get<double>(),
                                             best[i]["objectives"]["cost"].get<double>()};
      if (got != all[i] && ++wrong <= 3)
        ADD_FAILURE() << "--top " << top << ": rank " << i << " is candidate " << best[i]["candidate"]
                      << " (error " << got.first << ", cost " << got.second << "); expected error " << all[i].first
                      << ", cost " << all[i].second;
    }
    EXPECT_EQ(wrong, 0) << "--top " << top << ": " << wrong << " ranks out of (error, cost) order";
  }
}

// Compiles `main_src` against the exported header, runs it, returns its output ("" on failure).
std::string compile_and_run(const ScratchDir& dir, const std::string& compiler, const std::string& main_name,
                            const std::string& main_src) {
  write_file(dir.file(main_name), main_src);
  const std::string exe = dir.file(main_name + ".bin");
  const std::string log = dir.file(main_name + ".log");
  const std::string cmd = compiler + " -I'" + dir.path() + "' '" + dir.file(main_name) + "' -o '" + exe + "' -lm > '" +
                          log + "' 2>&1";
  if (std::system(cmd.c_str()) != 0) {
    ADD_FAILURE() << "compile failed: " << cmd << "\n" << read_file(log);
    return "";
  }
  const std::string out = dir.file(main_name + ".out");
  if (std::system(("'" + exe + "' > '" + out + "'").c_str()) != 0) {
    ADD_FAILURE() << "compiled program failed";
    return "";
  }
  return read_file(out);
}

// Output lines "x scalar loop" (hex floats) checked against 2^x and the stored error bound.
void check_exp2_output(const std::string& out, double stored_error, const std::string& what) {
  std::istringstream in(out);
  std::string xs, ys, ls;
  int lines = 0;
  while (in >> xs >> ys >> ls) {
    ++lines;
    const double x = std::strtod(xs.c_str(), nullptr);
    const double y = std::strtod(ys.c_str(), nullptr);
    const double loop = std::strtod(ls.c_str(), nullptr);
    EXPECT_EQ(y, loop) << what << ": scalar and loop forms differ at x = " << x;
    const long double ref = exp2l(static_cast<long double>(x));
    const double rel = static_cast<double>(std::fabs((static_cast<long double>(y) - ref) / ref));
    EXPECT_LE(rel, stored_error * 1.01 + 1e-15) << what << ": x = " << x << " y = " << y << " stored error "
                                                << stored_error;
  }
  EXPECT_EQ(lines, 5) << what << " output:\n" << out;
}

TEST_F(EvoCli, ExportedCodeCompilesAndMeetsTheStoredError) {
  const json top = best(1);
  ASSERT_EQ(top.size(), 1u);
  const std::string id = std::to_string(top[0]["candidate"].get<long long>());
  const double stored_error = top[0]["objectives"]["error"];

  ScratchDir dir;
  const std::string header = dir.file("evo_exp2.h");
  ok({"export", "--db", db_, "--candidate", id, "--lang", "cpp", "-o", header});
  ASSERT_TRUE(file_exists(header));
  const std::string source = read_file(header);
  EXPECT_NE(source.find("evo_exp2("), std::string::npos) << source;
  EXPECT_NE(source.find("evo_exp2_n("), std::string::npos) << source;
  // Without -o: the same text on stdout.
  EXPECT_EQ(ok({"export", "--db", db_, "--candidate", id, "--lang", "cpp"}).out, source);
  // --lang text: the program text.
  EXPECT_EQ(ok({"export", "--db", db_, "--candidate", id, "--lang", "text"}).out, top[0]["program"].get<std::string>());

  const std::string c_header = dir.file("evo_exp2_c.h");
  ok({"export", "--db", db_, "--candidate", id, "--lang", "c", "-o", c_header});
  ASSERT_TRUE(file_exists(c_header));

  std::string cpp_out, c_out;
  if (have_command("c++")) {
    cpp_out = compile_and_run(dir, "c++ -std=c++17 -O2 -ffp-contract=off", "main.cc",
                              "#include \"evo_exp2.h\"\n#include <cstdio>\n"
                              "int main() {\n"
                              "  const double xs[5] = {0.0, 0.25, 0.5, 0.75, 1.0};\n"
                              "  double ys[5];\n"
                              "  evo_exp2_n(xs, ys, 5);\n"
                              "  for (int i = 0; i < 5; ++i) std::printf(\"%a %a %a\\n\", xs[i], evo_exp2(xs[i]), ys[i]);\n"
                              "  return 0;\n}\n");
    check_exp2_output(cpp_out, stored_error, "C++ export");
  } else {
    GTEST_LOG_(WARNING) << "no c++ compiler: C++ export not compiled";
  }
  if (have_command("cc")) {
    c_out = compile_and_run(dir, "cc -std=c99 -O2 -ffp-contract=off", "main.c",
                            "#include \"evo_exp2_c.h\"\n#include <stdio.h>\n"
                            "int main(void) {\n"
                            "  const double xs[5] = {0.0, 0.25, 0.5, 0.75, 1.0};\n"
                            "  double ys[5];\n"
                            "  int i;\n"
                            "  evo_exp2_n(xs, ys, 5);\n"
                            "  for (i = 0; i < 5; ++i) printf(\"%a %a %a\\n\", xs[i], evo_exp2(xs[i]), ys[i]);\n"
                            "  return 0;\n}\n");
    check_exp2_output(c_out, stored_error, "C export");
  } else {
    GTEST_LOG_(WARNING) << "no cc compiler: C export not compiled";
  }
  if (!cpp_out.empty() && !c_out.empty()) {
    EXPECT_EQ(cpp_out, c_out) << "C and C++ exports compute differently";
  }
}

// ---------------------------------------------------------------------------------------
TEST(EvoDomains, ListsFuncapproxWithItsSettings) {
  const Result table = ok({"domains"});
  for (const char* s : {"funcapprox", "target", "interval", "max_ops", "points", "precision", "ops", "exp2", "error",
                        "population"})
    EXPECT_NE(table.out.find(s), std::string::npos) << "'" << s << "' missing from\n" << table.out;

  const json j = ok_json({"domains", "--format", "json"});
  ASSERT_TRUE(j.is_object()) << j.dump();
  ASSERT_TRUE(j["domains"].is_array()) << j.dump();
  const json* fa = nullptr;
  for (const auto& d : j["domains"])
    if (d["name"] == "funcapprox") fa = &d;
  ASSERT_NE(fa, nullptr) << j.dump(2);
  std::map<std::string, json> settings;
  for (const auto& s : (*fa)["settings"]) {
    EXPECT_TRUE(s.contains("default") && s.contains("help")) << s.dump();
    settings[s["key"].get<std::string>()] = s;
  }
  for (const char* key : {"target", "interval", "max_ops", "points", "precision", "error", "ops"})
    EXPECT_TRUE(settings.count(key)) << "setting '" << key << "' missing: " << (*fa)["settings"].dump(2);
  EXPECT_EQ(settings["target"]["default"], "exp2");
  EXPECT_EQ(settings["interval"]["default"], "0:1");
  std::vector<std::string> objectives;
  for (const auto& o : (*fa)["objectives"]) objectives.push_back(o["name"]);
  EXPECT_EQ(objectives, (std::vector<std::string>{"error", "cost"}));
  bool population = false;
  for (const auto& s : j["engine"]) population |= s["key"] == "population";
  EXPECT_TRUE(population) << j["engine"].dump(2);
}

TEST(EvoHelp, EverySubcommandHasHelp) {
  for (const char* cmd : {"run", "resume", "runs", "best", "pareto", "show", "export", "eval", "domains", "baselines", "speed", "measure"}) {
    for (const char* flag : {"--help", "-h"}) {
      const Args args = {cmd, flag};
      const Result r = run_evo(args);
      EXPECT_EQ(r.code, 0) << describe(args, r);
      EXPECT_NE(r.out.find("usage"), std::string::npos) << describe(args, r);
      EXPECT_NE(r.out.find(std::string("evo ") + cmd), std::string::npos) << describe(args, r);
    }
  }
  for (const char* flag : {"--help", "-h", "help"}) {
    const Result r = run_evo({flag});
    EXPECT_EQ(r.code, 0) << describe({flag}, r);
    EXPECT_NE(r.out.find("usage"), std::string::npos) << r.out;
    for (const char* cmd : {"run", "resume", "runs", "best", "pareto", "show", "export", "eval", "domains", "baselines", "speed", "measure"})
      EXPECT_NE(r.out.find(std::string("  ") + cmd + " "), std::string::npos) << cmd << " not listed\n" << r.out;
  }
  for (const char* flag : {"--version", "-V", "version"}) {
    const Result r = run_evo({flag});
    EXPECT_EQ(r.code, 0) << describe({flag}, r);
    EXPECT_EQ(r.out.rfind("evo ", 0), 0u) << r.out;
    EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << r.out;
  }
  const Result none = run_evo({});
  EXPECT_EQ(none.code, 2) << describe({}, none);
  EXPECT_NE(none.err.find("usage"), std::string::npos) << none.err;
}

// ---------------------------------------------------------------------------------------
// Determinism: the same seed and settings give the same candidates.
TEST(EvoDeterminism, ThreadCountDoesNotChangeTheCandidates) {
  ScratchDir dir;
  const std::string one = dir.file("t1.db"), two = dir.file("t2.db"), other = dir.file("seed8.db");
  ok(run_args(one, kBudget, 1));
  ok(run_args(two, kBudget, 2));
  const auto a = candidates_of(one);
  const auto b = candidates_of(two);
  expect_contiguous(a, kBudget, "threads 1");
  expect_same_candidates(a, b, "--threads 1 vs --threads 2");
  EXPECT_EQ(run_entry(one)["best"], run_entry(two)["best"]);

  // The comparison can fail: another seed gives other candidates.
  ok(run_args(other, kBudget, 2, "run", kSeed + 1));
  const auto c = candidates_of(other);
  ASSERT_EQ(c.size(), a.size());
  int differ = 0;
  for (std::size_t i = 0; i < a.size(); ++i) differ += a[i].program != c[i].program;
  EXPECT_GT(differ, 0) << "seed 7 and seed 8 gave identical programs";
}

// Budget B/2, then resume to B == B in one go (batches stay aligned to multiples of the
// batch size whatever the budget).
TEST(EvoDeterminism, StopAtHalfBudgetThenResumeEqualsUninterrupted) {
  constexpr int kFull = 2560, kHalf = 1000;  // the half is not a whole number of batches
  ScratchDir dir;
  const std::string whole = dir.file("whole.db"), halves = dir.file("halves.db");
  ok(run_args(whole, kFull, 2));
  ok(run_args(halves, kHalf, 1));
  EXPECT_EQ(evaluations_of(halves), kHalf);
  ok({"resume", "--db", halves, "--run", "1", "--budget", std::to_string(kFull), "--threads", "2", "-q"});
  EXPECT_EQ(evaluations_of(halves), kFull);
  expect_same_candidates(candidates_of(whole), candidates_of(halves), "uninterrupted vs half + resume");
}

// --time-limit stops at a batch boundary ("stopped", exit 0); resuming gives what an
// uninterrupted run with the same final budget gives.
TEST(EvoDeterminism, TimeLimitThenResumeEqualsUninterrupted) {
  ScratchDir dir;
  const std::string limited = dir.file("limited.db"), whole = dir.file("whole.db");
  Args args = run_args(limited, 5000000, 2);
  args.insert(args.end(), {"--time-limit", "0.3"});
  const Result r = ok(args);
  EXPECT_NE(r.out.find("resume with: evo resume"), std::string::npos) << r.out;
  const json entry = run_entry(limited);
  EXPECT_EQ(entry["status"], "stopped") << entry.dump(2);
  EXPECT_EQ(entry["stop_reason"], "time_limit") << entry.dump(2);
  const long long done = entry["evaluations"].get<long long>();
  ASSERT_GT(done, 0);
  ASSERT_LT(done, 5000000);
  EXPECT_EQ(done % 64, 0) << "a time limit stops at a batch boundary";
  expect_contiguous(candidates_of(limited), static_cast<std::size_t>(done), "time-limited run");

  const long long final_budget = done + 1000;
  ok({"resume", "--db", limited, "--run", "1", "--budget", std::to_string(final_budget), "--threads", "1", "-q"});
  EXPECT_EQ(run_entry(limited)["status"], "done");
  ok(run_args(whole, final_budget, 2));
  expect_same_candidates(candidates_of(whole), candidates_of(limited), "uninterrupted vs time limit + resume");
}

// kill -9 mid-run loses at most the batch in flight; resume then gives exactly the
// candidates of an uninterrupted run.
TEST(EvoCrash, KillMinus9ThenResumeEqualsUninterrupted) {
  ScratchDir dir;
  const std::string killed = dir.file("killed.db"), whole = dir.file("whole.db");
  const int pid = start_evo(run_args(killed, 1000000, 2));
  const long long first = wait_for_commit(killed);
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  ::kill(pid, SIGKILL);
  const int code = wait_evo(pid);
  ASSERT_GT(first, 0) << "the run never committed a batch";

  const json entry = run_entry(killed);
  const long long committed = entry["evaluations"].get<long long>();
  if (code == 128 + SIGKILL) {
    EXPECT_EQ(entry["status"], "killed") << entry.dump(2);
    EXPECT_LT(committed, 1000000);
  } else {
    GTEST_LOG_(WARNING) << "the run finished before it was killed (exit " << code << ")";
  }
  EXPECT_GE(committed, first);
  // The database holds exactly the committed batches, nothing partial.
  expect_contiguous(candidates_of(killed), static_cast<std::size_t>(committed), "killed run");
  {
    SQLite::Database raw(killed, SQLite::OPEN_READONLY);
    SQLite::Statement q(raw, "SELECT births FROM checkpoints WHERE run_id = 1");
    ASSERT_TRUE(q.executeStep());
    EXPECT_EQ(q.getColumn(0).getInt64(), committed) << "checkpoint and candidates disagree";
  }

  const long long final_budget = committed + 3000;
  ok({"resume", "--db", killed, "--run", "1", "--budget", std::to_string(final_budget), "--threads", "2", "-q"});
  const json after = run_entry(killed);
  EXPECT_EQ(after["evaluations"], final_budget);
  EXPECT_EQ(after["status"], "done");
  ok(run_args(whole, final_budget, 2));
  expect_same_candidates(candidates_of(whole), candidates_of(killed), "uninterrupted vs kill -9 + resume");
}

// A process's parent and state from /proc (state 0 when it is gone).
std::pair<int, char> parent_and_state(int pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(f, line)) return {0, 0};
  const auto close = line.rfind(')');  // the name in parentheses may hold spaces
  std::istringstream rest(line.substr(close + 2));
  char state = 0;
  int parent = 0;
  rest >> state >> parent;
  return {parent, state};
}

// A child of `pid` that is running (not a zombie), or 0.
int running_child(int pid) {
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename();
    if (name.empty() || !std::isdigit(static_cast<unsigned char>(name[0]))) continue;
    const auto [parent, state] = parent_and_state(std::stoi(name));
    if (parent == pid && state != 'Z') return std::stoi(name);
  }
  return 0;
}

// The first Ctrl-C waits for the batch in flight, however slow its evaluations; a second
// ends evo at once, and the evaluators with it (the run is left as a kill leaves it).
TEST(EvoCrash, ASecondSigintStopsAtOnce) {
  ScratchDir dir;
  const std::string db = dir.file("slow.db");
  // An evaluator that takes 30 s a candidate: a batch would take many minutes.
  const int pid = start_evo({"run", "--domain", "external", "--set", "command=sleep 30", "--set", "mode=process",
                             "--set", "timeout=60", "--budget", "1000", "--threads", "1", "--db", db, "-q"});
  int evaluator = 0;  // the first candidate's evaluator: the search is under way
  for (int i = 0; i < 600 && !(evaluator = running_child(pid)); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  ASSERT_NE(evaluator, 0) << "no evaluator started in 60 s";
  ::kill(pid, SIGINT);
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, WNOHANG), 0) << "the first SIGINT waits for the batch in flight";
  ::kill(pid, SIGINT);
  bool ended = false;
  for (int i = 0; i < 100 && !ended; ++i) {
    ended = ::waitpid(pid, &status, WNOHANG) == pid;
    if (!ended) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  if (!ended) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
    FAIL() << "a second SIGINT did not end evo within 10 s";
  }
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGINT) << status;
  EXPECT_NE(run_entry(db)["status"], "interrupted");
  char state = parent_and_state(evaluator).second;
  for (int i = 0; i < 50 && state != 0 && state != 'Z'; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    state = parent_and_state(evaluator).second;
  }
  EXPECT_TRUE(state == 0 || state == 'Z') << "evaluator " << evaluator << " outlived evo (state " << state << ")";
}

TEST(EvoCrash, SigintCommitsStopsWith130AndResumes) {
  ScratchDir dir;
  const std::string db = dir.file("sigint.db");
  const int pid = start_evo(run_args(db, 5000000, 2));
  const long long first = wait_for_commit(db);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  ::kill(pid, SIGINT);
  const int code = wait_evo(pid);
  ASSERT_GT(first, 0) << "the run never committed a batch";
  EXPECT_EQ(code, 130);

  const json entry = run_entry(db);
  EXPECT_EQ(entry["status"], "interrupted") << entry.dump(2);
  EXPECT_EQ(entry["stop_reason"], "interrupted") << entry.dump(2);
  const long long committed = entry["evaluations"].get<long long>();
  EXPECT_GE(committed, first);
  EXPECT_EQ(committed % 64, 0);
  expect_contiguous(candidates_of(db), static_cast<std::size_t>(committed), "interrupted run");

  ok({"resume", "--db", db, "--run", "1", "--budget", std::to_string(committed + 1000), "--threads", "2", "-q"});
  const json after = run_entry(db);
  EXPECT_EQ(after["status"], "done") << after.dump(2);
  EXPECT_EQ(after["evaluations"], committed + 1000);
  expect_contiguous(candidates_of(db), static_cast<std::size_t>(committed + 1000), "resumed run");
}

// A run started with SIGINT ignored (a shell script's background job) keeps it ignored: a
// Ctrl-C meant for the foreground does not stop it. SIGTERM still does.
TEST(EvoCrash, AnIgnoredSigintStaysIgnored) {
  ScratchDir dir;
  const std::string db = dir.file("background.db");
  std::vector<std::string> args = {"-c", "trap '' INT; exec \"$0\" \"$@\"", EVO_BINARY};
  for (const std::string& a : run_args(db, 5000000, 2)) args.push_back(a);
  const int pid = start_program("sh", args, "/dev/null");
  ASSERT_GT(wait_for_commit(db), 0) << "the run never committed a batch";
  ::kill(pid, SIGINT);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  int status = 0;
  EXPECT_EQ(::waitpid(pid, &status, WNOHANG), 0) << "an ignored SIGINT stopped the run";
  ::kill(pid, SIGTERM);
  EXPECT_EQ(wait_evo(pid), 143);
  EXPECT_EQ(run_entry(db)["status"], "interrupted");
}

// Rule 3: NaN/Inf-prone ops make invalid candidates, never a failed run.
TEST(EvoRun, InvalidCandidatesNeverStopTheRun) {
  ScratchDir dir;
  const std::string db = dir.file("nan.db");
  const Args args = {"run",    "--domain", "funcapprox", "--set", "target=exp2", "--set", "interval=-1:1",
                     "--set",  "ops=div,sqrt,sub", "--set", "population=100", "--budget", std::to_string(kBudget),
                     "--seed", "3", "--threads", "2", "--db", db, "-q"};
  ok(args);
  const json entry = run_entry(db);
  EXPECT_EQ(entry["status"], "done");
  EXPECT_EQ(entry["evaluations"], kBudget);
  const auto cands = candidates_of(db);
  ASSERT_EQ(cands.size(), static_cast<std::size_t>(kBudget));
  int invalid = 0, valid = 0;
  const CandidateRow* an_invalid = nullptr;
  for (const auto& c : cands) {
    if (c.valid) {
      ++valid;
      continue;
    }
    ++invalid;
    an_invalid = &c;
    EXPECT_FALSE(c.invalid_reason.empty());
    EXPECT_TRUE(c.objectives.empty()) << "an invalid candidate has no objectives";
  }
  ASSERT_GT(invalid, 0) << "sqrt/div on [-1, 1] should produce some NaN/Inf";
  EXPECT_GT(valid, 0);
  // Invalid candidates are never ranked.
  for (const auto& c : ok_json({"best", "--db", db, "--top", "50", "--format", "json"})) EXPECT_EQ(c["valid"], true);
  // They are shown and re-evaluated as invalid, with their reason.
  const std::string id = std::to_string(an_invalid->id);
  const Result shown = ok({"show", "--db", db, "--candidate", id});
  EXPECT_NE(shown.out.find("# invalid: " + an_invalid->invalid_reason), std::string::npos) << shown.out;
  const json shown_json = ok_json({"show", "--db", db, "--candidate", id, "--format", "json"});
  EXPECT_EQ(shown_json["valid"], false);
  EXPECT_EQ(shown_json["invalid_reason"], an_invalid->invalid_reason);
  const json ev = ok_json({"eval", "--db", db, "--candidate", id, "--format", "json"});
  EXPECT_EQ(ev["valid"], false) << ev.dump(2);
  // There is no error bound to ship: export refuses one.
  expect_input_error_db_untouched(db, {"export", "--db", db, "--candidate", id}, "invalid");
}

// ---------------------------------------------------------------------------------------
// Clear failure: exit 2, one line on stderr, database untouched.
class EvoBadInput : public EvoCli {};

TEST_F(EvoBadInput, RunRejectsBadSettingsAndOptions) {
  auto run_with = [&](std::vector<std::string> extra) {
    Args a = {"run", "--domain", "funcapprox", "--db", db_, "-q", "--set", "population=100"};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  };
  const std::string db = db_;
  expect_input_error_db_untouched(db, {"run", "--domain", "nosuch", "--db", db, "-q"}, "nosuch");
  expect_input_error_db_untouched(db, {"run", "--db", db, "-q"}, "--domain");
  expect_input_error_db_untouched(db, run_with({"--set", "nosuch=1"}), "nosuch");
  expect_input_error_db_untouched(db, run_with({"--set", "max_ops=abc"}), "max_ops");
  expect_input_error_db_untouched(db, run_with({"--set", "max_ops=0"}), "max_ops");
  expect_input_error_db_untouched(db, run_with({"--set", "target=foo"}), "foo");
  expect_input_error_db_untouched(db, run_with({"--set", "interval=1:0"}), "interval");
  expect_input_error_db_untouched(db, run_with({"--set", "interval=abc"}), "interval");
  expect_input_error_db_untouched(db, run_with({"--set", "target=log", "--set", "interval=-1:1"}), "interval");
  expect_input_error_db_untouched(db, run_with({"--set", "ops=add,frob"}), "frob");
  // exp, rms, ... are update-rule ops: a kernel is built from arithmetic.
  expect_input_error_db_untouched(db, run_with({"--set", "ops=add,exp"}), "exp");
  expect_input_error_db_untouched(db, run_with({"--set", "ops=const"}), "const");
  expect_input_error_db_untouched(db, run_with({"--migrate-every", "5"}), "islands");
  expect_input_error_db_untouched(db, run_with({"--set", "population=abc"}), "population");
  expect_input_error_db_untouched(db, run_with({"--set", "noequals"}), "noequals");
  expect_input_error_db_untouched(db, run_with({"--set", "target=exp2", "--set", "target=sin"}), "given twice");
  expect_input_error_db_untouched(db, run_with({"--budget", "0"}), "--budget");
  expect_input_error_db_untouched(db, run_with({"--budget", "-5"}));
  expect_input_error_db_untouched(db, run_with({"--budget=-5"}), "--budget");
  expect_input_error_db_untouched(db, run_with({"--budget", "abc"}), "--budget");
  expect_input_error_db_untouched(db, run_with({"--budget", "10x"}), "--budget");
  expect_input_error_db_untouched(db, run_with({"--seed", "abc"}), "--seed");
  expect_input_error_db_untouched(db, run_with({"--threads", "0"}), "--threads");
  expect_input_error_db_untouched(db, run_with({"--time-limit", "abc"}), "--time-limit");
  expect_input_error_db_untouched(db, run_with({"--frobnicate"}), "frobnicate");
  expect_input_error_db_untouched(db, run_with({"stray"}));
  EXPECT_EQ(runs_json(db).size(), 1u) << "a rejected run must not be recorded";
}

TEST_F(EvoBadInput, UnknownCommandAndFlags) {
  expect_input_error({"frobnicate"}, "frobnicate");
  // Control characters in what an error quotes are escaped: still one line.
  expect_input_error({"frob\nnicate\x1b[2J"}, "frob\\x0anicate\\x1b[2J");
  expect_input_error_db_untouched(db_, {"runs", "--db", db_, "--frob"}, "frob");
  expect_input_error_db_untouched(db_, {"runs", "--db", db_, "--format", "xml"}, "--format");
  expect_input_error({"domains", "--format", "xml"}, "--format");
  expect_input_error_db_untouched(db_, {"best", "--db", db_, "--format", "xml"}, "--format");
  expect_input_error_db_untouched(db_, {"show", "--db", db_, "--candidate", "1", "--format", "xml"}, "--format");
  expect_input_error_db_untouched(db_, {"best", "--db", db_, "--top", "0"}, "--top");
  expect_input_error_db_untouched(db_, {"best", "--db", db_, "--objective", "nosuch"}, "nosuch");
}

TEST_F(EvoBadInput, MissingRunsAndCandidates) {
  const std::string& db = db_;
  expect_input_error_db_untouched(db, {"resume", "--db", db, "--run", "99", "-q"}, "99");
  expect_input_error_db_untouched(db, {"resume", "--db", db, "--run", "0", "-q"}, "--run");
  expect_input_error_db_untouched(db, {"resume", "--db", db, "--run", "abc", "-q"}, "--run");
  expect_input_error_db_untouched(db, {"resume", "--db", db, "-q"}, "--run");
  expect_input_error_db_untouched(db, {"resume", "--db", db, "--run", "1", "--budget", "0", "-q"}, "--budget");
  expect_input_error_db_untouched(db, {"resume", "--db", db, "--run", "1", "--budget", "abc", "-q"}, "--budget");
  expect_input_error_db_untouched(db, {"best", "--db", db, "--run", "99"}, "99");
  expect_input_error_db_untouched(db, {"show", "--db", db, "--candidate", "999999"}, "999999");
  expect_input_error_db_untouched(db, {"show", "--db", db, "--candidate", "-1"});
  expect_input_error_db_untouched(db, {"show", "--db", db}, "--candidate");
  expect_input_error_db_untouched(db, {"export", "--db", db, "--candidate", "999999", "--lang", "cpp"}, "999999");
  expect_input_error_db_untouched(db, {"export", "--db", db, "--candidate", "1", "--lang", "fortran"}, "fortran");
  expect_input_error_db_untouched(db, {"export", "--db", db, "--candidate", "1", "-o", "/nonexistent_dir/x.h"},
                                  "/nonexistent_dir/x.h");
  expect_input_error_db_untouched(db, {"eval", "--db", db, "--candidate", "999999"}, "999999");
  expect_input_error_db_untouched(db, {"eval", "--db", db, "--candidate", "1", "--domain", "optimizer"},
                                  "is a program of domain funcapprox, not optimizer");
  // --db defaults to evo.db for baselines --run too, as for every reader.
  expect_input_error({"baselines", "--domain", "funcapprox", "--run", "999999"}, "evo.db");
  // An export never replaces the database it reads, nor its journal.
  const std::string best_id = std::to_string(ok_json({"best", "--db", db, "--format", "json"})[0]["candidate"].get<long long>());
  expect_input_error_db_untouched(db, {"export", "--db", db, "--candidate", best_id, "-o", db}, "would replace");
  expect_input_error_db_untouched(db, {"export", "--db", db, "--candidate", best_id, "-o", db + "-wal"}, "would replace");
}

TEST(EvoBadInputFiles, MalformedProgramText) {
  ScratchDir dir;
  const std::map<std::string, std::pair<std::string, std::string>> cases = {
      {"unknown_op", {"input x\nr1 = frob(x, x)\noutput y = r1\n", "frob"}},
      {"bad_register", {"input x\nr1 = add(x, r9)\noutput y = r1\n", "r9"}},
      {"missing_output", {"input x\nr1 = add(x, x)\n", "output"}},
      {"bad_output_register", {"input x\nr1 = add(x, x)\noutput y = r7\n", "r7"}},
      {"wrong_arity", {"input x\nr1 = add(x)\noutput y = r1\n", "add"}},
      {"wrong_input", {"input z\nr1 = add(z, z)\noutput y = r1\n", ""}},
      {"bad_number", {"input x\nr1 = add(x, 1.5.5)\noutput y = r1\n", "1.5.5"}},
      {"garbage", {"hello world\n", ""}},
      {"empty", {"", ""}},
  };
  for (const auto& [name, c] : cases) {
    SCOPED_TRACE(name);
    const std::string file = dir.file(name + ".evo");
    write_file(file, c.first);
    expect_input_error({"eval", "--domain", "funcapprox", "--program", file}, c.second);
  }
  // A good program is accepted (so the cases above fail for their defect, not the setup).
  const std::string good = dir.file("good.evo");
  write_file(good, "# y = 1 + x\ninput x\nr1 = add(x, 1)\noutput y = r1\n");
  const json ev = ok_json({"eval", "--domain", "funcapprox", "--program", good, "--format", "json"});
  EXPECT_EQ(ev["valid"], true) << ev.dump(2);
  EXPECT_EQ(ev["objectives"]["cost"].get<double>(), 1.0) << ev.dump(2);
  expect_input_error({"eval", "--domain", "nosuch", "--program", good}, "nosuch");
  expect_input_error({"eval", "--domain", "funcapprox", "--set", "max_ops=abc", "--program", good}, "max_ops");
  expect_input_error({"eval", "--program", good}, "--domain");
  expect_input_error({"eval", "--domain", "funcapprox", "--program", dir.file("missing.evo")}, "missing.evo");
  expect_input_error({"eval", "--domain", "funcapprox"}, "--program");
  // A directory, a binary file, and text that is not UTF-8 (echoed escaped, one line of UTF-8).
  expect_input_error({"eval", "--domain", "funcapprox", "--program", dir.path()}, "is a directory");
  write_file(dir.file("binary.evo"), std::string("\x7f" "ELF\x02\x01\0\0\xff\xfe", 11));
  expect_input_error({"eval", "--domain", "funcapprox", "--program", dir.file("binary.evo")}, "not a text file");
  write_file(dir.file("latin1.evo"), "input x\nr1 = add(x, caf\xe9)\noutput y = r1\n");
  const Result latin1 = run_evo({"eval", "--domain", "funcapprox", "--program", dir.file("latin1.evo")});
  EXPECT_EQ(latin1.code, 2) << latin1.err;
  EXPECT_NE(latin1.err.find("caf\\xe9"), std::string::npos) << latin1.err;
  EXPECT_EQ(latin1.err.find('\xe9'), std::string::npos) << latin1.err;
  write_file(dir.file("utf8.evo"), "input x\nr1 = add(x, caf\u00e9)\noutput y = r1\n");
  const Result utf8 = run_evo({"eval", "--domain", "funcapprox", "--program", dir.file("utf8.evo")});
  EXPECT_EQ(utf8.code, 2) << utf8.err;
  EXPECT_NE(utf8.err.find("caf\u00e9"), std::string::npos) << "well-formed UTF-8 is kept as it is\n" << utf8.err;
}

class EvoBadDatabases : public EvoCli {
 protected:
  // Every command that opens a database, at `db`: each must fail with exit 2 and leave
  // the file as it was.
  void expect_all_rejected(const std::string& db, const std::string& must_mention) {
    const std::vector<Args> commands = {
        {"runs", "--db", db},
        {"runs", "--db", db, "--format", "json"},
        {"best", "--db", db},
        {"best", "--db", db, "--run", "1"},
        {"pareto", "--db", db, "--run", "1"},
        {"show", "--db", db, "--candidate", "1"},
        {"export", "--db", db, "--candidate", "1", "--lang", "cpp"},
        {"eval", "--db", db, "--candidate", "1"},
        {"resume", "--db", db, "--run", "1", "--budget", "5000", "-q"},
        run_args(db, 100, 1),
        {"simplify", "--db", db, "--candidate", "1"},
        {"measure", "--db", db, "--run", "1"},
        {"speed", "--db", db, "--candidate", "1", "--no-baselines"},
        {"baselines", "--domain", "funcapprox", "--db", db, "--run", "1"},
    };
    for (const auto& args : commands) {
      SCOPED_TRACE(show_cmd(args));
      expect_input_error_db_untouched(db, args, must_mention);
    }
  }
};

TEST_F(EvoBadDatabases, TextFileIsNotADatabase) {
  ScratchDir dir;
  const std::string db = dir.file("notes.txt");
  std::string text;
  for (int i = 0; i < 100; ++i) text += "these are notes, not a database " + std::to_string(i) + "\n";
  write_file(db, text);
  expect_all_rejected(db, db);
  EXPECT_EQ(read_file(db), text);
}

TEST_F(EvoBadDatabases, SqliteFileThatIsNotEvos) {
  ScratchDir dir;
  const std::string db = dir.file("other.db");
  {
    SQLite::Database other(db, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    other.exec("CREATE TABLE foo (x INTEGER)");
    other.exec("INSERT INTO foo VALUES (42)");
  }
  expect_all_rejected(db, "not an evo database");
  SQLite::Database check(db, SQLite::OPEN_READONLY);
  EXPECT_EQ(check.execAndGet("SELECT COUNT(*) FROM sqlite_master").getInt(), 1) << "tables were added";
}

TEST_F(EvoBadDatabases, NewerSchemaVersion) {
  ScratchDir dir;
  const std::string db = dir.file("future.db");
  copy_db(db_, db);
  {
    SQLite::Database raw(db, SQLite::OPEN_READWRITE);
    raw.exec("UPDATE schema_version SET version = 999");
  }
  ASSERT_TRUE(empty_or_missing(db + "-wal"));
  expect_all_rejected(db, "newer");
}

TEST_F(EvoBadDatabases, TruncatedDatabase) {
  ScratchDir dir;
  const std::string db = dir.file("cut.db");
  copy_db(db_, db);
  ASSERT_TRUE(empty_or_missing(db + "-wal"));
  const std::string whole = read_file(db);
  write_file(db, whole.substr(0, whole.size() / 2));
  expect_all_rejected(db, "truncated");
}

// A page's structure overwritten: a writer refuses the database before writing to it (its
// quick_check finds the damage); a reader reads what it can or says the file is damaged,
// in one line, and never crashes.
TEST_F(EvoBadDatabases, CorruptedPagesStopWritersAndNeverCrashReaders) {
  ScratchDir dir;
  const std::string db = dir.file("corrupt.db");
  copy_db(db_, db);
  std::string bytes = read_file(db);
  const std::size_t page = 65536;
  ASSERT_GE(bytes.size(), 4 * page);
  for (std::size_t p = 2; p * page < bytes.size(); p += 3)  // the headers of every third page
    for (std::size_t i = 0; i < 24; ++i) bytes[p * page + i] = static_cast<char>(0xA5 ^ i);
  write_file(db, bytes);
  for (const Args& args : std::vector<Args>{{"resume", "--db", db, "--run", "1", "--budget", "5000", "-q"},
                                           run_args(db, 100, 1),
                                           {"simplify", "--db", db, "--candidate", "1"},
                                           {"measure", "--db", db, "--run", "1"}}) {
    SCOPED_TRACE(show_cmd(args));
    expect_input_error_db_untouched(db, args, "damaged");
  }
  for (const Args& args : std::vector<Args>{{"runs", "--db", db},
                                           {"best", "--db", db, "--run", "1"},
                                           {"pareto", "--db", db, "--run", "1"},
                                           {"show", "--db", db, "--candidate", "1"},
                                           {"export", "--db", db, "--candidate", "1", "--lang", "cpp"}}) {
    const Result r = run_evo(args);
    EXPECT_TRUE(r.code == 0 || r.code == 2) << describe(args, r);
    if (r.code == 2) {
      EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << describe(args, r);
    }
    EXPECT_EQ(read_file(db), bytes) << show_cmd(args);
  }
}

// Every subcommand: an unknown flag, a value of the wrong type and one out of range each
// get one line and exit 2, and leave the database as it was.
TEST_F(EvoBadDatabases, EverySubcommandRefusesBadFlags) {
  const std::string& db = db_;
  const std::vector<std::pair<Args, std::string>> bad_values = {
      {{"resume", "--db", db, "--run", "x"}, "--run"},
      {{"resume", "--db", db, "--run", "1", "--threads", "-1"}, "--threads"},
      {{"runs", "--db", db, "--format", "yaml"}, "--format"},
      {{"best", "--db", db, "--top", "-3"}, "--top"},
      {{"best", "--db", db, "--run", "1.5"}, "--run"},
      {{"pareto", "--db", db, "--run", "zero"}, "--run"},
      {{"show", "--db", db, "--candidate", "1e3"}, "--candidate"},
      {{"export", "--db", db, "--candidate", "1", "--lang", "cobol"}, "cobol"},
      {{"measure", "--db", db, "--run", "-1"}, "--run"},
      {{"speed", "--db", db, "--candidate", "1", "--rounds", "0"}, "--rounds"},
      {{"speed", "--db", db, "--candidate", "1", "--elements", "many"}, "--elements"},
      {{"eval", "--db", db, "--candidate", "one"}, "--candidate"},
      {{"simplify", "--db", db, "--candidate", "1", "--tolerance", "-1"}, "--tolerance"},
      {{"baselines", "--domain", "funcapprox", "--degrees", "9:1"}, "--degrees"},
      {{"baselines", "--domain", "funcapprox", "--degrees", "0:99"}, "--degrees"},
      {{"model", "train", "--out", "/nonexistent_dir/m.safetensors", "--epochs", "0"}, "--epochs"},
      {{"domains", "--format", "xml"}, "--format"},
  };
  for (const auto& [args, mention] : bad_values) {
    SCOPED_TRACE(show_cmd(args));
    expect_input_error_db_untouched(db, args, mention);
  }
  for (const char* cmd : {"run", "resume", "runs", "best", "pareto", "show", "export", "measure", "speed", "eval",
                          "simplify", "baselines", "model", "domains"}) {
    const Args args = {cmd, "--db", db, "--no-such-flag"};
    SCOPED_TRACE(show_cmd(args));
    expect_input_error_db_untouched(db, args);
  }
}

// A full disk (a file-size limit here): the run stops with one line and exit code 1, the
// database stays intact with every batch it committed, and a resume finishes the run.
TEST(EvoDiskFull, TheRunStopsWithOneLineAndKeepsWhatItCommitted) {
  ScratchDir dir;
  const std::string db = dir.file("full.db");
  ok(run_args(db, 500, 2));
  const long long blocks = static_cast<long long>(read_file(db).size()) / 512 + 400;  // ~200 KiB to grow
  Args big = {"resume", "--db", db, "--run", "1", "--budget", "200000", "-q"};
  std::string cmd = "ulimit -f " + std::to_string(blocks) + "; exec " EVO_BINARY;
  for (const auto& a : big) cmd += " '" + a + "'";
  cmd += " >" + dir.file("out") + " 2>" + dir.file("err");
  const int status = std::system(("/bin/sh -c \"" + cmd + "\"").c_str());
  ASSERT_TRUE(WIFEXITED(status)) << "killed by a signal: " << status;
  EXPECT_EQ(WEXITSTATUS(status), 1) << read_file(dir.file("err"));
  const std::string err = read_file(dir.file("err"));
  EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
  EXPECT_NE(err.find("a write failed"), std::string::npos) << err;
  {
    SQLite::Database raw(db, SQLite::OPEN_READWRITE);
    EXPECT_EQ(raw.execAndGet("PRAGMA integrity_check").getString(), "ok");
  }
  const long long committed = evaluations_of(db);
  EXPECT_GE(committed, 500);
  expect_contiguous(candidates_of(db), static_cast<std::size_t>(committed), "after the disk filled");
  ok({"resume", "--db", db, "--run", "1", "--budget", std::to_string(committed + 500), "-q"});
  EXPECT_EQ(run_entry(db)["status"], "done");
}

// A database on a read-only disk, simulated with file modes (as root, which ignores them,
// evo runs as nobody): every reader reads it, every writer refuses it with one line and
// exit code 2, and nothing next to it changes.
// A reader of the output that stops early (`| head -c 1`) ends the query as the signal would
// (exit code 141), but with the database closed: no -wal or -shm file is left behind.
TEST(EvoPipes, AClosedPipeLeavesTheDatabaseClosed) {
  ScratchDir dir;
  const std::string db = dir.file("piped.db");
  ok(run_args(db, 500, 2));
  // Far more JSON than a pipe holds, so evo is still writing when head has gone.
  const std::string cmd = "'" EVO_BINARY "' best --db '" + db + "' --top 100000 --format json 2>'" +
                          dir.file("err") + "' | head -c 1 >/dev/null; exit \\${PIPESTATUS[0]}";
  const int status = std::system(("/bin/bash -c \"" + cmd + "\"").c_str());
  ASSERT_TRUE(WIFEXITED(status)) << status;
  EXPECT_EQ(WEXITSTATUS(status), 141);
  EXPECT_EQ(read_file(dir.file("err")), "");
  EXPECT_FALSE(file_exists(db + "-wal"));
  EXPECT_FALSE(file_exists(db + "-shm"));
}

TEST(EvoReadOnly, ReadersReadItAndWritersRefuseIt) {
  ScratchDir dir;
  const std::string ro = dir.file("ro"), db = ro + "/runs.db";
  ASSERT_EQ(::mkdir(ro.c_str(), 0755), 0);
  ok(run_args(db, 300, 1));
  ASSERT_FALSE(file_exists(db + "-wal")) << "the run left its write-ahead log";
  ASSERT_EQ(::chmod(db.c_str(), 0444), 0);
  ASSERT_EQ(::chmod(ro.c_str(), 0555), 0);
  ASSERT_EQ(::chmod(dir.path().c_str(), 0755), 0);
  auto run = [](const Args& args) {
    if (::geteuid() != 0) return run_evo(args);
    Args as_nobody = {"--reuid=65534", "--regid=65534", "--clear-groups", EVO_BINARY};
    as_nobody.insert(as_nobody.end(), args.begin(), args.end());
    return run_program("setpriv", as_nobody);
  };
  const std::string before = file_digest(db);
  for (const Args& args : std::vector<Args>{{"runs", "--db", db},
                                            {"best", "--db", db, "--run", "1"},
                                            {"pareto", "--db", db, "--run", "1"},
                                            {"show", "--db", db, "--candidate", "5"},
                                            {"export", "--db", db, "--candidate", "5", "--lang", "c"}}) {
    const Result r = run(args);
    EXPECT_EQ(r.code, 0) << describe(args, r);
    EXPECT_FALSE(r.out.empty()) << describe(args, r);
  }
  for (const Args& args : std::vector<Args>{{"resume", "--db", db, "--run", "1", "--budget", "600", "-q"},
                                            run_args(db, 100, 1)}) {
    const Result r = run(args);
    EXPECT_EQ(r.code, 2) << describe(args, r);
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << describe(args, r);
    EXPECT_NE(r.err.find("read-only"), std::string::npos) << describe(args, r);
  }
  EXPECT_EQ(file_digest(db), before);
  EXPECT_FALSE(file_exists(db + "-wal"));
  EXPECT_FALSE(file_exists(db + "-shm"));
  // A file anyone may write in a directory no one may: the log beside it cannot be made,
  // which is said as such rather than as a damaged file.
  ASSERT_EQ(::chmod(db.c_str(), 0666), 0);
  const Result r = run({"resume", "--db", db, "--run", "1", "--budget", "600", "-q"});
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.err.find("directory is not writable"), std::string::npos) << r.err;
  EXPECT_EQ(file_digest(db), before);
  ::chmod(ro.c_str(), 0755);  // so that the scratch directory can be removed
}

// Another user reads a database in a directory everyone may write (as /tmp): nothing of
// theirs stays beside it, so its owner's next run can still open its log. (As root, the
// other user is nobody; otherwise the owner's own write permission is taken away and given
// back.)
TEST(EvoReadOnly, AnotherUsersQueryLeavesTheOwnersRunWorking) {
  ScratchDir dir;
  const std::string shared = dir.file("shared"), db = shared + "/runs.db";
  ASSERT_EQ(::mkdir(shared.c_str(), 0777), 0);
  ASSERT_EQ(::chmod(shared.c_str(), 01777), 0);
  ASSERT_EQ(::chmod(dir.path().c_str(), 0755), 0);
  ok(run_args(db, 300, 1));
  ASSERT_FALSE(file_exists(db + "-wal")) << "the run left its write-ahead log";
  const bool root = ::geteuid() == 0;
  if (!root) {
    ASSERT_EQ(::chmod(db.c_str(), 0444), 0);
  }
  auto as_other_user = [&](const Args& args) {
    if (!root) return run_evo(args);
    Args as_nobody = {"--reuid=65534", "--regid=65534", "--clear-groups", EVO_BINARY};
    as_nobody.insert(as_nobody.end(), args.begin(), args.end());
    return run_program("setpriv", as_nobody);
  };
  const std::string before = file_digest(db);
  for (const Args& args : std::vector<Args>{{"runs", "--db", db}, {"best", "--db", db, "--run", "1"}}) {
    const Result r = as_other_user(args);
    EXPECT_EQ(r.code, 0) << describe(args, r);
    EXPECT_FALSE(r.out.empty()) << describe(args, r);
  }
  EXPECT_FALSE(file_exists(db + "-wal"));
  EXPECT_FALSE(file_exists(db + "-shm"));
  EXPECT_EQ(file_digest(db), before);
  if (!root) {
    ASSERT_EQ(::chmod(db.c_str(), 0644), 0);
  }
  ok({"resume", "--db", db, "--run", "1", "--budget", "600", "-q"});
  EXPECT_EQ(run_entry(db)["evaluations"], 600);
}

TEST_F(EvoBadDatabases, UnwritableLocation) {
  const Args args = run_args("/nonexistent_dir/x.db", 100, 1);
  expect_input_error(args, "/nonexistent_dir/x.db");
  EXPECT_FALSE(file_exists("/nonexistent_dir/x.db"));
}

TEST_F(EvoBadDatabases, ReadCommandsDoNotCreateMissingDatabases) {
  ScratchDir dir;
  const std::string db = dir.file("missing.db");
  const std::vector<Args> commands = {
      {"runs", "--db", db},
      {"best", "--db", db},
      {"show", "--db", db, "--candidate", "1"},
      {"export", "--db", db, "--candidate", "1", "--lang", "cpp"},
      {"eval", "--db", db, "--candidate", "1"},
      {"resume", "--db", db, "--run", "1", "-q"},
  };
  for (const auto& args : commands) {
    SCOPED_TRACE(show_cmd(args));
    expect_input_error(args, db);
    EXPECT_FALSE(file_exists(db)) << show_cmd(args) << " created " << db;
    EXPECT_FALSE(file_exists(db + "-wal"));
    EXPECT_FALSE(file_exists(db + "-shm"));
  }
}

TEST_F(EvoCli, BestUnderABoundPicksTheCheapestAccurateEnough) {
  const json top = best(3);
  const double bound = top[2]["objectives"]["error"].get<double>();
  char limit[64];
  std::snprintf(limit, sizeof limit, "error<=%.17g", bound * (1 + 1e-12));
  const json picked = ok_json(
      {"best", "--db", db_, "--run", "1", "--objective", "cost", "--where", limit, "--top", "50", "--format", "json"});
  ASSERT_FALSE(picked.empty());
  double min_cost_of_top = 1e300;
  for (const auto& c : top) min_cost_of_top = std::min(min_cost_of_top, c["objectives"]["cost"].get<double>());
  EXPECT_LE(picked[0]["objectives"]["cost"].get<double>(), min_cost_of_top);
  for (const auto& c : picked) {
    EXPECT_LE(c["objectives"]["error"].get<double>(), bound * (1 + 1e-12)) << c.dump();
    EXPECT_GE(c["objectives"]["cost"].get<double>(), picked[0]["objectives"]["cost"].get<double>());
  }
  expect_input_error({"best", "--db", db_, "--where", "error=1"}, "--where");
  // A bound nothing meets: the table says so rather than end at its header.
  const Result none = run_evo({"best", "--db", db_, "--where", "error>=1e300"});
  EXPECT_EQ(none.code, 0) << none.err;
  EXPECT_NE(none.out.find("no valid candidate meets --where"), std::string::npos) << none.out;
  expect_input_error({"best", "--db", db_, "--where", "speed<=1"}, "speed");
}

TEST_F(EvoCli, ParetoFrontIsNonDominatedAndHoldsBothExtremes) {
  const json front = ok_json({"pareto", "--db", db_, "--run", "1", "--format", "json"});
  ASSERT_TRUE(front.is_array());
  ASSERT_GE(front.size(), 2u);
  auto obj = [](const json& c, const char* k) { return c["objectives"][k].get<double>(); };
  for (const auto& a : front)
    for (const auto& b : front) {
      if (a["candidate"] == b["candidate"]) continue;
      const bool dominates = obj(a, "error") <= obj(b, "error") && obj(a, "cost") <= obj(b, "cost");
      EXPECT_FALSE(dominates) << a.dump() << " dominates " << b.dump();
    }
  // The most accurate candidate and the cheapest one are on the front (up to equal objectives).
  const json by_error = ok_json({"best", "--db", db_, "--run", "1", "--top", "1", "--format", "json"});
  const json by_cost =
      ok_json({"best", "--db", db_, "--run", "1", "--top", "1", "--objective", "cost", "--format", "json"});
  auto on_front = [&](const json& c) {
    for (const auto& f : front)
      if (obj(f, "error") == obj(c, "error") && obj(f, "cost") == obj(c, "cost")) return true;
    return false;
  };
  EXPECT_TRUE(on_front(by_error[0])) << by_error.dump();
  EXPECT_TRUE(on_front(by_cost[0])) << by_cost.dump();
  // Sorted by the primary objective, and the table lists as many rows.
  for (std::size_t i = 1; i < front.size(); ++i) EXPECT_LE(obj(front[i - 1], "error"), obj(front[i], "error"));
  const Result table = run_evo({"pareto", "--db", db_, "--run", "1"});
  EXPECT_EQ(table.code, 0);
  EXPECT_NE(table.out.find(std::to_string(front.size()) + " candidates on the Pareto front"), std::string::npos)
      << table.out;
}

// ---------------------------------------------------------------------------------------
// One writer at a time; damaged files; lists with repeated items.

TEST(EvoWriters, ASecondWriterIsRefusedWhileARunIsLive) {
  ScratchDir dir;
  const std::string db = dir.file("busy.db");
  const int pid = start_evo(run_args(db, 100000000, 1));
  ASSERT_GT(wait_for_commit(db), 0) << "the run never committed a batch";
  // A run, and a resume of the live run, are refused while it writes; readers are not.
  expect_input_error(run_args(db, 1000, 1), "being written");
  expect_input_error({"resume", "--db", db, "--run", "1", "--budget", "200000000", "-q"}, "being written");
  EXPECT_EQ(run_evo({"runs", "--db", db}).code, 0);
  ::kill(pid, SIGTERM);
  EXPECT_EQ(wait_evo(pid), 128 + SIGTERM);
  EXPECT_EQ(run_entry(db)["status"], "interrupted");
  // Once it has stopped, a new run may write.
  const Result r = run_evo(run_args(db, 500, 1));
  EXPECT_EQ(r.code, 0) << describe(run_args(db, 500, 1), r);
}

// A run killed without a word keeps status 'running' and its writer's pid; once that pid
// belongs to another program (after a reboot, or reused), the run is not taken as live.
TEST(EvoWriters, APidNowOfAnotherProgramDoesNotBlockTheResume) {
  ScratchDir dir;
  const std::string db = dir.file("reused.db");
  ok(run_args(db, 500, 1));
  {
    SQLite::Database raw(db, SQLite::OPEN_READWRITE);
    // This test's own process: alive, on this host, and not evo.
    raw.exec("UPDATE runs SET status = 'running', pid = " + std::to_string(::getpid()) + " WHERE id = 1");
  }
  ok({"resume", "--db", db, "--run", "1", "--budget", "1000", "-q"});
  EXPECT_EQ(run_entry(db)["status"], "done");
}

TEST(EvoBadInputSettings, RepeatedOpsAreRefused) {
  ScratchDir dir;
  Args args = run_args(dir.file("x.db"), 1000, 1);
  args.push_back("--set");
  args.push_back("ops=add,add");
  expect_input_error(args, "twice");
  EXPECT_FALSE(file_exists(dir.file("x.db")));
}

TEST_F(EvoBadDatabases, DamagedPagesGiveExitTwo) {
  ScratchDir dir;
  const std::string db = dir.file("damaged.db");
  copy_db(db_, db);
  // Keep the first page (header and schema), overwrite the rest with garbage.
  std::string bytes = read_file(db);
  ASSERT_GT(bytes.size(), 65536u * 2);
  for (std::size_t i = 65536; i < bytes.size(); ++i) bytes[i] = static_cast<char>(0xA5 ^ (i * 31));
  write_file(db, bytes);
  const std::string before = file_digest(db);
  for (const Args& args : std::vector<Args>{{"runs", "--db", db}, {"best", "--db", db, "--run", "1"},
                                            {"show", "--db", db, "--candidate", "5"}}) {
    const Result r = run_evo(args);
    EXPECT_EQ(r.code, 2) << describe(args, r);
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << describe(args, r);
  }
  EXPECT_EQ(file_digest(db), before);
}

// A run stored before a setting existed resumes as it was made: its settings lack the key,
// and resume takes the value that keeps its behaviour (fit_start=current), whatever the
// default. Also checks that the two values search differently, so the test can fail.
TEST(EvoDeterminism, ARunStoredBeforeASettingExistedResumesAsItWas) {
  constexpr int kFull = 2560, kHalf = 1000;
  ScratchDir dir;
  const std::string whole = dir.file("whole.db"), halves = dir.file("halves.db"), series = dir.file("series.db");
  auto with = [](Args args, const std::string& setting) {
    args.insert(args.begin() + 1, {"--set", setting});
    return args;
  };
  ok(with(run_args(whole, kFull, 2), "fit_start=current"));
  ok(with(run_args(series, kFull, 2), "fit_start=series"));
  ok(with(run_args(halves, kHalf, 1), "fit_start=current"));
  {
    SQLite::Database handle(halves, SQLite::OPEN_READWRITE);
    handle.exec("UPDATE runs SET settings = json_remove(settings, '$.fit_start') WHERE id = 1");
  }
  EXPECT_EQ(run_entry(halves)["settings"].count("fit_start"), 0u) << run_entry(halves).dump();
  ok({"resume", "--db", halves, "--run", "1", "--budget", std::to_string(kFull), "--threads", "2", "-q"});
  expect_same_candidates(candidates_of(whole), candidates_of(halves), "fit_start=current vs an older run resumed");
  const auto a = candidates_of(whole), b = candidates_of(series);
  ASSERT_EQ(a.size(), b.size());
  int differ = 0;
  for (std::size_t i = 0; i < a.size(); ++i) differ += a[i].program != b[i].program;
  EXPECT_GT(differ, 0) << "fit_start=series and fit_start=current gave identical programs";
}

}  // namespace
}  // namespace evo::test
