// Seeded funcapprox search (2^x on [0,1], max_ops 10, 1024 points): candidates per second
// with 1 and 2 threads, without the store (a sink that drops batches) so the engine
// itself is measured; bench_store measures the writer. BM_Search runs without constant
// fitting (the engine's own cost); BM_SearchFitted with the default fitting.
#include <benchmark/benchmark.h>

#include <map>

#include "evaluators/registry.h"
#include "search/engine.h"

namespace {

struct NullSink : evo::BatchSink {
  void commit(evo::BatchRecord) override {}
};

void search(benchmark::State& state, const std::map<std::string, std::string>& settings, std::uint64_t budget) {
  auto d = evo::make_domain("funcapprox", settings);
  const int threads = static_cast<int>(state.range(0));
  double hit_rate = 0;
  for (auto _ : state) {
    evo::Workers workers(threads);
    evo::ThreadEvaluator eval(workers);
    evo::FecCache cache;
    NullSink sink;
    evo::EngineConfig cfg;
    cfg.seed = 7;
    cfg.batch = static_cast<int>(state.range(1));
    cfg.budget = budget;
    evo::Engine engine(*d, cfg, workers, eval, cache, sink);
    engine.start(1);
    engine.run(nullptr, nullptr);
    hit_rate = engine.state().stats.hit_rate();
  }
  state.counters["candidates_per_s"] =
      benchmark::Counter(static_cast<double>(budget), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["cache_hit_rate"] = hit_rate;
}

void BM_Search(benchmark::State& state) { search(state, {{"fit", "none"}}, 100000); }
void BM_SearchFitted(benchmark::State& state) { search(state, {}, 10000); }
BENCHMARK(BM_SearchFitted)->ArgNames({"threads", "batch"})->Args({1, 64})->Args({2, 64})->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);
BENCHMARK(BM_Search)->ArgNames({"threads", "batch"})->Args({1, 64})->Args({2, 64})->Args({1, 128})->Args({2, 128})->Args({1, 256})->Args({2, 256})->Args({1, 1024})->Args({2, 1024})->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);

}  // namespace
