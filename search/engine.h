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
  double time_limit = 0;          // seconds, 0 = none; checked between batches
  std::optional<double> stop_at;  // stop once the primary objective reaches this
};

// `--set` keys the engine owns (population, tournament, batch, retries, collision_check,
// cache_size, keep_programs).
std::vector<SettingSpec> engine_settings();
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
  MutationKind mutate_child(Program& p, Rng& rng) const;  // the domain's mutation, or the generic ones
  // Mutates copies of `parent` (at most 1 + retries times) until `accept` takes the child's
  // function; `rec` holds the last admissible child (program, hash, mutation) either way.
  bool mutate_until(const Program& parent, Rng& rng, CandidateRecord& rec,
                    const std::function<bool(const Hash128&)>& accept) const;
  void make_child(Child& c, std::uint64_t birth) const;
  void describe_child(Child& c) const;  // text, hashes and structural objectives of its program
  void fill_record(Child& c, const CachedResult& outcome) const;
  void evaluate_together(std::vector<Child>& kids) const;
  BatchRecord run_batch(std::size_t n);
  // Elitist selection (search/elitist.cc): the start program alone, then generations.
  BatchRecord run_start();
  BatchRecord run_generation();
  void finish_state(BatchRecord& batch);

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
  std::deque<Member> population_;
  std::deque<Member> pending_;  // children of the unfinished batch
  ParetoOrder order_;           // NSGA-II order of population_ (when nsga2)
  std::unordered_set<Hash128> seen_;  // functions met in this run (elitist)
};

}  // namespace evo
