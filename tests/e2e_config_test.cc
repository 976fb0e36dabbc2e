// End-to-end tests of run configuration files: `evo run --config FILE`, flags over the file,
// `--print-config`, and the configuration a run stores for `evo resume`.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/e2e_support.h"

namespace evo::test {
namespace {

using nlohmann::json;

std::vector<std::string> flags_run(const std::string& db) {
  return {"run",  "--domain", "funcapprox", "--set",   "target=exp2", "--set", "max_ops=8", "--set", "population=60",
          "--budget", "700", "--seed", "4", "--threads", "2", "--db", db, "-q"};
}

json runs_of(const std::string& db) { return json::parse(run_evo({"runs", "--db", db, "--format", "json"}).out); }

// Candidates of run 1 as (program, objectives): what "the same search" means.
std::string candidates_of(const std::string& db) {
  const Result r = run_program("sqlite3", {db, "SELECT birth, program, objectives FROM candidates WHERE run_id = 1 ORDER BY birth"});
  EXPECT_EQ(r.code, 0) << r.err;
  return r.out;
}

TEST(ConfigCli, APrintedConfigurationRunsTheSameSearch) {
  ScratchDir dir;
  std::vector<std::string> print = flags_run(dir.file("flags.db"));
  print.push_back("--print-config");
  const Result printed = run_evo(print);
  ASSERT_EQ(printed.code, 0) << printed.err;
  EXPECT_FALSE(file_exists(dir.file("flags.db"))) << "--print-config writes nothing";
  EXPECT_NE(printed.out.find("[settings]"), std::string::npos);
  EXPECT_NE(printed.out.find("max_ops = 8"), std::string::npos) << printed.out;
  EXPECT_NE(printed.out.find("# tournament = 10"), std::string::npos) << "defaults are listed as comments";

  ASSERT_EQ(run_evo(flags_run(dir.file("flags.db"))).code, 0);
  write_file(dir.file("run.toml"), printed.out);
  // The file names flags.db; the flag points the run elsewhere.
  const Result from_file = run_evo({"run", "--config", dir.file("run.toml"), "--db", dir.file("file.db")});
  ASSERT_EQ(from_file.code, 0) << from_file.err;
  EXPECT_EQ(from_file.err, "") << "quiet = true came from the file";
  EXPECT_EQ(candidates_of(dir.file("file.db")), candidates_of(dir.file("flags.db")));
  EXPECT_EQ(runs_of(dir.file("file.db"))[0]["settings"], runs_of(dir.file("flags.db"))[0]["settings"]);
}

TEST(ConfigCli, FlagsWinOverTheFileKeyByKey) {
  ScratchDir dir;
  write_file(dir.file("run.toml"), R"(# a search for 2^x
domain = "funcapprox"
name = "from-file"
budget = 500
seed = 2
threads = 1

[settings]
target = "exp2"
max_ops = 8
ops = ["add", "mul", "fma"]   # joined with commas
collision_check = 0.05
population = 40
)");
  const std::string db = dir.file("r.db");
  const Result r = run_evo({"run", "--config", dir.file("run.toml"), "--budget", "300", "--set", "max_ops=6", "--db", db, "-q"});
  ASSERT_EQ(r.code, 0) << r.err;
  const json run = runs_of(db)[0];
  EXPECT_EQ(run["name"], "from-file");
  EXPECT_EQ(run["budget"], 300);
  EXPECT_EQ(run["seed"], 2);
  EXPECT_EQ(run["settings"]["max_ops"], "6");
  EXPECT_EQ(run["settings"]["ops"], "add,mul,fma");
  EXPECT_EQ(run["engine"]["collision_check"], "0.05");
  EXPECT_EQ(run["engine"]["population"], "40");
}

TEST(ConfigCli, ResumeNeedsOnlyTheRunsId) {
  ScratchDir dir;
  const std::string db = dir.file("r.db");
  write_file(dir.file("run.toml"), "domain = \"funcapprox\"\nbudget = 400\nthreads = 1\nmeasure = false\nquiet = true\nstop_at = 1e-30\n"
                                   "[settings]\npopulation = 40\n");
  ASSERT_EQ(run_evo({"run", "--config", dir.file("run.toml"), "--db", db, "-q"}).code, 0);
  // The stored configuration comes back with the flags given now on top.
  const Result shown = run_evo({"resume", "--db", db, "--run", "1", "--budget", "800", "--threads", "2", "--print-config"});
  ASSERT_EQ(shown.code, 0) << shown.err;
  for (const char* line : {"budget = 800\n", "threads = 2\n", "population = 40\n"})
    EXPECT_NE(shown.out.find(line), std::string::npos) << line << " in\n" << shown.out;
  // When to stop and what to print belong to the session that said so.
  for (const char* key : {"\nstop_at =", "\nquiet =", "\nmeasure ="})
    EXPECT_EQ(shown.out.find(key), std::string::npos) << key << " in\n" << shown.out;
  EXPECT_EQ(runs_of(db)[0]["evaluations"], 400) << "--print-config writes nothing";

  const Result resumed = run_evo({"resume", "--db", db, "--run", "1", "--budget", "800"});
  ASSERT_EQ(resumed.code, 0) << resumed.err;
  EXPECT_EQ(runs_of(db)[0]["evaluations"], 800);
  EXPECT_NE(resumed.err.find("resuming at 400 evaluations"), std::string::npos) << resumed.err;
}

TEST(ConfigCli, AnyRunNameReadsBack) {
  ScratchDir dir;
  const std::string db = dir.file("r.db");
  const std::string name = "a'''b\nc \"d\" \\ e\t";
  const Result run = run_evo({"run", "--domain", "funcapprox", "--set", "population=40", "--budget", "200",
                              "--name", name, "--db", db, "-q"});
  ASSERT_EQ(run.code, 0) << run.err;
  const Result printed = run_evo({"resume", "--db", db, "--run", "1", "--print-config"});
  ASSERT_EQ(printed.code, 0) << printed.err;
  write_file(dir.file("again.toml"), printed.out);
  const Result again = run_evo({"run", "--config", dir.file("again.toml"), "--db", dir.file("again.db"), "-q"});
  ASSERT_EQ(again.code, 0) << again.err;
  EXPECT_EQ(runs_of(dir.file("again.db"))[0]["name"], name);
  EXPECT_EQ(candidates_of(dir.file("again.db")), candidates_of(db));
  // In a table the name keeps to its row: a header and one line for the run.
  const Result table = run_evo({"runs", "--db", db});
  ASSERT_EQ(table.code, 0) << table.err;
  EXPECT_EQ(std::count(table.out.begin(), table.out.end(), '\n'), 2) << table.out;
  EXPECT_NE(table.out.find("b\\x0ac"), std::string::npos) << table.out;
}

// Columns are counted as a terminal shows them, not in bytes: a name in another script keeps
// the columns after it under their headers.
TEST(ConfigCli, ANameInAnyScriptKeepsTheTableColumns) {
  ScratchDir dir;
  const std::string db = dir.file("r.db");
  // 11 columns: Greek letters one each, e and a combining acute accent one, CJK two each.
  const std::string name = "\u03bb-\u0394\u03a9 e\u0301 \u6307\u6570";
  const Result run = run_evo(
      {"run", "--domain", "funcapprox", "--set", "population=40", "--budget", "80", "--name", name, "--db", db, "-q"});
  ASSERT_EQ(run.code, 0) << run.err;
  const Result table = run_evo({"runs", "--db", db});
  ASSERT_EQ(table.code, 0) << table.err;
  // The name's field is 16 columns and one space follows it, as in the header.
  EXPECT_NE(table.out.find("name             domain"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("1     " + name + std::string(16 - 11 + 1, ' ') + "funcapprox"), std::string::npos)
      << table.out;
  // A name longer than 16 columns widens the column for every row.
  const std::string long_name = "exp2 on [0,1], seed 4, fit_start=series";  // 39 columns
  ASSERT_EQ(run_evo({"run", "--domain", "funcapprox", "--set", "population=40", "--budget", "80", "--name", long_name,
                     "--db", db, "-q"}).code, 0);
  const Result wide = run_evo({"runs", "--db", db});
  ASSERT_EQ(wide.code, 0) << wide.err;
  EXPECT_NE(wide.out.find("name" + std::string(39 - 4 + 1, ' ') + "domain"), std::string::npos) << wide.out;
  EXPECT_NE(wide.out.find("1     " + name + std::string(39 - 11 + 1, ' ') + "funcapprox"), std::string::npos) << wide.out;
  EXPECT_NE(wide.out.find("2     " + long_name + " funcapprox"), std::string::npos) << wide.out;
}

TEST(ConfigCli, ResumeAppliesTheStoredLogLevel) {
  ScratchDir dir;
  const std::string db = dir.file("r.db");
  write_file(dir.file("run.toml"), "domain = \"funcapprox\"\nbudget = 128\nlog_level = \"debug\"\nquiet = true\n"
                                   "[settings]\npopulation = 40\n");
  const Result first = run_evo({"run", "--config", dir.file("run.toml"), "--db", db});
  ASSERT_EQ(first.code, 0) << first.err;
  EXPECT_NE(first.err.find("debug"), std::string::npos) << first.err;
  const Result resumed = run_evo({"resume", "--db", db, "--run", "1", "--budget", "256", "-q"});
  ASSERT_EQ(resumed.code, 0) << resumed.err;
  EXPECT_NE(resumed.err.find("debug"), std::string::npos) << "the stored log level applies again:\n" << resumed.err;
  const Result quieter = run_evo({"resume", "--db", db, "--run", "1", "--budget", "384", "-q", "--log-level", "warn"});
  ASSERT_EQ(quieter.code, 0) << quieter.err;
  EXPECT_EQ(quieter.err, "") << "a flag wins over the stored level";
}

// What `evo run --mpi --rank-timeout 5 --print-config` prints reads back without --mpi: the
// file's rank_timeout applies only to a run started with --mpi, while the flag alone is refused.
TEST(ConfigCli, AFileRankTimeoutWaitsForMpi) {
  ScratchDir dir;
  write_file(dir.file("mpi.toml"), "domain = \"funcapprox\"\nbudget = 200\nrank_timeout = 5.0\nquiet = true\n");
  const Result printed = run_evo({"run", "--config", dir.file("mpi.toml"), "--db", dir.file("r.db"), "--print-config"});
  ASSERT_EQ(printed.code, 0) << printed.err;
  EXPECT_EQ(printed.out.find("rank_timeout"), std::string::npos) << printed.out;
  EXPECT_FALSE(file_exists(dir.file("r.db"))) << "--print-config writes nothing";
  expect_input_error({"run", "--domain", "funcapprox", "--rank-timeout", "5", "--db", dir.file("r.db")});
}

TEST(ConfigCli, BadConfigurationIsOneLineAndExitTwo) {
  ScratchDir dir;
  const std::string db = dir.file("r.db");
  auto refused = [&](const std::string& text, const std::string& says) {
    write_file(dir.file("bad.toml"), text);
    expect_input_error({"run", "--config", dir.file("bad.toml"), "--db", db});
    const Result r = run_evo({"run", "--config", dir.file("bad.toml"), "--db", db});
    EXPECT_NE(r.err.find(says), std::string::npos) << r.err;
  };
  refused("domain = \"funcapprox\"\nbudget = = 3\n", "bad.toml:2:");
  refused("domain = \"funcapprox\"\nbugdet = 3\n", "unknown key 'bugdet'");
  refused("domain = \"funcapprox\"\nsettings = 3\n", "settings must be a table");
  refused("domain = \"funcapprox\"\nquiet = \"yes\"\n", "quiet must be true or false");
  refused("domain = \"funcapprox\"\n[settings]\nmax_opps = 3\n", "max_opps");
  // A value out of the flag's range is placed in the file.
  refused("domain = \"funcapprox\"\nbudget = -5\n", "bad.toml:2:10: budget must be a positive integer");
  refused("domain = \"funcapprox\"\nthreads = 0\n", "bad.toml:2:11: threads must be a positive integer");
  refused("domain = \"funcapprox\"\ntime_limit = -1\n", "bad.toml:2:14: time_limit must be a positive number");
  refused("domain = \"funcapprox\"\nseed = -2\n", "bad.toml:2:8: seed must be a non-negative integer");
  refused("domain = \"funcapprox\"\n[settings]\nwhen = 1979-05-27\n", "when must be");
  refused("domain = \"funcapprox\"\nseed = 1.5\n", "bad.toml:2:8: seed must be an integer");
  refused("domain = \"funcapprox\"\nbudget = true\n", "budget must be an integer");
  refused("domain = 3\n", "domain must be a string");
  refused("domain = \"funcapprox\"\nislands = 2\n", "unknown key 'islands'");
  expect_input_error({"run", "--config", dir.path(), "--db", db});
  expect_input_error({"run", "--config", dir.file("missing.toml"), "--db", db});
  EXPECT_FALSE(file_exists(db));
}

}  // namespace
}  // namespace evo::test
