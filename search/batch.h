// What one batch hands to the store: its candidates, the cache entries it created, the
// cache hits it made, and the engine state to resume from after it. The store writes all
// of it in one transaction.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <boost/serialization/vector.hpp>
#include <boost/serialization/version.hpp>

#include "hashing/fec_cache.h"
#include "search/bounded_load.h"
#include "search/mutation.h"
#include "search/program.h"

namespace evo {

// Upper bounds on list lengths when a checkpoint is read (bounded_load.h), far above what
// any setting allows (population at most 1e7, batch at most 1e6).
inline constexpr std::size_t kMaxMembers = std::size_t{1} << 24;
inline constexpr std::size_t kMaxObjectives = std::size_t{1} << 16;
inline constexpr std::size_t kMaxIslands = 1024;  // the islands setting's upper bound

struct RunStats {
  std::uint64_t evaluations = 0;       // candidates created (cache hits included)
  std::uint64_t evaluated = 0;         // candidates actually evaluated
  std::uint64_t cache_hits = 0;        // answered by the FEC cache (or a twin earlier in the batch)
  std::uint64_t invalid = 0;
  std::uint64_t screened_out = 0;      // elitist: children dropped by a screening stage
  std::uint64_t collision_checks = 0;  // cache hits evaluated anyway to measure collisions
  std::uint64_t collisions = 0;        // ... whose objectives differed from the cached ones
  double eval_seconds = 0;             // time spent evaluating (statistics only, never steers)
  std::int64_t best_candidate = 0;     // best valid candidate so far (0: none yet)
  std::vector<double> best_objectives;

  double hit_rate() const { return evaluations ? static_cast<double>(cache_hits) / evaluations : 0.0; }
  double saved_seconds() const { return evaluated ? eval_seconds / evaluated * cache_hits : 0.0; }

  template <class Archive>
  void serialize(Archive& ar, unsigned version) {
    ar& evaluations& evaluated& cache_hits& invalid& collision_checks& collisions& eval_seconds& best_candidate;
    bounded(ar, best_objectives, kMaxObjectives);
    if (version >= 1) ar& screened_out;
  }
};

}  // namespace evo

BOOST_CLASS_VERSION(evo::RunStats, 1)  // 1: screened_out

namespace evo {

// The checkpoint: enough to continue a run exactly. Randomness needs no state here: every
// child's stream is derived from (seed, birth). Members are referenced by candidate id;
// their programs and objectives are read back from the store.
//
// All children of a batch are made from the population as it was when the batch began,
// and join it when the batch is complete. A run stopped inside a batch (its budget was
// not a multiple of the batch size) keeps the children made so far in `pending`, so a
// resume finishes that batch from the same population, exactly as an uninterrupted run.
struct EngineState {
  std::uint64_t births = 0;
  std::int64_t next_id = 1;
  std::vector<std::int64_t> population;  // candidate ids, island by island, in the engine's order
  std::vector<std::int64_t> pending;     // children of the unfinished batch, in birth order
  RunStats stats;
  // With islands: how many of `population` belong to each island, in order (empty: one).
  std::vector<std::uint64_t> island_sizes;

  template <class Archive>
  void serialize(Archive& ar, unsigned version) {
    ar& births& next_id;
    bounded(ar, population, kMaxMembers);
    bounded(ar, pending, kMaxMembers);
    ar& stats;
    if (version >= 1) bounded(ar, island_sizes, kMaxIslands);
  }
};

struct CandidateRecord {
  std::int64_t id = 0;
  std::int64_t birth = 0;
  std::int64_t parent = 0;  // 0: none (start population)
  MutationKind mutation = MutationKind::none;
  Program program;   // moved into the population once the record is complete
  std::string text;  // the program's text form, what the store keeps
  int ops = 0;
  std::uint64_t structural_hash = 0;
  Hash128 functional_hash;
  bool valid = true;
  std::string reason;
  bool cache_hit = false;
  std::vector<double> objectives;  // empty when invalid
};

struct BatchRecord {
  std::vector<CandidateRecord> candidates;
  std::vector<std::pair<Hash128, CachedResult>> new_cache_entries;
  std::vector<std::pair<Hash128, std::uint64_t>> cache_hits;  // hit counts to add
  EngineState state;
  // The population after the batch, for the run's progress record (not part of the state).
  std::uint64_t population = 0;          // members, all islands
  std::uint64_t distinct_functions = 0;  // distinct functional hashes among them
};

}  // namespace evo

BOOST_CLASS_VERSION(evo::EngineState, 1)  // 1: island_sizes

namespace evo {

// Where batches go: the store, or a test's memory.
class BatchSink {
 public:
  virtual ~BatchSink() = default;
  virtual void commit(BatchRecord batch) = 0;
  virtual void flush() {}  // returns once everything committed so far is durable
};

}  // namespace evo
