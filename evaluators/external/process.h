// Running a user's evaluator: a shell command (`/bin/sh -c`) in a process group of its own,
// so that on a time-out the whole group -- the shell and everything it started -- is
// killed, not abandoned; an address-space limit (setrlimit RLIMIT_AS) applies to every
// process in it. Its stderr is kept (the last few KiB) to explain a failure.
//
// The parent ignores SIGPIPE (an evaluator that dies before reading its input must not
// take evo down); the child gets the default back before exec.
#pragma once

#include <sys/types.h>

#include <string>

namespace evo::external {

struct ProcessLimits {
  double timeout_s = 60;       // per answer
  long long memory_mb = 4096;  // address space per process; 0: no limit
};

struct ProcessOutcome {
  bool timed_out = false;
  bool exited = false;   // exited normally with exit_code
  int exit_code = -1;
  int signal = 0;        // the signal that ended it, if one did
  std::string out;       // stdout (one process per request) or the answer line (server)
  std::string err_tail;  // the end of stderr

  bool ok() const { return !timed_out && exited && exit_code == 0; }
  // Why it failed, in a few words with the end of stderr, e.g. "exited with code 3: ...".
  std::string failure() const;
};

// One request, one process: writes `input` to the command's stdin and closes it, collects
// stdout and stderr until the process exits, kills the group at the deadline and once the
// process has exited (nothing it started outlives it).
ProcessOutcome run_once(const std::string& command, const std::string& input, const ProcessLimits& limits);

// Kills the process group of every evaluator running now. Async-signal-safe: for a signal
// handler that ends evo at once, so that no evaluator outlives it (each runs in its own
// group, which a terminal's Ctrl-C does not reach).
void kill_evaluator_groups() noexcept;

// A long-lived evaluator: one process answering one line on stdout per line on stdin.
class ServerProcess {
 public:
  ServerProcess(const std::string& command, const ProcessLimits& limits);  // starts it
  ~ServerProcess();  // closes its stdin, waits a moment for it to exit, kills the group
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  // Sends `line` (a newline is added) and waits for one line back (outcome.out, without its
  // newline; exited stays false while the process lives). A time-out, a crash or an early
  // exit ends the process: alive() is false from then on.
  ProcessOutcome ask(const std::string& line);
  bool alive() const { return pid_ > 0; }

 private:
  void stop(ProcessOutcome* outcome);

  ProcessLimits limits_;
  pid_t pid_ = -1;
  int in_ = -1, out_ = -1, err_ = -1;
  std::string pending_;  // stdout read past the last answered line
  std::string err_tail_;
};

}  // namespace evo::external
