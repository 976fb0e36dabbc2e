#include "evaluators/native/timing.h"

#include <algorithm>
#include <chrono>
#include <stdexcept>

namespace evo::native {
namespace {

using Clock = std::chrono::steady_clock;

template <class T>
double seconds_for(Kernel<T>* k, const std::vector<T>& in, std::vector<T>& out, long long calls) {
  const auto start = Clock::now();
  for (long long c = 0; c < calls; ++c) {
    k(in.data(), out.data(), in.size());
    // Keeps the compiler from assuming the output is unused between calls.
    asm volatile("" : : "r"(out.data()) : "memory");
  }
  return std::chrono::duration<double>(Clock::now() - start).count();
}

double quantile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  const double pos = q * static_cast<double>(v.size() - 1);
  const auto lo = static_cast<std::size_t>(pos);
  const std::size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (pos - static_cast<double>(lo)) * (v[hi] - v[lo]);
}

}  // namespace

template <class T>
std::vector<Timing> time_kernels(const std::vector<Kernel<T>*>& kernels, const std::vector<T>& inputs,
                                 const TimingOptions& o) {
  if (inputs.empty() || o.elements == 0 || o.rounds < 1) throw std::invalid_argument("time_kernels: nothing to time");
  std::vector<T> in(o.elements), out(o.elements);
  for (std::size_t i = 0; i < o.elements; ++i) in[i] = inputs[i % inputs.size()];

  // Calibrate: enough calls per round for each kernel to run round_seconds.
  std::vector<long long> calls(kernels.size(), 1);
  for (std::size_t k = 0; k < kernels.size(); ++k) {
    double t = seconds_for(kernels[k], in, out, 1);
    while (t < o.round_seconds / 4 && calls[k] < (1LL << 40)) {
      calls[k] *= 2;
      t = seconds_for(kernels[k], in, out, calls[k]);
    }
    calls[k] = std::max(1LL, static_cast<long long>(static_cast<double>(calls[k]) * o.round_seconds / std::max(t, 1e-9)));
  }

  std::vector<std::vector<double>> ns(kernels.size());
  for (int r = -o.warmup_rounds; r < o.rounds; ++r)
    for (std::size_t k = 0; k < kernels.size(); ++k) {
      const double t = seconds_for(kernels[k], in, out, calls[k]);
      if (r >= 0) ns[k].push_back(t * 1e9 / (static_cast<double>(calls[k]) * static_cast<double>(o.elements)));
    }

  std::vector<Timing> result(kernels.size());
  for (std::size_t k = 0; k < kernels.size(); ++k) {
    auto& t = result[k];
    t.median_ns = quantile(ns[k], 0.5);
    t.q1_ns = quantile(ns[k], 0.25);
    t.q3_ns = quantile(ns[k], 0.75);
    t.min_ns = *std::min_element(ns[k].begin(), ns[k].end());
    t.rounds = o.rounds;
    t.elements = o.elements;
    t.calls_per_round = calls[k];
  }
  return result;
}

template std::vector<Timing> time_kernels<float>(const std::vector<Kernel<float>*>&, const std::vector<float>&,
                                                 const TimingOptions&);
template std::vector<Timing> time_kernels<double>(const std::vector<Kernel<double>*>&, const std::vector<double>&,
                                                  const TimingOptions&);

}  // namespace evo::native
