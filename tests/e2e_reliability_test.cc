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

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <SQLiteCpp/SQLiteCpp.h>

#include "store/checkpoint.h"
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

// A small in-memory cache (cache_size) answers fewer children, and a run stopped and
// resumed with it still gives exactly the candidates of the same run uninterrupted: the
// resume reloads the entries the uninterrupted run's cache held, cache use included.
TEST(EvoResourceBounds, SmallCacheStopAndResumeEqualsUninterrupted) {
  constexpr int kFull = 3000, kPart = 1100;
  ScratchDir dir;
  const std::string whole = dir.file("whole.db"), parts = dir.file("parts.db"), roomy = dir.file("roomy.db");
  auto small = [](Args a) {
    a.insert(a.end(), {"--set", "cache_size=40"});
    return a;
  };
  ok(small(run_args(whole, kFull, 2)));
  ok(small(run_args(parts, kPart, 1)));
  ok({"resume", "--db", parts, "--run", "1", "--budget", "2000", "--threads", "2", "-q"});
  ok({"resume", "--db", parts, "--run", "1", "--budget", std::to_string(kFull), "--threads", "1", "-q"});
  const auto a = candidates_of(whole);
  expect_contiguous(a, kFull, "small-cache run");
  expect_same_candidates(a, candidates_of(parts), "uninterrupted vs stopped twice and resumed (cache_size=40)");

  // The bound acts: the default cache answers more children.
  ok(run_args(roomy, kFull, 2));
  const auto b = candidates_of(roomy);
  ASSERT_EQ(a.size(), b.size());
  long long hits_small = 0, hits_roomy = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    hits_small += a[i].cache_hit;
    hits_roomy += b[i].cache_hit;
  }
  EXPECT_LT(hits_small, hits_roomy);
  EXPECT_EQ(run_entry(whole)["stats"]["cache_hits"].get<long long>(), hits_small);
}

// keep_programs=K: only the best K, the Pareto front and the population (with the
// unfinished batch) keep their program text; every other candidate keeps all the rest. The
// search is the same as without it, a stopped and resumed run drops exactly the same
// programs, and asking for a dropped program is one clear line (exit 2).
TEST(EvoResourceBounds, KeepProgramsKeepsTheBestTheFrontAndThePopulation) {
  constexpr int kFull = 3000, kBest = 20;
  ScratchDir dir;
  const std::string all = dir.file("all.db"), kept = dir.file("kept.db"), parts = dir.file("parts.db");
  auto keep = [](Args a) {
    a.insert(a.end(), {"--set", "keep_programs=" + std::to_string(kBest)});
    return a;
  };
  ok(run_args(all, kFull, 2));
  ok(keep(run_args(kept, kFull, 2)));
  const auto a = candidates_of(all), k = candidates_of(kept);
  ASSERT_EQ(a.size(), k.size());
  std::set<long long> with_program;
  std::int64_t dropped = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    CandidateRow x = a[i];
    if (!k[i].program.empty()) with_program.insert(k[i].id);
    else x.program.clear(), dropped = k[i].id;
    expect_same_candidates({x}, {k[i]}, "keep_programs vs all, candidate " + std::to_string(i));
  }

  std::set<long long> needed;
  for (const json& c : ok_json({"best", "--db", kept, "--run", "1", "--top", std::to_string(kBest), "--format", "json"}))
    needed.insert(c["candidate"].get<long long>());
  EXPECT_EQ(needed.size(), static_cast<std::size_t>(kBest));
  const json front = ok_json({"pareto", "--db", kept, "--run", "1", "--format", "json"});
  ASSERT_FALSE(front.empty());
  for (const json& c : front) needed.insert(c["candidate"].get<long long>());
  {
    SQLite::Database db(kept, SQLite::OPEN_READONLY);
    const auto state = load_checkpoint(db, 1);
    ASSERT_TRUE(state.has_value());
    ASSERT_EQ(state->population.size(), 100u);
    needed.insert(state->population.begin(), state->population.end());
    needed.insert(state->pending.begin(), state->pending.end());
  }
  EXPECT_EQ(with_program, needed) << "kept programs other than the best, the front and the population";
  EXPECT_LT(with_program.size(), a.size() / 10);

  ok(keep(run_args(parts, 1100, 1)));
  ok({"resume", "--db", parts, "--run", "1", "--budget", std::to_string(kFull), "--threads", "2", "-q"});
  expect_same_candidates(k, candidates_of(parts), "keep_programs: uninterrupted vs stopped and resumed");

  ASSERT_NE(dropped, 0);
  const std::string before = file_digest(kept);
  for (const char* cmd : {"show", "export"}) {
    const Args args = {cmd, "--db", kept, "--candidate", std::to_string(dropped)};
    const Result r = run_evo(args);
    EXPECT_EQ(r.code, 2) << describe(args, r);
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << describe(args, r);
    EXPECT_NE(r.err.find("was not kept"), std::string::npos) << describe(args, r);
  }
  // `best` whose first row was not kept says so, rather than print an empty program.
  std::map<double, int> kept_with_error;  // how many candidates with this error kept their program
  for (const auto& c : k)
    if (c.valid) kept_with_error[c.objectives.at(0).second] += !c.program.empty();
  const auto all_dropped = std::find_if(kept_with_error.begin(), kept_with_error.end(), [](const auto& e) { return e.second == 0; });
  ASSERT_NE(all_dropped, kept_with_error.end());
  char value[32];
  std::snprintf(value, sizeof value, "%.17g", all_dropped->first);
  const Args best = {"best", "--db", kept, "--where", std::string("error>=") + value, "--where", std::string("error<=") + value};
  const Result table = ok(best);
  EXPECT_NE(table.out.find("not kept; run 1 keeps only its best programs (keep_programs=20)"), std::string::npos)
      << describe(best, table);
  Args as_json = best;
  as_json.insert(as_json.end(), {"--format", "json"});
  const json rows = ok_json(as_json);
  ASSERT_FALSE(rows.empty());
  EXPECT_TRUE(rows[0]["program"].is_null()) << rows[0].dump();
  EXPECT_EQ(file_digest(kept), before);
}

}  // namespace
}  // namespace evo::test
