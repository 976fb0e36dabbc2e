// Array kernels that call the system's own implementations of a math function: the speed
// baselines an evolved kernel must beat, compiled and timed by the same harness in the
// same run. Each is `extern "C" void <symbol>(const T* in, T* out, size_t n)`.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace evo::native {

struct KernelSource {
  std::string name;    // what reports call it, e.g. "glibc expf (scalar loop)"
  std::string symbol;  // the extern "C" function the code defines
  std::string code;    // C++ source defining it
  std::vector<std::string> libraries;  // linker flags it needs
};

// The library kernels for a C math function ("exp", "exp2", "log", "log2", "sin", "cos",
// "tanh", "erf") in "float" or "double": glibc's scalar function in a loop, glibc's vector
// math library (libmvec) and SLEEF's 1-ULP vector functions at 256 bits and, where the
// CPU has AVX-512, 512 bits. Empty for a function the libraries do not have.
std::vector<KernelSource> library_kernels(std::string_view function, std::string_view type);

// One translation unit defining every kernel; `libraries` gets the union of their flags.
std::string combine_kernels(const std::vector<KernelSource>& kernels, std::vector<std::string>& libraries);

}  // namespace evo::native
