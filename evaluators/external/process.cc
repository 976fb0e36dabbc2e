#include "evaluators/external/process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace evo::external {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t kErrTail = 4096;     // bytes of stderr kept
constexpr std::size_t kMaxOut = 1 << 20;   // stdout beyond this is dropped (a reply is one line)

// The groups of the evaluators alive now, in lock-free slots a signal handler may read.
constexpr std::size_t kGroupSlots = 1024;
std::atomic<pid_t> g_groups[kGroupSlots];
static_assert(std::atomic<pid_t>::is_always_lock_free);

void remember_group(pid_t pid) {
  for (auto& slot : g_groups) {
    pid_t empty = 0;
    if (slot.compare_exchange_strong(empty, pid)) return;
  }
}

void forget_group(pid_t pid) {
  for (auto& slot : g_groups) {
    pid_t held = pid;
    if (slot.compare_exchange_strong(held, 0)) return;
  }
}

void ignore_sigpipe() {
  static std::once_flag once;
  std::call_once(once, [] { ::signal(SIGPIPE, SIG_IGN); });
}

struct Child {
  pid_t pid = -1;
  int in = -1, out = -1, err = -1;
};

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

Child spawn(const std::string& command, const ProcessLimits& limits) {
  ignore_sigpipe();
  int pin[2], pout[2], perr[2];
  if (::pipe2(pin, O_CLOEXEC) != 0) throw std::runtime_error("pipe: " + std::string(std::strerror(errno)));
  if (::pipe2(pout, O_CLOEXEC) != 0) {
    ::close(pin[0]), ::close(pin[1]);
    throw std::runtime_error("pipe: " + std::string(std::strerror(errno)));
  }
  if (::pipe2(perr, O_CLOEXEC) != 0) {
    ::close(pin[0]), ::close(pin[1]), ::close(pout[0]), ::close(pout[1]);
    throw std::runtime_error("pipe: " + std::string(std::strerror(errno)));
  }
  // Everything the child needs is prepared before fork: between fork and exec a child of a
  // threaded process may only make system calls.
  std::string sh = "sh", dash_c = "-c", cmd = command;
  char* const argv[] = {sh.data(), dash_c.data(), cmd.data(), nullptr};
  const rlim_t bytes = static_cast<rlim_t>(limits.memory_mb) * 1024 * 1024;
  const struct rlimit memory {bytes, bytes};
  const bool limit_memory = limits.memory_mb > 0;
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork: " + std::string(std::strerror(errno)));
  if (pid == 0) {
    ::setpgid(0, 0);
    ::signal(SIGPIPE, SIG_DFL);
    ::dup2(pin[0], 0);
    ::dup2(pout[1], 1);
    ::dup2(perr[1], 2);
    // The limit last, right before exec: a sanitizer's wrappers of the calls above may
    // allocate, which the limit would make fail (ThreadSanitizer's address space is huge).
    if (limit_memory) ::setrlimit(RLIMIT_AS, &memory);
    ::execve("/bin/sh", argv, environ);
    ::_exit(127);
  }
  ::setpgid(pid, pid);  // from the parent too, so the group exists before it may be killed
  remember_group(pid);
  ::close(pin[0]), ::close(pout[1]), ::close(perr[1]);
  for (int fd : {pin[1], pout[0], perr[0]}) ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  return {pid, pin[1], pout[0], perr[0]};
}

void kill_group(pid_t pid) {
  if (pid > 0) ::kill(-pid, SIGKILL);
}

void record_status(int status, ProcessOutcome& o) {
  if (WIFEXITED(status)) {
    o.exited = true;
    o.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    o.signal = WTERMSIG(status);
  }
}

