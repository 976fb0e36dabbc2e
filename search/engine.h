// The search loop: regularized evolution (or NSGA-II) over batches.
//
// Per batch: select parents and mutate (in parallel, each child from its own random
// stream) -> canonicalise and hash -> answer from the FEC cache or evaluate (in parallel)
// -> add children to the population, retire the oldest -> hand the batch to the sink.
//
// selection=elitist is (1+λ) search with multi-step selection (EvoPress): a batch is a
// generation of λ children of the one parent (search/elitist.cc).
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "hashing/fec_cache.h"
#include "search/batch.h"
#include "search/batch_evaluator.h"
#include "search/domain.h"
#include "search/selection.h"
#include "search/settings.h"

namespace evo {

struct EngineConfig {
  std::uint64_t seed = 1;
  std::uint64_t budget = 10000;  // total candidates for the run
  int population = 500;
  int tournament = 10;
  bool nsga2 = false;    // Pareto selection over all objectives instead of regularized evolution
  bool elitist = false;  // (1+λ) with multi-step selection; λ = batch
  int batch = 64;
  int retries = 10;               // re-mutations until the child differs functionally from its parent
  double collision_check = 0.01;  // fraction of cache hits evaluated anyway to count collisions
  std::size_t cache_size = 1'000'000;  // most FEC cache entries held in memory (FecCache)
  std::size_t keep_programs = 0;       // > 0: the store keeps only these programs (ProgramKeeper)
  // Island model: the population is split into `islands` sub-populations (child of birth
  // b belongs to island b mod islands); every `migrate_every` batches each island's best
  // joins the next island of the ring.
  int islands = 1;
  int migrate_every = 10;
  double time_limit = 0;          // seconds, 0 = none; checked between batches
  std::optional<double> stop_at;  // stop once the primary objective reaches this
};

// `--set` keys the engine owns (population, tournament, batch, retries, collision_check,
// cache_size, keep_programs, islands, migrate_every).
std::vector<SettingSpec> engine_settings();
// InputError for combinations no single setting can refuse (e.g. islands with elitist).
void apply_engine_settings(const Settings& s, EngineConfig& cfg);

enum class StopReason { budget, target, time_limit, interrupted };
std::string_view stop_reason_name(StopReason r);

class Engine {
 public:
  Engine(const Domain& domain, EngineConfig cfg, Workers& workers, BatchEvaluator& evaluator, FecCache& cache,
         BatchSink& sink);

  // A new run whose first candidate gets id `first_id`.
  void start(std::int64_t first_id);
  // Continue from a checkpoint; `members` and `pending` are the candidates the
  // checkpoint's population and pending lists name, in order.
  void restore(EngineState state, std::deque<Member> members, std::deque<Member> pending);

  using Progress = std::function<void(const RunStats&)>;
  StopReason run(const std::function<bool()>& interrupted, const Progress& progress);

  const EngineState& state() const { return state_; }
  void set_budget(std::uint64_t budget) { cfg_.budget = budget; }
  // Elitist runs reject children whose function the run has met before; a resumed run is
  // told which it has met.
  void remember(const std::vector<Hash128>& seen) { seen_.insert(seen.begin(), seen.end()); }

 private:
  struct Child;
  // Making a child (search/breed.h): choosing its parent, breeding, taking the result in.
  BreedTask plan_child(Child& c, std::uint64_t birth) const;
  void adopt_child(Child& c, Bred bred) const;
  void make_child(Child& c, std::uint64_t birth) const;  // all three
  void describe_child(Child& c) const;  // text, hashes and structural objectives of its program
  void fill_record(Child& c, const CachedResult& outcome) const;
  void evaluate_together(std::vector<Child>& kids) const;
  BatchRecord run_batch(std::size_t n);
  // Elitist selection (search/elitist.cc): the start program alone, then generations.
  BatchRecord run_start();
  BatchRecord run_generation();
  void finish_state(BatchRecord& batch);
  std::size_t island_of(std::uint64_t birth) const { return birth % islands_.size(); }
  std::size_t island_capacity(std::size_t k) const;
  void survive(std::size_t k);  // trims island k to its capacity (regularized: the oldest go)
  void migrate();               // each island's best to the next island of the ring

  const Domain& domain_;
  EngineConfig cfg_;
  Workers& workers_;
  BatchEvaluator& evaluator_;
  FecCache& cache_;
  BatchSink& sink_;
  Ranking ranking_;
  std::vector<ObjectiveSpec> objectives_;
  std::size_t functional_count_ = 0;
  std::vector<bool> unmeasured_;  // per functional objective: compared by collision checks
  EngineState state_;
  std::vector<std::deque<Member>> islands_;  // the population: one island unless cfg_.islands > 1
  std::deque<Member> pending_;               // children of the unfinished batch
  std::vector<ParetoOrder> orders_;          // NSGA-II order of each island (when nsga2)
  std::unordered_set<Hash128> seen_;  // functions met in this run (elitist)
};

}  // namespace evo
