// Times compiled kernels `void f(const T* in, T* out, size_t n)` in ns per element.
//
// The kernels of one call are timed in interleaved rounds (kernel 1, 2, …, 1, 2, …) so that
// a slow spell of a noisy machine falls on all of them alike; each round times enough calls
// over the array to last a few milliseconds. The figures are the median and quartiles of
// the rounds. Compare kernels only within one call (ratios), never across runs.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace evo::native {

struct TimingOptions {
  // 16,384 elements: input and output stay in L2, so the kernel's arithmetic is measured,
  // not the memory bandwidth every kernel would share.
  std::size_t elements = 16384;
  int warmup_rounds = 3;
  int rounds = 21;
  double round_seconds = 0.004;  // minimum time of one kernel's share of a round
};

struct Timing {
  double median_ns = 0;  // ns per element
  double q1_ns = 0, q3_ns = 0;
  double min_ns = 0;
  int rounds = 0;
  std::size_t elements = 0;
  long long calls_per_round = 0;
};

template <class T>
using Kernel = void(const T*, T*, std::size_t);

// Times every kernel on the same inputs (cycled to options.elements).
template <class T>
std::vector<Timing> time_kernels(const std::vector<Kernel<T>*>& kernels, const std::vector<T>& inputs,
                                 const TimingOptions& options = {});

}  // namespace evo::native
