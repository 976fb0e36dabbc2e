// Interpreter throughput on a 10-op float64 arithmetic program, beside the same program
// compiled natively (same flags, -ffp-contract=off), in the same binary and run.
#include <benchmark/benchmark.h>

#include <cmath>
#include <vector>

#include "search/interpreter.h"
#include "search/program_text.h"

namespace {

constexpr const char* kProgram =
    "input x\n"
    "r1 = mul(x, x)\n"
    "r2 = fma(r1, 0x1.5p-3, x)\n"
    "r3 = add(r2, 0x1p+0)\n"
    "r4 = mul(r3, r1)\n"
    "r5 = sub(r4, x)\n"
    "r6 = mul(r5, 0x1.62e42fefa39efp-1)\n"
    "r7 = add(r6, r3)\n"
    "r8 = div(r7, r3)\n"
    "r9 = mul(r8, r8)\n"
    "output y = r9\n";  // 9 instructions, 10 ops with fma counted twice

// The same computation written as C++.
__attribute__((noinline)) void native(const double* __restrict x, double* __restrict y, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    const double r1 = x[i] * x[i];
    const double r2 = std::fma(r1, 0x1.5p-3, x[i]);
    const double r3 = r2 + 1.0;
    const double r4 = r3 * r1;
    const double r5 = r4 - x[i];
    const double r6 = r5 * 0x1.62e42fefa39efp-1;
    const double r7 = r6 + r3;
    const double r8 = r7 / r3;
    y[i] = r8 * r8;
  }
}

void BM_Interpreter_f64(benchmark::State& state) {
  const auto p = evo::parse_program(kProgram);
  const std::size_t n = static_cast<std::size_t>(state.range(0));
  std::vector<double> x(n), y(n);
  for (std::size_t i = 0; i < n; ++i) x[i] = static_cast<double>(i) / static_cast<double>(n);
  evo::Interpreter<double> interp;
  for (auto _ : state) {
    interp.run(p, x.data(), y.data(), n);
    benchmark::DoNotOptimize(y.data());
  }
  state.counters["element_ops_per_s"] =
      benchmark::Counter(static_cast<double>(n * p.code.size()), benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_Interpreter_f64)->Arg(1024)->Arg(65536);

void BM_Native_f64(benchmark::State& state) {
  const std::size_t n = static_cast<std::size_t>(state.range(0));
  std::vector<double> x(n), y(n);
  for (std::size_t i = 0; i < n; ++i) x[i] = static_cast<double>(i) / static_cast<double>(n);
  for (auto _ : state) {
    native(x.data(), y.data(), n);
    benchmark::DoNotOptimize(y.data());
  }
  state.counters["element_ops_per_s"] =
      benchmark::Counter(static_cast<double>(n * 9), benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_Native_f64)->Arg(1024)->Arg(65536);

void BM_Interpreter_f32(benchmark::State& state) {
  const auto p = evo::parse_program(kProgram);
  const std::size_t n = static_cast<std::size_t>(state.range(0));
  std::vector<float> x(n), y(n);
  for (std::size_t i = 0; i < n; ++i) x[i] = static_cast<float>(i) / static_cast<float>(n);
  evo::Interpreter<float> interp;
  for (auto _ : state) {
    interp.run(p, x.data(), y.data(), n);
    benchmark::DoNotOptimize(y.data());
  }
  state.counters["element_ops_per_s"] =
      benchmark::Counter(static_cast<double>(n * p.code.size()), benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_Interpreter_f32)->Arg(1024)->Arg(65536);

}  // namespace