// Waits for the process to end until `deadline`, then kills its group and reaps it.
void reap(pid_t pid, Clock::time_point deadline, ProcessOutcome& o) {
  int status = 0;
  while (true) {
    const pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) break;
    if (r < 0 && errno != EINTR) {
      forget_group(pid);
      return;
    }
    if (Clock::now() >= deadline) {
      kill_group(pid);
      ::waitpid(pid, &status, 0);
      if (!o.timed_out && !o.exited) o.timed_out = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  if (!o.timed_out) record_status(status, o);
  kill_group(pid);  // whatever it started and left behind
  forget_group(pid);
}

// Reads what is there; false at end of file.
bool drain(int fd, std::string& into, std::size_t cap, bool keep_tail) {
  char buf[4096];
  while (true) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n > 0) {
      into.append(buf, static_cast<std::size_t>(n));
      if (into.size() > cap) {
        if (keep_tail) into.erase(0, into.size() - cap);
        else into.resize(cap);
      }
      continue;
    }
    if (n == 0) return false;
    if (errno == EINTR) continue;
    return errno == EAGAIN || errno == EWOULDBLOCK;
  }
}

int remaining_ms(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return left <= 0 ? 0 : static_cast<int>(std::min<long long>(left, 1000));
}

Clock::time_point deadline_after(double seconds) {
  return Clock::now() + std::chrono::microseconds(static_cast<long long>(seconds * 1e6));
}

}  // namespace

void kill_evaluator_groups() noexcept {
  for (auto& slot : g_groups)
    if (const pid_t pid = slot.load(); pid > 0) ::kill(-pid, SIGKILL);
}

std::string ProcessOutcome::failure() const {
  std::string why;
  if (timed_out) why = "timed out";
  else if (signal) why = "killed by signal " + std::to_string(signal) + " (" + strsignal(signal) + ")";
  else if (exited && exit_code > 128 && exit_code < 128 + 65)  // the shell's way of saying its command was killed
    why = "killed by signal " + std::to_string(exit_code - 128) + " (" + strsignal(exit_code - 128) + ")";
  else if (exited && exit_code != 0) why = "exited with code " + std::to_string(exit_code);
  else if (exited) why = "exited";
  else why = "failed";
  // The last non-empty line of stderr says most.
  std::string tail = err_tail;
  while (!tail.empty() && (tail.back() == '\n' || tail.back() == '\r' || tail.back() == ' ')) tail.pop_back();
  if (const auto nl = tail.rfind('\n'); nl != std::string::npos) tail = tail.substr(nl + 1);
  if (tail.size() > 200) tail = tail.substr(tail.size() - 200);
  if (!tail.empty()) why += ": " + tail;
  return why;
}

ProcessOutcome run_once(const std::string& command, const std::string& input, const ProcessLimits& limits) {
  const auto deadline = deadline_after(limits.timeout_s);
  Child c = spawn(command, limits);
  ProcessOutcome o;
  std::size_t written = 0;
  bool reaped = false;
  if (input.empty()) close_fd(c.in);
  while ((c.out >= 0 || c.err >= 0) && Clock::now() < deadline) {
    pollfd fds[3];
    int n = 0;
    int in_at = -1, out_at = -1, err_at = -1;
    if (c.in >= 0) in_at = n, fds[n++] = {c.in, POLLOUT, 0};
    if (c.out >= 0) out_at = n, fds[n++] = {c.out, POLLIN, 0};
    if (c.err >= 0) err_at = n, fds[n++] = {c.err, POLLIN, 0};
    // Short waits: the process may exit while something it started keeps the pipes open.
    if (::poll(fds, static_cast<nfds_t>(n), std::min(remaining_ms(deadline), 50)) < 0 && errno != EINTR) break;
    if (in_at >= 0 && fds[in_at].revents) {
      const ssize_t w = ::write(c.in, input.data() + written, input.size() - written);
      if (w > 0) written += static_cast<std::size_t>(w);
      if (w < 0 && errno != EAGAIN && errno != EINTR) close_fd(c.in);  // it stopped reading
      if (written == input.size()) close_fd(c.in);
    }
    if (out_at >= 0 && fds[out_at].revents && !drain(c.out, o.out, kMaxOut, false)) close_fd(c.out);
    if (err_at >= 0 && fds[err_at].revents && !drain(c.err, o.err_tail, kErrTail, true)) close_fd(c.err);
    int status = 0;
    if (::waitpid(c.pid, &status, WNOHANG) == c.pid) {  // it has exited: take what it wrote
      reaped = true;
      record_status(status, o);
      if (c.out >= 0) drain(c.out, o.out, kMaxOut, false);
      if (c.err >= 0) drain(c.err, o.err_tail, kErrTail, true);
      break;
    }
  }
  if (!reaped && (c.out >= 0 || c.err >= 0)) o.timed_out = true;  // still running at the deadline
  close_fd(c.in), close_fd(c.out), close_fd(c.err);
  if (reaped) {
    kill_group(c.pid);  // whatever it started and left behind
    forget_group(c.pid);
  } else {
    if (o.timed_out) kill_group(c.pid);
    reap(c.pid, o.timed_out ? Clock::now() : deadline, o);
  }
  return o;
}

