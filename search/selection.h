// Regularized evolution's pieces: members, their ranking, and tournament selection.
#pragma once

#include <cstdint>
#include <deque>
#include <utility>
#include <vector>

#include "hashing/hash128.h"
#include "search/domain.h"
#include "search/program.h"
#include "search/rng.h"

namespace evo {

struct Member {
  std::int64_t id = 0;     // candidate id in the store
  std::int64_t birth = 0;  // order of creation in the run
  Program program;
  Hash128 fhash;
  bool valid = false;
  std::vector<double> objectives;  // in Domain::objectives() order; empty when invalid
};

// Ranks candidates: valid before invalid, then the objectives that steer, in order (each
// in its direction), then the younger one.
class Ranking {
 public:
  explicit Ranking(const std::vector<ObjectiveSpec>& objectives);
  bool better(const Member& a, const Member& b) const;
  bool better(bool valid_a, const std::vector<double>& a, bool valid_b, const std::vector<double>& b) const;

 private:
  std::vector<std::size_t> keys_;  // the objectives that steer
  std::vector<ObjectiveSpec> objectives_;
};

// -1 when a is better than b in objective k (in its direction), 1 when worse, 0 when level
// or unordered (NaN); +Inf in an objective with unmeasured_by compares as described there.
int compare_objective(const std::vector<double>& a, const std::vector<double>& b, std::size_t k,
                      const std::vector<ObjectiveSpec>& objectives);

// Draws `size` members uniformly (with replacement) and returns the index of the best.
std::size_t tournament(const std::deque<Member>& population, int size, const Ranking& ranking, Rng& rng);

}  // namespace evo

namespace evo {

// NSGA-II's order of a population: the non-domination rank of each member (0 = the Pareto
// front; invalid members last) and its crowding distance within its front (larger means
// in a sparser region; the extremes of a front are infinite).
struct ParetoOrder {
  std::vector<int> rank;
  std::vector<double> crowding;
  // a before b: lower rank, then larger crowding, then younger.
  bool better(std::size_t a, std::size_t b, const std::deque<Member>& pop) const;
};

ParetoOrder pareto_order(const std::deque<Member>& population, const std::vector<ObjectiveSpec>& objectives);

// Crowded-comparison tournament of `size` uniform draws.
std::size_t crowded_tournament(const std::deque<Member>& population, const ParetoOrder& order, int size, Rng& rng);

// Keeps the `keep` best members by (rank, crowding, youth) -- NSGA-II's survivor
// selection -- with at most one member per functional hash while distinct ones remain,
// and leaves them in birth order, so what follows does not depend on how they were sorted.
void nsga2_survivors(std::deque<Member>& population, std::size_t keep, const std::vector<ObjectiveSpec>& objectives);

}  // namespace evo
