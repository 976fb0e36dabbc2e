// `evo run --domain external`, end to end: a user's evaluator that crashes, exits with an
// error, answers garbage, refuses or hangs on some candidates never stops the run; each
// such candidate is stored invalid with the reason; the run is the same for any thread
// count; bad settings are refused before anything is written.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <algorithm>
#include <map>
#include <string>

#include <SQLiteCpp/SQLiteCpp.h>

#include "tests/e2e_runs.h"
#include "tests/e2e_support.h"

namespace evo::test {
namespace {

const std::string kMixed = "python3 " EVO_SOURCE_DIR "/tests/data/misbehaving_evaluator.py mixed";

Args external_run(const std::string& db, const std::string& mode, int threads) {
  return {"run", "--domain", "external", "--set", "command=" + kMixed, "--set", "genome=reals", "--set", "length=2",
          "--set", "lo=0", "--set", "hi=1", "--set", "timeout=1", "--set", "mode=" + mode, "--set", "population=40",
          "--budget", "120", "--seed", "3", "--threads", std::to_string(threads), "--db", db, "-q"};
}

// How many stored candidates failed for each reason (the reason's first words).
std::map<std::string, int> failures(const std::vector<CandidateRow>& rows) {
  std::map<std::string, int> out;
  for (const auto& c : rows) {
    if (c.valid) continue;
    const std::string& r = c.invalid_reason;
    std::string kind = r.rfind("evaluator killed by signal 11", 0) == 0   ? "crash"
                       : r.rfind("evaluator exited with code 3: bad day", 0) == 0 ? "exit3"
                       : r.rfind("malformed answer (not JSON)", 0) == 0    ? "garbage"
                       : r.rfind("evaluator timed out after 1 s", 0) == 0  ? "hang"
                       : r.rfind("evaluator: refused", 0) == 0             ? "refuse"
                                                                           : "other: " + r;
    ++out[kind];
  }
  return out;
}

TEST(EvoExternal, MisbehavingEvaluatorNeverStopsTheRunAndEveryFailureIsRecorded) {
  ScratchDir dir;
  const std::string one = dir.file("one.db"), two = dir.file("two.db");
  ok(external_run(one, "server", 1));
  ok(external_run(two, "server", 2));
  const auto a = candidates_of(one);
  expect_contiguous(a, 120, "external run");
  expect_same_candidates(a, candidates_of(two), "external run, 1 vs 2 threads");
  const auto f = failures(a);
  for (const char* kind : {"crash", "exit3", "garbage", "refuse"}) EXPECT_GT(f.count(kind), 0u) << kind;
  int valid = 0;
  for (const auto& c : a) valid += c.valid;
  EXPECT_GT(valid, 60);
  for (const auto& [kind, n] : f) EXPECT_EQ(kind.rfind("other", 0), std::string::npos) << kind;
  EXPECT_EQ(run_entry(one)["status"], "done");
}

TEST(EvoExternal, ProcessModeGivesTheSameCandidatesAsServerMode) {
  ScratchDir dir;
  const std::string server = dir.file("server.db"), process = dir.file("process.db");
  Args s = external_run(server, "server", 2), p = external_run(process, "process", 2);
  for (Args* args : {&s, &p}) {
    (*args)[std::find(args->begin(), args->end(), "120") - args->begin()] = "60";
  }
  ok(s);
  ok(p);
  expect_same_candidates(candidates_of(server), candidates_of(process), "server vs process mode");
}

TEST(EvoExternal, BadSettingsAreRefusedBeforeAnythingIsWritten) {
  ScratchDir dir;
  const std::string db = dir.file("bad.db");
  expect_input_error({"run", "--domain", "external", "--db", db, "--budget", "10"});
  expect_input_error({"run", "--domain", "external", "--set", "command=cat", "--set", "objectives=a,a", "--db", db});
  expect_input_error({"run", "--domain", "external", "--set", "command=cat", "--set", "mode=batch", "--db", db});
  expect_input_error({"run", "--domain", "external", "--set", "command=cat", "--set", "genome=reals", "--set",
                      "lo=2", "--set", "hi=1", "--db", db});
  EXPECT_FALSE(file_exists(db));
  const Result domains = ok({"domains"});
  EXPECT_NE(domains.out.find("external"), std::string::npos) << domains.out;
}

// The evaluator's failure is not the function's: a later candidate with the function of one
// that failed is sent again, not answered from the cache, and the cache keeps no failure;
// what the evaluator answered (here, scores) is still answered from the cache.
TEST(EvoExternal, AFailedEvaluationIsNotCached) {
  ScratchDir dir;
  const std::string db = dir.file("divfail.db");
  ok({"run", "--domain", "external", "--set",
      "command=python3 " EVO_SOURCE_DIR "/tests/data/misbehaving_evaluator.py divfail", "--set", "mode=server",
      "--set", "collision_check=0", "--set", "population=40", "--budget", "400", "--seed", "3", "--threads", "2",
      "--db", db, "-q"});
  std::map<std::string, int> failed_evaluated, answered_hits;
  for (const auto& c : candidates_of(db)) {
    if (!c.valid && c.invalid_reason.rfind("evaluator exited with code 3", 0) == 0 && !c.cache_hit)
      ++failed_evaluated[c.functional_hash];
    if (c.valid && c.cache_hit) ++answered_hits[c.functional_hash];
  }
  ASSERT_FALSE(failed_evaluated.empty());
  EXPECT_TRUE(std::any_of(failed_evaluated.begin(), failed_evaluated.end(), [](const auto& f) { return f.second > 1; }))
      << "no function that failed was sent again";
  EXPECT_FALSE(answered_hits.empty());
  SQLite::Database sql(db, SQLite::OPEN_READONLY);
  EXPECT_EQ(sql.execAndGet("SELECT count(*) FROM fec_cache WHERE invalid_reason LIKE 'evaluator exited%'").getInt(), 0);
  EXPECT_GT(sql.execAndGet("SELECT count(*) FROM fec_cache WHERE valid").getInt(), 0);
}

// A resume whose evaluator cannot be started (here: its script lost the execute bit) fails
// without writing anything: once the evaluator is back, resuming gives the candidates of the
// run that was never stopped.
TEST(EvoExternal, AResumeWhoseEvaluatorNeverAnswersWritesNothing) {
  ScratchDir dir;
  const std::string script = dir.file("evaluate.sh");
  write_file(script, "#!/bin/sh\nexec python3 " EVO_SOURCE_DIR "/evaluators/external/example_evaluator.py\n");
  ::chmod(script.c_str(), 0755);
  auto run = [&](const std::string& db, const std::string& budget) -> Args {
    return {"run", "--domain", "external", "--set", "command=" + script, "--set", "objectives=loss", "--set",
            "mode=server", "--set", "population=40", "--budget", budget, "--seed", "5", "--threads", "2", "--db", db, "-q"};
  };
  const std::string whole = dir.file("whole.db"), parts = dir.file("parts.db");
  ok(run(whole, "400"));
  ok(run(parts, "150"));
  const Args resume = {"resume", "--db", parts, "--run", "1", "--budget", "400", "-q"};
  ::chmod(script.c_str(), 0644);
  const Result failed = run_evo(resume);
  EXPECT_EQ(failed.code, 1) << describe(resume, failed);
  EXPECT_NE(failed.err.find("without one well-formed answer"), std::string::npos) << failed.err;
  EXPECT_EQ(evaluations_of(parts), 150);
  EXPECT_EQ(run_entry(parts)["status"], "failed");
  ::chmod(script.c_str(), 0755);
  ok(resume);
  expect_same_candidates(candidates_of(whole), candidates_of(parts), "uninterrupted vs resumed after a failed resume");
}

// A command that never answers (a typo, a missing file) is not a property of candidates:
// the run stops with one line naming the failure instead of storing it on every candidate.
TEST(EvoExternal, AnEvaluatorThatNeverAnswersStopsTheRun) {
  ScratchDir dir;
  const std::string db = dir.file("broken.db");
  const Args args = {"run", "--domain", "external", "--set", "command=echo 'no such model' >&2; exit 7",
                     "--budget", "1000", "--db", db, "-q"};
  const Result r = run_evo(args);
  EXPECT_EQ(r.code, 1) << describe(args, r);
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_NE(r.err.find("failed on each of the first 64 candidates"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("exited with code 7: no such model"), std::string::npos) << r.err;
  EXPECT_EQ(run_entry(db)["status"], "failed");
}

// A run too short to reach that count fails the same way when it ends, rather than end as
// done with nothing but the evaluator's failures.
TEST(EvoExternal, AShortRunOfAnEvaluatorThatNeverAnswersFails) {
  ScratchDir dir;
  const std::string db = dir.file("short.db");
  const Args args = {"run", "--domain", "external", "--set", "command=exit 7", "--budget", "20", "--db", db, "-q"};
  const Result r = run_evo(args);
  EXPECT_EQ(r.code, 1) << describe(args, r);
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_NE(r.err.find("without one well-formed answer (evaluator exited with code 7"), std::string::npos) << r.err;
  EXPECT_EQ(run_entry(db)["status"], "failed");
}

// Nor is one that answers, but never as the protocol says (a command that is not an evaluator).
TEST(EvoExternal, AnEvaluatorThatNeverAnswersWellStopsTheRun) {
  ScratchDir dir;
  const std::string db = dir.file("chatty.db");
  const Args args = {"run", "--domain", "external", "--set", "command=echo hi", "--budget", "1000", "--db", db, "-q"};
  const Result r = run_evo(args);
  EXPECT_EQ(r.code, 1) << describe(args, r);
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_NE(r.err.find("without one well-formed answer (malformed answer (not JSON): hi); check --set command="),
            std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("failed on each"), r.err.rfind("failed on each")) << "said once\n" << r.err;
  EXPECT_EQ(r.err.find("could not be started"), std::string::npos) << r.err;
  EXPECT_EQ(run_entry(db)["status"], "failed");
}

}  // namespace
}  // namespace evo::test
