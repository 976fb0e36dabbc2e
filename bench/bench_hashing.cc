// Functional hash (probe run + xxh3-128) and canonical form + structural hash, on random
// ~10-op programs of the funcapprox domain.
#include <benchmark/benchmark.h>

#include "evaluators/registry.h"
#include "hashing/canonical.h"

namespace {

std::vector<evo::Program> sample_programs(const evo::Domain& d, int n) {
  std::vector<evo::Program> out;
  evo::Rng rng(1);
  evo::Program p = evo::trivial_program(d.signature());
  while (static_cast<int>(out.size()) < n) {
    evo::Program q = p;
    evo::mutate(q, d.mutation_space(), rng);
    q = evo::canonicalize(q);
    if (!d.admissible(q)) continue;
    p = q;
    if (p.code.size() >= 6) out.push_back(p);
  }
  return out;
}

void BM_FunctionalHash(benchmark::State& state) {
  auto d = evo::make_domain("funcapprox", {{"fit", "none"}});
  const auto progs = sample_programs(*d, 256);
  std::size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(d->functional_hash(progs[i++ % progs.size()]));
  state.counters["hashes_per_s"] = benchmark::Counter(1, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_FunctionalHash);

void BM_CanonicalizeAndStructuralHash(benchmark::State& state) {
  auto d = evo::make_domain("funcapprox", {{"fit", "none"}});
  const auto progs = sample_programs(*d, 256);
  std::size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(evo::structural_hash(evo::canonicalize(progs[i++ % progs.size()])));
  state.counters["per_s"] = benchmark::Counter(1, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_CanonicalizeAndStructuralHash);

void BM_Evaluate1024(benchmark::State& state) {
  auto d = evo::make_domain("funcapprox", {{"fit", "none"}});
  const auto progs = sample_programs(*d, 256);
  std::size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(d->evaluate(progs[i++ % progs.size()]));
  state.counters["evals_per_s"] = benchmark::Counter(1, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_Evaluate1024);

}  // namespace
