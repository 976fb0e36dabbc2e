// Crash-proof runs, end to end: a seeded run killed at random moments (kill -9, SIGINT,
// SIGTERM) and resumed each time loses and duplicates nothing it committed, keeps an
// intact database, and ends with exactly the candidates of the same run uninterrupted;
// readers run against a live run never fail.
//
// The kill test's size comes from the environment so that bench/kill_test.sh can run the
// long version (>= 50 kills) with the same code: EVO_KILL_ROUNDS (default 6),
// EVO_KILL_BUDGET (candidates, default 6000), EVO_KILL_SEED (the schedule, default 1).
#include <gtest/gtest.h>

#include <signal.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <SQLiteCpp/SQLiteCpp.h>

#include "tests/e2e_runs.h"
#include "tests/e2e_support.h"

namespace evo::test {
namespace {

using nlohmann::json;

long long env_or(const char* name, long long fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::atoll(v) : fallback;
}

// `PRAGMA integrity_check` as a user would run it after a crash (a read-write connection,
// so SQLite may recover the WAL first).
std::string integrity(const std::string& db) {
  SQLite::Database handle(db, SQLite::OPEN_READWRITE);
  SQLite::Statement q(handle, "PRAGMA integrity_check");
  std::string out;
  while (q.executeStep()) out += q.getColumn(0).getString() + ";";
  return out;
}

const char* signal_name(int sig) { return sig == SIGKILL ? "SIGKILL" : sig == SIGINT ? "SIGINT" : "SIGTERM"; }

TEST(EvoKill, RandomKillsLoseNothingAndResumeEqualsUninterrupted) {
  const long long rounds = env_or("EVO_KILL_ROUNDS", 6);
  const long long budget = env_or("EVO_KILL_BUDGET", 6000);
  std::mt19937_64 schedule(static_cast<std::uint64_t>(env_or("EVO_KILL_SEED", 1)));
  ScratchDir dir;
  const std::string killed = dir.file("killed.db"), whole = dir.file("whole.db");
  const Args first = run_args(killed, budget, 2);
  const Args resume = {"resume", "--db", killed, "--run", "1", "--budget", std::to_string(budget), "--threads", "2", "-q"};

  std::vector<CandidateRow> committed;  // what the database held after the previous kill
  long long kills = 0, checks = 0;
  std::map<int, long long> by_signal;
  bool finished = false;
  for (long long round = 0; round < rounds && !finished; ++round) {
    const int pid = start_evo(round == 0 ? first : resume);
    if (round == 0) {
      ASSERT_GT(wait_for_commit(killed), 0) << "the run never committed a batch";
    }
    // Anywhere from the resume's start-up to several batches in.
    std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(20, 600)(schedule)));
    const double pick = std::uniform_real_distribution<double>(0, 1)(schedule);
    const int sig = pick < 0.7 ? SIGKILL : pick < 0.85 ? SIGINT : SIGTERM;
    ::kill(pid, sig);
    const int code = wait_evo(pid);
    const std::string what = "after kill " + std::to_string(round + 1) + " (" + signal_name(sig) + ")";
    if (code == 0) {
      finished = true;  // the run ended before the signal came
    } else {
      ASSERT_EQ(code, 128 + sig) << what;
      ++kills;
      ++by_signal[sig];
    }
    ASSERT_EQ(integrity(killed), "ok;") << what;
    const auto now = candidates_of(killed);
    const long long evaluations = evaluations_of(killed);
    expect_contiguous(now, static_cast<std::size_t>(evaluations), what);
    ASSERT_GE(now.size(), committed.size()) << what << ": committed candidates lost";
    expect_same_candidates(committed, std::vector<CandidateRow>(now.begin(), now.begin() + static_cast<long>(committed.size())),
                           what + ": the candidates committed before it");
    if (::testing::Test::HasFailure()) return;
    committed = now;
    ++checks;
  }
  if (!finished) ok(resume);
  const json entry = run_entry(killed);
  EXPECT_EQ(entry["status"], "done") << entry.dump(2);
  EXPECT_EQ(entry["evaluations"], budget) << entry.dump(2);
  ok(run_args(whole, budget, 2));
  expect_same_candidates(candidates_of(whole), candidates_of(killed), "uninterrupted vs killed and resumed");
  EXPECT_GE(kills, rounds / 2) << "most rounds should have been killed before the run ended; raise EVO_KILL_BUDGET";
  std::printf("kill test: %lld kills (SIGKILL %lld, SIGINT %lld, SIGTERM %lld) of a %lld-candidate run, %lld "
              "integrity checks ok, 0 committed candidates lost or duplicated, final candidates %s\n",
              kills, by_signal[SIGKILL], by_signal[SIGINT], by_signal[SIGTERM], budget, checks,
              ::testing::Test::HasFailure() ? "DIFFERENT" : "identical to the uninterrupted run");
}

// Every read-only command, in a loop, while a run commits batches: none may fail (in
// particular not with "database is locked").
TEST(EvoReaders, NeverFailWhileARunWrites) {
  ScratchDir dir;
  const std::string db = dir.file("live.db");
  const int pid = start_evo(run_args(db, 100000000, 2));
  const long long first = wait_for_commit(db);
  ASSERT_GT(first, 0) << "the run never committed a batch";
  const auto t0 = std::chrono::steady_clock::now();
  int reads = 0;
  long long last_evaluations = 0;
  while (std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() < 4) {
    const json best = ok_json({"best", "--db", db, "--run", "1", "--top", "1", "--format", "json"});
    ASSERT_TRUE(best.is_array() && !best.empty()) << best.dump();
    const std::string id = std::to_string(best[0]["candidate"].get<long long>());
    ok({"runs", "--db", db});
    ok({"pareto", "--db", db, "--run", "1"});
    ok({"show", "--db", db, "--candidate", id});
    ok({"export", "--db", db, "--candidate", id, "--lang", "cpp"});
    const long long e = evaluations_of(db);
    EXPECT_GE(e, last_evaluations);
    last_evaluations = e;
    reads += 6;
    if (::testing::Test::HasFailure()) break;
  }
  ::kill(pid, SIGINT);
  EXPECT_EQ(wait_evo(pid), 130) << "the run should still have been running";
  EXPECT_GT(reads, 12);
  EXPECT_GT(evaluations_of(db), first) << "the writer made no progress while the readers read";
}

}  // namespace
}  // namespace evo::test
