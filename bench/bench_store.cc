// Store: candidates committed per second (batches of 64 ~10-op candidates with two
// objectives each, as the engine writes them), and `best` on a run of 1,000,000 candidates.
#include <benchmark/benchmark.h>

#include <unistd.h>

#include <cstdlib>

#include "evaluators/registry.h"
#include "search/program_text.h"
#include "store/database.h"
#include "store/queries.h"
#include "store/runs.h"
#include "store/writer.h"

namespace {

struct TempDb {
  std::string dir, path;
  TempDb() {
    char tmpl[] = "/tmp/evo_bench_XXXXXX";
    dir = mkdtemp(tmpl);
    path = dir + "/bench.db";
  }
  ~TempDb() { [[maybe_unused]] int rc = std::system(("rm -rf " + dir).c_str()); }
};

evo::BatchRecord make_batch(const evo::Domain& d, std::int64_t& next_id, std::int64_t& birth, int n) {
  static const evo::Program p = evo::parse_program(
      "input x\nr1 = mul(x, x)\nr2 = fma(r1, 0x1.5p-3, x)\nr3 = add(r2, 0x1p+0)\nr4 = mul(r3, r1)\n"
      "r5 = sub(r4, x)\nr6 = mul(r5, 0x1.62e42fefa39efp-1)\nr7 = add(r6, r3)\nr8 = div(r7, r3)\noutput y = r8\n",
      d.signature());
  evo::BatchRecord b;
  for (int i = 0; i < n; ++i) {
    evo::CandidateRecord c;
    c.id = next_id++;
    c.birth = birth++;
    c.parent = c.id > 1 ? c.id - 1 : 0;
    c.program = p;
    c.ops = 8;
    c.functional_hash = evo::Hash128{static_cast<std::uint64_t>(c.id), 1};
    c.objectives = {1.0 / static_cast<double>(c.id), 9.0};
    b.candidates.push_back(c);
    evo::CachedResult r;
    r.objectives = {c.objectives[0]};
    b.new_cache_entries.emplace_back(c.functional_hash, r);
  }
  b.state.births = static_cast<std::uint64_t>(birth);
  b.state.next_id = next_id;
  for (int i = 0; i < 500; ++i) b.state.population.push_back(next_id - 1 - i);
  return b;
}

std::int64_t new_run(SQLite::Database& db, const evo::Domain& d) {
  evo::RunInfo run;
  run.name = "bench";
  run.domain = "funcapprox";
  run.objectives = nlohmann::json::array({{{"name", "error"}, {"minimize", true}}, {{"name", "cost"}, {"minimize", true}}});
  run.fingerprint = d.fingerprint();
  return evo::create_run(db, run);
}

void BM_StoreCommit(benchmark::State& state) {
  TempDb tmp;
  auto d = evo::make_domain("funcapprox", {});
  auto db = evo::open_database(tmp.path, evo::OpenMode::create);
  const auto run = new_run(*db, *d);
  evo::StoreWriter writer(*db, run, d->fingerprint(), {"error", "cost"});
  std::int64_t next_id = 1, birth = 0;
  const int per_batch = static_cast<int>(state.range(0));
  for (auto _ : state) {
    state.PauseTiming();
    auto b = make_batch(*d, next_id, birth, per_batch);
    state.ResumeTiming();
    writer.commit(std::move(b));
  }
  state.counters["candidates_per_s"] =
      benchmark::Counter(static_cast<double>(per_batch), benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_StoreCommit)->Arg(64)->Arg(1024)->UseRealTime();

void BM_BestOnMillion(benchmark::State& state) {
  TempDb tmp;
  auto d = evo::make_domain("funcapprox", {});
  auto db = evo::open_database(tmp.path, evo::OpenMode::create);
  const auto run = new_run(*db, *d);
  {
    evo::StoreWriter writer(*db, run, d->fingerprint(), {"error", "cost"});
    std::int64_t next_id = 1, birth = 0;
    while (next_id <= 1000000) writer.commit(make_batch(*d, next_id, birth, 10000));
  }
  auto ro = evo::open_database(tmp.path, evo::OpenMode::read_only);
  for (auto _ : state) benchmark::DoNotOptimize(evo::best_candidates(*ro, run, "error", true, 5));
}
BENCHMARK(BM_BestOnMillion)->Unit(benchmark::kMillisecond)->Iterations(20);

}  // namespace
