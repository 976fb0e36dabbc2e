#include "tests/e2e_support.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <gtest/gtest.h>
#include <xxhash.h>

extern char** environ;

namespace evo::test {
namespace {

std::vector<char*> argv_of(const std::vector<std::string>& args, std::vector<std::string>& storage,
                           const char* program = EVO_BINARY) {
  storage.clear();
  storage.push_back(program);
  storage.insert(storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& s : storage) argv.push_back(s.data());
  argv.push_back(nullptr);
  return argv;
}

// Spawns a program with SIGINT and SIGTERM at their defaults, whatever the test process
// inherited (a suite started as a script's background job ignores SIGINT, and evo keeps an
// ignored signal ignored): the signal tests send them and expect them to arrive.
pid_t spawn(const std::string& program, const posix_spawn_file_actions_t& fa, std::vector<char*>& argv) {
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGINT);
  sigaddset(&defaults, SIGTERM);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF);
  pid_t pid = 0;
  const int rc = posix_spawnp(&pid, program.c_str(), &fa, &attr, argv.data(), environ);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) throw std::runtime_error("spawn failed");
  return pid;
}

int decode_status(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

}  // namespace

Result run_evo(const std::vector<std::string>& args) { return run_program(EVO_BINARY, args); }

Result run_program(const std::string& program, const std::vector<std::string>& args) {
  char out_tmpl[] = "/tmp/evo_out_XXXXXX";
  char err_tmpl[] = "/tmp/evo_err_XXXXXX";
  const int out_fd = mkstemp(out_tmpl);
  const int err_fd = mkstemp(err_tmpl);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
  posix_spawn_file_actions_adddup2(&fa, err_fd, 2);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  std::vector<std::string> storage;
  auto argv = argv_of(args, storage, program.c_str());
  const pid_t pid = spawn(program, fa, argv);
  posix_spawn_file_actions_destroy(&fa);
  int status = 0;
  waitpid(pid, &status, 0);
  close(out_fd);
  close(err_fd);
  Result r;
  r.code = decode_status(status);
  r.out = read_file(out_tmpl);
  r.err = read_file(err_tmpl);
  unlink(out_tmpl);
  unlink(err_tmpl);
  return r;
}

int start_evo(const std::vector<std::string>& args) { return start_program(EVO_BINARY, args, "/dev/null"); }

int start_program(const std::string& program, const std::vector<std::string>& args, const std::string& err_path) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<std::string> storage;
  auto argv = argv_of(args, storage, program.c_str());
  const pid_t pid = spawn(program, fa, argv);
  posix_spawn_file_actions_destroy(&fa);
  return pid;
}

int wait_evo(int pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return decode_status(status);
}

ScratchDir::ScratchDir() {
  char tmpl[] = "/tmp/evo_test_XXXXXX";
  if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

ScratchDir::~ScratchDir() {
  const std::string cmd = "rm -rf '" + path_ + "'";
  [[maybe_unused]] int rc = std::system(cmd.c_str());
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

std::string file_digest(const std::string& path) {
  if (!file_exists(path)) return "";
  const std::string s = read_file(path);
  return std::to_string(XXH3_64bits(s.data(), s.size())) + ":" + std::to_string(s.size());
}

bool file_exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

void expect_input_error(const std::vector<std::string>& args) {
  const Result r = run_evo(args);
  std::string cmd = "evo";
  for (const auto& a : args) cmd += " " + a;
  EXPECT_EQ(r.code, 2) << cmd << "\n" << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << cmd << "\n" << r.err;
}

}  // namespace evo::test