ServerProcess::ServerProcess(const std::string& command, const ProcessLimits& limits) : limits_(limits) {
  const Child c = spawn(command, limits);
  pid_ = c.pid, in_ = c.in, out_ = c.out, err_ = c.err;
}

ServerProcess::~ServerProcess() {
  if (!alive()) return;
  close_fd(in_);  // a well-behaved server exits at the end of its input
  ProcessOutcome ignored;
  reap(pid_, deadline_after(1.0), ignored);
  close_fd(out_), close_fd(err_);
}

void ServerProcess::stop(ProcessOutcome* o) {
  close_fd(in_);
  if (!o->timed_out) {
    // It closed its stdout: give it a moment to exit so that its status can be reported.
    reap(pid_, deadline_after(1.0), *o);
  } else {
    kill_group(pid_);
    reap(pid_, Clock::now(), *o);
  }
  if (err_ >= 0) drain(err_, err_tail_, kErrTail, true);
  o->err_tail = err_tail_;
  close_fd(out_), close_fd(err_);
  pid_ = -1;
}

ProcessOutcome ServerProcess::ask(const std::string& line) {
  ProcessOutcome o;
  if (!alive()) {
    o.err_tail = err_tail_;
    return o;
  }
  const auto deadline = deadline_after(limits_.timeout_s);
  const std::string request = line + "\n";
  std::size_t written = 0;
  bool eof = false;
  while (Clock::now() < deadline) {
    if (const auto nl = pending_.find('\n'); nl != std::string::npos && written == request.size()) {
      o.out = pending_.substr(0, nl);
      pending_.erase(0, nl + 1);
      return o;
    }
    if (eof) break;
    pollfd fds[3];
    int n = 0;
    int in_at = -1, err_at = -1;
    if (written < request.size()) in_at = n, fds[n++] = {in_, POLLOUT, 0};
    const int out_at = n;
    fds[n++] = {out_, POLLIN, 0};
    if (err_ >= 0) err_at = n, fds[n++] = {err_, POLLIN, 0};
    if (::poll(fds, static_cast<nfds_t>(n), remaining_ms(deadline)) < 0 && errno != EINTR) break;
    if (in_at >= 0 && fds[in_at].revents) {
      const ssize_t w = ::write(in_, request.data() + written, request.size() - written);
      if (w > 0) written += static_cast<std::size_t>(w);
      if (w < 0 && errno != EAGAIN && errno != EINTR) eof = true;  // it is gone
    }
    if (fds[out_at].revents && !drain(out_, pending_, kMaxOut, false)) eof = true;
    if (err_at >= 0 && fds[err_at].revents && !drain(err_, err_tail_, kErrTail, true)) close_fd(err_);
  }
  if (!eof) o.timed_out = true;
  stop(&o);
  return o;
}

}  // namespace evo::external
