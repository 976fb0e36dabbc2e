// Reading a database: candidates, rankings, and what a resumed run needs back.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include <SQLiteCpp/Database.h>

#include "hashing/fec_cache.h"
#include "search/selection.h"

namespace evo {

struct CandidateRow {
  std::int64_t id = 0, run_id = 0, birth = 0;
  std::optional<std::int64_t> parent;
  std::string mutation, program;
  int ops = 0;
  std::string structural_hash, functional_hash;
  bool valid = false;
  std::string invalid_reason;
  bool cache_hit = false;
  std::vector<std::pair<std::string, double>> objectives;  // in the run's objective order
};

std::optional<CandidateRow> get_candidate(SQLite::Database& db, std::int64_t id);

// (name, minimize) of each objective of a run, in order; with steering_only, of those
// that steer selection (the others are recorded, not searched on).
std::vector<std::pair<std::string, bool>> objective_directions(SQLite::Database& db, std::int64_t run_id,
                                                               bool steering_only = false);

// The top `k` valid candidates of a run by `objective` (ascending when minimize); ties are
// broken by the run's other objectives in order, then by the older candidate.
// A limit on an objective: `name <= value` (at_most) or `name >= value`.
struct ObjectiveBound {
  std::string name;
  bool at_most = true;
  double value = 0;
};

std::vector<CandidateRow> best_candidates(SQLite::Database& db, std::int64_t run_id, const std::string& objective,
                                          bool minimize, int k, const std::vector<ObjectiveBound>& bounds = {});

// The run's Pareto front: valid candidates no other valid candidate dominates (at least as
// good in every objective that steers the search, better in one; directions from the run;
// an unmeasured value, stored null, counts as infinite). Of candidates with
// equal objectives only the oldest is listed. Ordered by the primary objective.
std::vector<CandidateRow> pareto_front(SQLite::Database& db, std::int64_t run_id);

// Every candidate of a run in birth order (tests and exports).
std::vector<CandidateRow> run_candidates(SQLite::Database& db, std::int64_t run_id);

// The run's candidates whose program is stored (all, unless the run sets keep_programs), by id.
std::vector<CandidateRow> candidates_with_programs(SQLite::Database& db, std::int64_t run_id);

std::int64_t next_candidate_id(SQLite::Database& db);

// The functional hashes of a run's candidates up to (not including) birth `births`: what an
// elitist run has met when it resumes.
std::vector<Hash128> run_functional_hashes(SQLite::Database& db, std::int64_t run_id, std::uint64_t births);

// Loads the FEC entries stored under `fingerprint`.
std::size_t load_cache(SQLite::Database& db, const std::string& fingerprint, FecCache& cache);

// Candidates as population members, in the order of `ids`. Throws if one is missing.
std::deque<Member> load_members(SQLite::Database& db, const std::vector<std::int64_t>& ids,
                                const Signature* sig, const std::vector<std::string>& objective_names);

}  // namespace evo
