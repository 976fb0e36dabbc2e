// The external evaluator: its protocol parser, the process handling (time limit with the
// process group killed, memory limit, stderr, crashes, exit codes, long-lived servers) and
// the domain's evaluation of misbehaving evaluators.
#include <gtest/gtest.h>

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <string>

#include "evaluators/external/external.h"
#include "evaluators/external/process.h"
#include "evaluators/external/protocol.h"
#include "evaluators/registry.h"
#include "search/errors.h"
#include "search/program_text.h"
#include "tests/e2e_support.h"

namespace evo::external {
namespace {

using Clock = std::chrono::steady_clock;

const std::string kMisbehaving = "python3 " EVO_SOURCE_DIR "/tests/data/misbehaving_evaluator.py";

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// Whether a process is gone (or a zombie nobody has reaped yet: it runs no more).
bool gone(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string pid_field, name, state;
  if (!(stat >> pid_field >> name >> state)) return true;
  return state == "Z" || state == "X";
}

TEST(ExternalProtocol, ObjectiveLists) {
  const auto o = parse_objective_list({"loss", "accuracy:max", "time:min"});
  ASSERT_EQ(o.size(), 3u);
  EXPECT_EQ(o[0].name, "loss");
  EXPECT_FALSE(o[0].maximize);
  EXPECT_TRUE(o[1].maximize);
  EXPECT_FALSE(o[2].maximize);
  EXPECT_THROW(parse_objective_list({}), InputError);
  EXPECT_THROW(parse_objective_list({"loss", "loss"}), InputError);
  EXPECT_THROW(parse_objective_list({"1loss"}), InputError);
  EXPECT_THROW(parse_objective_list({"loss:up"}), InputError);
  EXPECT_THROW(parse_objective_list({"a b"}), InputError);
}

TEST(ExternalProtocol, Answers) {
  const auto names = parse_objective_list({"loss", "acc:max"});
  bool well_formed = false;
  const Evaluation good = parse_answer("{\"acc\": 0.9, \"loss\": 1.5, \"extra\": \"ignored\"}\n", names, &well_formed);
  ASSERT_TRUE(good.valid) << good.reason;
  EXPECT_EQ(good.values, (std::vector<double>{1.5, 0.9}));
  EXPECT_TRUE(well_formed);

  well_formed = false;
  const Evaluation refused = parse_answer("{\"invalid\": \"diverged\"}", names, &well_formed);
  EXPECT_FALSE(refused.valid);
  EXPECT_EQ(refused.reason, "evaluator: diverged");
  EXPECT_TRUE(well_formed) << "an explicit refusal keeps the protocol";

  for (const char* bad : {"", "not json", "[1, 2]", "{\"loss\": 1}", "{\"loss\": \"1\", \"acc\": 2}",
                          "{\"loss\": null, \"acc\": 2}", "{\"loss\": 1, \"acc\": 2", "1e999"}) {
    well_formed = true;
    const Evaluation e = parse_answer(bad, names, &well_formed);
    EXPECT_FALSE(e.valid) << bad;
    EXPECT_FALSE(well_formed) << bad;
    EXPECT_EQ(e.reason.rfind("malformed answer", 0), 0u) << bad << " -> " << e.reason;
  }
}

TEST(ExternalProcess, AnswersExitCodesSignalsAndStderr) {
  ProcessLimits limits;
  limits.timeout_s = 10;
  const ProcessOutcome echo = run_once("cat", "{\"score\": 1}\n", limits);
  EXPECT_TRUE(echo.ok()) << echo.failure();
  EXPECT_EQ(echo.out, "{\"score\": 1}\n");

  const ProcessOutcome failed = run_once("echo 'cannot open data' >&2; exit 4", "x\n", limits);
  EXPECT_FALSE(failed.ok());
  EXPECT_EQ(failed.exit_code, 4);
  EXPECT_EQ(failed.failure(), "exited with code 4: cannot open data");

  const ProcessOutcome crashed = run_once("kill -SEGV $$", "x\n", limits);
  EXPECT_FALSE(crashed.ok());
  EXPECT_EQ(crashed.signal, SIGSEGV);
  EXPECT_NE(crashed.failure().find("signal 11"), std::string::npos) << crashed.failure();

  // An evaluator that never reads its input does not block evo (nor kill it with SIGPIPE).
  const ProcessOutcome deaf = run_once("exit 0", std::string(1 << 20, 'x'), limits);
  EXPECT_TRUE(deaf.ok()) << deaf.failure();
}

TEST(ExternalProcess, TimeOutKillsTheWholeProcessGroup) {
  test::ScratchDir dir;
  const std::string pid_file = dir.file("child.pid");
  ProcessLimits limits;
  limits.timeout_s = 0.5;
  const auto t0 = Clock::now();
  // The shell starts a grandchild that would outlive it if only the shell were killed.
  const ProcessOutcome o = run_once("sleep 60 & echo $! > " + pid_file + "; echo started >&2; wait", "", limits);
  const double took = seconds_since(t0);
  EXPECT_TRUE(o.timed_out);
  EXPECT_FALSE(o.ok());
  EXPECT_LT(took, 5.0);
  EXPECT_GE(took, 0.45);
  EXPECT_EQ(o.failure(), "timed out: started");
  const pid_t grandchild = std::atoi(test::read_file(pid_file).c_str());
  ASSERT_GT(grandchild, 0);
  for (int i = 0; i < 100 && !gone(grandchild); ++i) usleep(10000);
  EXPECT_TRUE(gone(grandchild)) << "the evaluator's child " << grandchild << " survived the time-out";
}

// An evaluator that answers and exits while something it started still holds its stdout:
// the answer counts at once, and what it left behind is killed.
TEST(ExternalProcess, AnswerCountsWhenTheEvaluatorExitsBeforeItsChildren) {
  ProcessLimits limits;
  limits.timeout_s = 20;
  const auto t0 = Clock::now();
  const ProcessOutcome o = run_once("sleep 30 & echo '{\"score\": 1}'", "x\n", limits);
  EXPECT_TRUE(o.ok()) << o.failure();
  EXPECT_EQ(o.out, "{\"score\": 1}\n");
  EXPECT_LT(seconds_since(t0), 5.0);
}

TEST(ExternalProcess, MemoryLimitStopsAnAllocation) {
  ProcessLimits limits;
  limits.timeout_s = 20;
  limits.memory_mb = 256;
  const ProcessOutcome o = run_once(kMisbehaving + " memory", "{\"x\": [1]}\n", limits);
  EXPECT_FALSE(o.ok());
  EXPECT_NE(o.failure().find("MemoryError"), std::string::npos) << o.failure();
  limits.memory_mb = 0;  // no limit: 2 GiB is fine on the test machines
  const ProcessOutcome unlimited = run_once(kMisbehaving + " memory", "{\"x\": [1]}\n", limits);
  EXPECT_TRUE(unlimited.ok()) << unlimited.failure();
}

TEST(ExternalProcess, ServerAnswersLineByLineAndDiesCleanly) {
  ProcessLimits limits;
  limits.timeout_s = 10;
  {
    ServerProcess cat("cat", limits);
    for (const char* line : {"one", "two", "three"}) {
      const ProcessOutcome o = cat.ask(line);
      EXPECT_EQ(o.out, line);
      EXPECT_TRUE(cat.alive());
    }
  }
  ServerProcess once("read line; echo \"$line\"; echo leaving >&2; exit 5", limits);
  EXPECT_EQ(once.ask("first").out, "first");
  const ProcessOutcome second = once.ask("second");
  EXPECT_FALSE(once.alive());
  EXPECT_TRUE(second.exited);
  EXPECT_EQ(second.exit_code, 5);
  EXPECT_EQ(second.failure(), "exited with code 5: leaving");

  limits.timeout_s = 0.3;
  ServerProcess slow("read line; sleep 60", limits);
  const auto t0 = Clock::now();
  const ProcessOutcome o = slow.ask("x");
  EXPECT_TRUE(o.timed_out);
  EXPECT_FALSE(slow.alive());
  EXPECT_LT(seconds_since(t0), 5.0);
}

std::unique_ptr<Domain> external(std::map<std::string, std::string> s) { return make_domain("external", s); }

Program reals(const Domain& d, std::vector<double> v) {
  std::string text = "input x\n";
  for (std::size_t i = 0; i < v.size(); ++i) {
    char buf[80];
    std::snprintf(buf, sizeof buf, "r%zu = const(%a)\n", i + 1, v[i]);
    text += buf;
  }
  for (std::size_t i = 0; i < v.size(); ++i) text += "output v" + std::to_string(i) + " = r" + std::to_string(i + 1) + "\n";
  return parse_program(text, d.signature());
}

TEST(ExternalDomain, EveryFailureIsRecordedWithItsReasonInBothModes) {
  for (const std::string mode : {"process", "server"}) {
    const auto d = external({{"command", kMisbehaving + " mixed"}, {"genome", "reals"}, {"length", "2"}, {"lo", "0"},
                             {"hi", "1"}, {"timeout", "1"}, {"mode", mode}});
    auto eval = [&](double x0) { return d->evaluate(reals(*d, {x0, 0.5})); };
    const Evaluation ok = eval(0.5);
    ASSERT_TRUE(ok.valid) << mode << ": " << ok.reason;
    EXPECT_DOUBLE_EQ(ok.values.at(0), 0.5);
    const std::pair<double, std::string> cases[] = {
        {0.01, "evaluator killed by signal 11"},
        {0.07, "evaluator exited with code 3: bad day: cannot score"},
        {0.12, "malformed answer (not JSON): this is not JSON"},
        {0.16, "evaluator timed out after 1 s"},
        {0.19, "evaluator: refused by the evaluator"},
    };
    for (const auto& [x0, reason] : cases) {
      const Evaluation e = eval(x0);
      EXPECT_FALSE(e.valid) << mode << " x0=" << x0;
      EXPECT_EQ(e.reason.rfind(reason, 0), 0u) << mode << " x0=" << x0 << ": " << e.reason;
      // The evaluator recovers: the next candidate is scored.
      EXPECT_TRUE(eval(0.9).valid) << mode << " after x0=" << x0;
    }
  }
}

TEST(ExternalDomain, SettingsAreChecked) {
  EXPECT_THROW(external({}), InputError);  // no command
  EXPECT_THROW(external({{"command", "  "}}), InputError);
  EXPECT_THROW(external({{"command", "cat"}, {"objectives", "a,a"}}), InputError);
  EXPECT_THROW(external({{"command", "cat"}, {"genome", "reals"}, {"lo", "1"}, {"hi", "0"}}), InputError);
  EXPECT_THROW(external({{"command", "cat"}, {"timeout", "0"}}), InputError);
  EXPECT_THROW(external({{"command", "cat"}, {"inputs", "x,1y"}}), InputError);
  EXPECT_THROW(external({{"command", "cat"}, {"inputs", "x,r2"}}), InputError);  // a register name
  EXPECT_THROW(external({{"command", "cat"}, {"outputs", "r1"}}), InputError);
  EXPECT_NO_THROW(external({{"command", "cat"}, {"inputs", "r,rate,r2x"}}));
  const auto d = external({{"command", "cat"}, {"objectives", "loss,acc:max"}});
  const auto obj = d->objectives();
  ASSERT_EQ(obj.size(), 3u);
  EXPECT_EQ(obj[0].name, "loss");
  EXPECT_TRUE(obj[0].minimize);
  EXPECT_FALSE(obj[1].minimize);
  EXPECT_EQ(obj[2].name, "ops");
  EXPECT_FALSE(obj[2].steers);
}

TEST(ExternalDomain, ProgramsThatComputeTheSameShareAHashAndTheRequestCarriesTheProgram) {
  const auto d = external({{"command", "cat"}, {"inputs", "x,z"}});
  const Program twice = parse_program("input x\ninput z\nr3 = add(x, x)\noutput y = r3\n", d->signature());
  const Program doubled = parse_program("input x\ninput z\nr3 = mul(x, 0x1p+1)\noutput y = r3\n", d->signature());
  const Program other = parse_program("input x\ninput z\nr3 = add(x, z)\noutput y = r3\n", d->signature());
  EXPECT_EQ(d->functional_hash(twice), d->functional_hash(doubled));
  EXPECT_NE(d->functional_hash(twice), d->functional_hash(other));
  const auto* ext = dynamic_cast<const ExternalDomain*>(d.get());
  ASSERT_NE(ext, nullptr);
  EXPECT_EQ(ext->request(twice),
            "{\"genome\":\"program\",\"inputs\":[\"x\",\"z\"],\"outputs\":[\"y\"],\"program\":\"input x\\ninput "
            "z\\nr1 = add(x, x)\\noutput y = r1\\n\"}");
  // `cat` answers with the request itself, which has no "score".
  const Evaluation e = d->evaluate(twice);
  EXPECT_FALSE(e.valid);
  EXPECT_EQ(e.reason.rfind("malformed answer (no 'score')", 0), 0u) << e.reason;
}

TEST(ExternalDomain, RealsMutationStaysInRangeAndIsDeterministic) {
  const auto d = external({{"command", "cat"}, {"genome", "reals"}, {"length", "5"}, {"lo", "-2"}, {"hi", "3"}});
  Rng a(5), b(5);
  Program p = d->initial_program(a), q = d->initial_program(b);
  for (int i = 0; i < 200; ++i) {
    ASSERT_TRUE(d->mutate(p, a).has_value());
    ASSERT_TRUE(d->mutate(q, b).has_value());
    ASSERT_TRUE(d->admissible(p)) << to_text(p);
  }
  EXPECT_EQ(to_text(p), to_text(q));
  EXPECT_EQ(d->structural_objectives(p).size(), 0u);
}

}  // namespace
}  // namespace evo::external
