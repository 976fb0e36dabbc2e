#include "evaluators/native/compiler.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

extern char** environ;

namespace evo::native {
namespace {

std::string compiler_command(const CompileOptions& o) {
  if (const char* env = std::getenv("EVO_CXX"); env && *env) return env;
  return o.compiler;
}

// A private directory under the system temp dir, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "evo-native-XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw std::runtime_error("cannot create a temporary directory for native code");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string file(const char* name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// Runs argv with stdout and stderr sent to `log`; returns the exit status (-1 on signal).
int run_process(const std::vector<std::string>& argv, const std::string& log) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  const int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error("cannot start the compiler '" + argv[0] + "'");
  int status = 0;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) throw std::runtime_error("waiting for the compiler failed");
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string read_all(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

std::string CompileOptions::describe() const {
  std::string out = compiler_command(*this);
  for (const auto& f : flags) out += " " + f;
  for (const auto& l : libraries) out += " " + l;
  return out;
}

Library::~Library() { dlclose(handle_); }

void* Library::symbol(const std::string& name) const {
  void* s = dlsym(handle_, name.c_str());
  if (!s) throw std::runtime_error("native code has no symbol '" + name + "'");
  return s;
}

std::shared_ptr<Library> compile(const std::string& source, const CompileOptions& options) {
  TempDir dir;
  const std::string src = dir.file("kernel.cc"), lib = dir.file("kernel.so"), log = dir.file("compiler.log");
  {
    std::ofstream out(src);
    out << source;
    if (!out) throw std::runtime_error("cannot write native source to " + src);
  }
  std::vector<std::string> argv = {compiler_command(options)};
  argv.insert(argv.end(), options.flags.begin(), options.flags.end());
  for (const char* f : {"-fPIC", "-shared", "-o"}) argv.emplace_back(f);
  argv.push_back(lib);
  argv.push_back(src);
  argv.insert(argv.end(), options.libraries.begin(), options.libraries.end());
  if (run_process(argv, log) != 0) {
    std::string messages = read_all(log);
    if (messages.size() > 4000) messages.resize(4000);
    throw std::runtime_error("compiling native code failed (" + options.describe() + "):\n" + messages);
  }
  // The loaded image stays valid after the file is removed with the directory.
  void* handle = dlopen(lib.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) throw std::runtime_error(std::string("loading native code failed: ") + dlerror());
  return std::shared_ptr<Library>(new Library(handle));
}

}  // namespace evo::native
