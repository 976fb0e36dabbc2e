// Compiles generated C++ with the system compiler into a shared library and loads it, so
// speed is measured on native code and exported kernels can be checked as compiled.
//
// The flags are part of every measurement: callers record CompileOptions::describe() next
// to the figures they report.
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace evo::native {

struct CompileOptions {
  std::string compiler = "c++";  // overridden by the EVO_CXX environment variable
  // -ffp-contract=off: no fused multiply-add except where the source calls fma, so the
  // compiled kernel computes what the interpreter computed, bit for bit.
  std::vector<std::string> flags = {"-std=c++20", "-O3", "-march=native", "-ffp-contract=off", "-fno-math-errno"};
  std::vector<std::string> libraries;  // e.g. "-lsleef"

  std::string describe() const;  // "c++ -std=c++20 -O3 ... -lsleef"
};

// A loaded shared library; unloaded when the last reference goes.
class Library {
 public:
  ~Library();
  Library(const Library&) = delete;
  Library& operator=(const Library&) = delete;

  // The address of an extern "C" symbol; std::runtime_error when it is missing.
  void* symbol(const std::string& name) const;
  template <class Fn>
  Fn* function(const std::string& name) const {
    return reinterpret_cast<Fn*>(symbol(name));
  }

 private:
  friend std::shared_ptr<Library> compile(const std::string& source, const CompileOptions& options);
  explicit Library(void* handle) : handle_(handle) {}
  void* handle_;
};

// Compiles `source` (C++; export what you need with extern "C") into a shared library in a
// private temporary directory, loads it and removes the files. Throws std::runtime_error
// with the compiler's messages when compilation fails. Thread-safe.
std::shared_ptr<Library> compile(const std::string& source, const CompileOptions& options = {});

}  // namespace evo::native
