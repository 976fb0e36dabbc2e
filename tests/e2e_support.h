// Helpers for end-to-end tests: run the real `evo` binary, capture its output and exit
// code, make scratch directories, checksum files.
#pragma once

#include <string>
#include <vector>

namespace evo::test {

struct Result {
  int code = -1;       // exit code (128 + signal when killed by one)
  std::string out;     // standard output
  std::string err;     // standard error
};

// Runs `evo` with the arguments (no shell involved); waits for it.
Result run_evo(const std::vector<std::string>& args);
// The same for another program (found on PATH unless `program` has a slash).
Result run_program(const std::string& program, const std::vector<std::string>& args);

// Starts `evo` in the background; returns its pid. Output goes to /dev/null.
int start_evo(const std::vector<std::string>& args);
// The same for another program (found on PATH unless it has a slash), its stderr to a file.
int start_program(const std::string& program, const std::vector<std::string>& args, const std::string& err_path);
// Waits for a started process; returns its exit code (128 + signal when killed).
int wait_evo(int pid);

// A fresh empty directory under /tmp, removed by the destructor.
class ScratchDir {
 public:
  ScratchDir();
  ~ScratchDir();
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Checks (with GoogleTest) that `evo args` fails as bad input should: exit code 2 and one
// line on stderr.
void expect_input_error(const std::vector<std::string>& args);

std::string read_file(const std::string& path);
void write_file(const std::string& path, const std::string& text);
std::string file_digest(const std::string& path);  // content hash, "" when missing
bool file_exists(const std::string& path);

}  // namespace evo::test
