// The error of float32 kernels measured on every float in an interval, in ULPs.
//
// The kernels run as compiled native code (bit-identical to the interpreter's float32 mode,
// see tests/interpreter_test.cc), so four billion evaluations take seconds. The reference is
// the C library's double function: its error, below 1e-16 relative, is 2^-29 of a float
// ULP, far below the figures measured. The error of a result y at x is |y - f(x)| / ulp(f(x)),
// with ulp the spacing of floats in f(x)'s binade (2^-149 below the normal range), so a
// kernel within 0.5 ULP is correctly rounded and one within 1 ULP is at most one float
// away from the correctly rounded result.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace evo::funcapprox {

struct UlpResult {
  double max_ulp = 0;         // the largest error, in ULPs (inf for a NaN/Inf result)
  float worst_x = 0;          // where it occurs (the smallest such x)
  float worst_y = 0;          // the kernel's result there
  double worst_ref = 0;       // the reference there
  std::uint64_t not_correctly_rounded = 0;  // inputs with an error above 0.5 ULP
  std::uint64_t inputs = 0;   // floats checked
};

// Every float x in [lo, hi] (-0.0 counted once, as +0.0). `kernels` are array kernels
// `void(const float*, float*, size_t)`; `reference` computes the exact function in double.
// Uses all threads of the current TBB arena; the result does not depend on their number.
std::vector<UlpResult> exhaustive_ulp(const std::vector<void (*)(const float*, float*, std::size_t)>& kernels,
                                      const std::function<double(double)>& reference, float lo, float hi);

// The ULP error of y against the exact value ref, as defined above.
double ulp_error(float y, double ref);

}  // namespace evo::funcapprox
