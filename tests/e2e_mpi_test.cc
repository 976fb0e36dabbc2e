// `evo run|resume --mpi` under mpirun on this machine: the candidates of a single process
// for 1, 2 and 3 ranks, islands across ranks, and a rank that hangs or dies.
#include <dirent.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>

#include "tests/e2e_runs.h"

namespace evo::test {
namespace {

// Skips the test unless evo was built with MPI and mpirun is installed.
#define REQUIRE_MPI()                                                  \
  if (!mpi_available()) {                                              \
    GTEST_SKIP() << "evo was built without MPI, or mpirun is missing"; \
  }

bool mpi_available() {
#ifdef EVO_WITH_MPI
  static const bool ok = run_program("mpirun", {"--version"}).code == 0;
  return ok;
#else
  return false;
#endif
}

// mpirun's arguments for `evo args --mpi` on `ranks` ranks of this machine.
Args mpirun_args(int ranks, const Args& args) {
  Args a = {"-np", std::to_string(ranks), "--oversubscribe", "--bind-to", "none"};
  if (geteuid() == 0) a.push_back("--allow-run-as-root");
  // Under AddressSanitizer: Open MPI keeps allocations to the end of the process, in
  // components it has unloaded by then, which LeakSanitizer can neither name nor suppress.
  // Leaks stay checked in every test that runs without MPI.
  if (const char* asan = std::getenv("ASAN_OPTIONS")) {
    a.push_back("-x");
    a.push_back(std::string("ASAN_OPTIONS=") + asan + ":detect_leaks=0");
  }
  a.push_back(EVO_BINARY);
  a.insert(a.end(), args.begin(), args.end());
  a.push_back("--mpi");
  return a;
}

Result mpirun(int ranks, const Args& args) {
  Result r = run_program("mpirun", mpirun_args(ranks, args));
  return r;
}

std::string describe_mpirun(int ranks, const Args& args, const Result& r) {
  return "mpirun -np " + std::to_string(ranks) + " " + describe(args, r);
}

// The pid of rank `rank` of the job mpirun `launcher` started, or 0 after 20 s.
int rank_pid(int launcher, int rank) {
  const std::string want = "OMPI_COMM_WORLD_RANK=" + std::to_string(rank);
  for (int attempt = 0; attempt < 400; ++attempt) {
    DIR* proc = opendir("/proc");
    while (dirent* e = readdir(proc)) {
      const int pid = std::atoi(e->d_name);
      if (pid <= 0) continue;
      std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
      std::string pid_s, comm, state;
      int ppid = 0;
      if (!(stat >> pid_s >> comm >> state >> ppid) || ppid != launcher) continue;
      const std::string env = read_file("/proc/" + std::to_string(pid) + "/environ");
      std::size_t at = 0;
      while (at < env.size()) {
        const std::size_t end = env.find('\0', at);
        if (env.compare(at, (end == std::string::npos ? env.size() : end) - at, want) == 0) {
          closedir(proc);
          return pid;
        }
        if (end == std::string::npos) break;
        at = end + 1;
      }
    }
    closedir(proc);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return 0;
}

// Waits (up to 20 s) until `pid` has exited: gone, or a zombie nobody reaps.
void wait_gone(int pid) {
  for (int attempt = 0; attempt < 400; ++attempt) {
    const std::string stat = read_file("/proc/" + std::to_string(pid) + "/stat");
    const auto close = stat.rfind(')');
    if (stat.empty() || (close != std::string::npos && close + 2 < stat.size() && stat[close + 2] == 'Z')) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

// The number after `key` in `text` ("... 123 evaluations sent ..."), or -1.
long long number_before(const std::string& text, const std::string& key) {
  const auto at = text.find(key);
  if (at == std::string::npos) return -1;
  auto start = text.rfind(' ', at - 2);
  return std::atoll(text.c_str() + (start == std::string::npos ? 0 : start + 1));
}

}  // namespace

TEST(EvoMpi, LaunchesThatCannotBeMeantAreRefused) {
  ScratchDir dir;
  const std::string db = dir.file("x.db");
  Args timeout = run_args(db, 100, 1);
  timeout.insert(timeout.end(), {"--rank-timeout", "5"});
  expect_input_error(timeout);
  // One of several processes mpirun started, without --mpi: each would search on its own.
  setenv("OMPI_COMM_WORLD_SIZE", "3", 1);
  expect_input_error(run_args(db, 100, 1));
  expect_input_error({"resume", "--db", db, "--run", "1"});
  unsetenv("OMPI_COMM_WORLD_SIZE");
  EXPECT_FALSE(file_exists(db));
}

TEST(EvoMpi, SameCandidatesForOneTwoAndThreeRanks) {
  REQUIRE_MPI();
  ScratchDir dir;
  const auto single = run_args(dir.file("single.db"), 1500, 1);
  ok(single);
  const auto want = candidates_of(dir.file("single.db"));
  ASSERT_EQ(want.size(), 1500u);
  for (int ranks = 1; ranks <= 3; ++ranks) {
    const std::string db = dir.file("ranks" + std::to_string(ranks) + ".db");
    const auto args = run_args(db, 1500, 1);
    const Result r = mpirun(ranks, args);
    ASSERT_EQ(r.code, 0) << describe_mpirun(ranks, args, r);
    expect_same_candidates(want, candidates_of(db), std::to_string(ranks) + " rank(s)");
    const std::string workers = std::to_string(ranks - 1) + " worker rank(s)";
    EXPECT_NE(r.out.find("mpi: " + workers), std::string::npos) << r.out;
    if (ranks > 1) {
      EXPECT_GT(number_before(r.out, "children made"), 1000) << r.out;  // the workers made children
      EXPECT_GT(number_before(r.out, "evaluations on workers"), 1000) << r.out;  // ... and evaluated them
    }
  }
}

TEST(EvoMpi, IslandsAcrossRanksEqualIslandsInOneProcess) {
  REQUIRE_MPI();
  ScratchDir dir;
  Args single = run_args(dir.file("single.db"), 1500, 1);
  single.insert(single.end(), {"--islands", "3", "--migrate-every", "2"});
  ok(single);
  Args spread = run_args(dir.file("spread.db"), 1500, 1);
  spread.insert(spread.end(), {"--islands", "3", "--migrate-every", "2"});
  const Result r = mpirun(3, spread);
  ASSERT_EQ(r.code, 0) << describe_mpirun(3, spread, r);
  expect_same_candidates(candidates_of(dir.file("single.db")), candidates_of(dir.file("spread.db")), "islands");
  // The islands change the search: not the candidates of one population.
  ok(run_args(dir.file("one.db"), 1500, 1));
  const auto one = candidates_of(dir.file("one.db")), islands = candidates_of(dir.file("single.db"));
  std::size_t differ = 0;
  for (std::size_t i = 0; i < one.size(); ++i) differ += one[i].program != islands[i].program;
  EXPECT_GT(differ, 100u);
}

TEST(EvoMpi, ElitistCompressionScreensOnTheWorkersWithTheSameCandidates) {
  REQUIRE_MPI();
  ScratchDir dir;
  const std::string model = dir.file("m.safetensors");
  ok({"model", "train", "--out", model, "--width", "24", "--blocks", "4", "--epochs", "1", "--train-size", "2000",
      "-q"});
  auto args = [&](const std::string& db) {
    return Args{"run",   "--domain", "compression", "--set", "model=" + model, "--set", "calibration=256",
                "--set", "samples=256", "--set", "step=256", "--set", "screen_samples=32,64", "--set",
                "screen_keep=4,2", "--set", "batch=16", "--budget", "97", "--threads", "1", "--db", db, "-q"};
  };
  ok(args(dir.file("single.db")));
  const Result r = mpirun(3, args(dir.file("spread.db")));
  ASSERT_EQ(r.code, 0) << describe_mpirun(3, args(dir.file("spread.db")), r);
  expect_same_candidates(candidates_of(dir.file("single.db")), candidates_of(dir.file("spread.db")), "compression");
  EXPECT_GT(number_before(r.out, "screened"), 50) << r.out;  // the stages ran on the workers
  EXPECT_GT(number_before(r.out, "evaluations on workers"), 5) << r.out;
}

// Starts a 3-rank run, lets it commit, does `harm` to rank `victim`, and checks that the
// run stopped with what `expect_err` says while the committed batches stayed, and that
// `resume` (with or without MPI) then ends with the candidates of an uninterrupted run.
void expect_fault_survived(int victim, int sig, const std::string& expect_err, int resume_ranks) {
  ScratchDir dir;
  const long long budget = 5000;
  ok(run_args(dir.file("whole.db"), budget, 1));
  const std::string db = dir.file("mpi.db");
  Args args = run_args(db, budget, 1);
  args.insert(args.end(), {"--rank-timeout", "3"});
  const int launcher = start_program("mpirun", mpirun_args(3, args), dir.file("err.txt"));
  const int pid = rank_pid(launcher, victim), writer = rank_pid(launcher, 0);
  ASSERT_GT(pid, 0) << "no process for rank " << victim;
  ASSERT_GT(writer, 0) << "no process for rank 0";
  ASSERT_GT(wait_for_commit(db), 0);
  kill(pid, sig);
  const int code = wait_evo(launcher);
  kill(pid, SIGKILL);  // a stopped rank the job's end did not take with it
  wait_gone(writer);   // mpirun may return before its ranks are gone
  const std::string err = read_file(dir.file("err.txt"));
  EXPECT_NE(code, 0) << err;
  EXPECT_NE(err.find(expect_err), std::string::npos) << err;
  const long long kept = evaluations_of(db);
  EXPECT_GT(kept, 0);
  EXPECT_LT(kept, budget) << "the run ended before the fault";
  expect_contiguous(candidates_of(db), static_cast<std::size_t>(kept), "after the fault");

  const Args resume = {"resume", "--db", db, "--run", "1", "--threads", "1", "-q"};
  if (resume_ranks > 0) {
    const Result r = mpirun(resume_ranks, resume);
    ASSERT_EQ(r.code, 0) << describe_mpirun(resume_ranks, resume, r);
  } else {
    ok(resume);
  }
  expect_same_candidates(candidates_of(dir.file("whole.db")), candidates_of(db), "resumed after the fault");
}

TEST(EvoMpi, AHungRankStopsTheRunNamingItAndResumeWithoutMpiFinishesIt) {
  REQUIRE_MPI();
  expect_fault_survived(2, SIGSTOP, "rank 2 has not answered in 3 s", 0);
}

TEST(EvoMpi, ADeadRankStopsTheRunNamingItAndResumeOverMpiFinishesIt) {
  REQUIRE_MPI();
  expect_fault_survived(1, SIGKILL, "rank 1", 2);
}

}  // namespace evo::test
