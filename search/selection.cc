#include "search/selection.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <unordered_set>

namespace evo {

int compare_objective(const std::vector<double>& a, const std::vector<double>& b, std::size_t k,
                      const std::vector<ObjectiveSpec>& objectives) {
  const ObjectiveSpec& spec = objectives[k];
  const auto f = spec.unmeasured_by;
  if (f && *f != k && *f < a.size() && *f < b.size() && a[k] == b[k] && a[k] == std::numeric_limits<double>::infinity())
    return compare_objective(a, b, *f, objectives);
  // Plain order; an unmeasured +Inf already sorts after every finite value when minimised.
  if (a[k] < b[k]) return spec.minimize ? -1 : 1;
  if (a[k] > b[k]) return spec.minimize ? 1 : -1;
  return 0;
}

Ranking::Ranking(const std::vector<ObjectiveSpec>& objectives) : objectives_(objectives) {
  for (std::size_t k = 0; k < objectives.size(); ++k)
    if (objectives[k].steers) keys_.push_back(k);
}

bool Ranking::better(bool valid_a, const std::vector<double>& a, bool valid_b, const std::vector<double>& b) const {
  if (valid_a != valid_b) return valid_a;
  if (!valid_a) return false;
  for (const std::size_t i : keys_) {
    if (i >= a.size() || i >= b.size()) break;
    if (std::isnan(a[i]) || std::isnan(b[i])) return false;  // unordered: neither is better
    if (const int c = compare_objective(a, b, i, objectives_)) return c < 0;
  }
  return false;
}

bool Ranking::better(const Member& a, const Member& b) const {
  if (better(a.valid, a.objectives, b.valid, b.objectives)) return true;
  if (better(b.valid, b.objectives, a.valid, a.objectives)) return false;
  return a.birth > b.birth;
}

std::size_t tournament(const std::deque<Member>& population, int size, const Ranking& ranking, Rng& rng) {
  const int n = static_cast<int>(population.size());
  std::size_t best = static_cast<std::size_t>(rng.below(n));
  for (int i = 1; i < size; ++i) {
    const auto c = static_cast<std::size_t>(rng.below(n));
    if (ranking.better(population[c], population[best])) best = c;
  }
  return best;
}

}  // namespace evo

namespace evo {
namespace {

// a dominates b: no worse in every objective, better in one (each in its direction).
bool dominates(const Member& a, const Member& b, const std::vector<ObjectiveSpec>& objectives) {
  bool better = false;
  for (std::size_t k = 0; k < objectives.size() && k < a.objectives.size() && k < b.objectives.size(); ++k) {
    if (!objectives[k].steers) continue;
    const int c = compare_objective(a.objectives, b.objectives, k, objectives);
    if (c > 0) return false;
    better |= c < 0;
  }
  return better;
}

// The column crowding distances are measured on for objective k in a front: k itself, or
// its unmeasured_by objective where every member of the front is unmeasured (+Inf) in k.
std::size_t crowding_column(const std::deque<Member>& pop, const std::vector<std::size_t>& front, std::size_t k,
                            const std::vector<ObjectiveSpec>& objectives) {
  const auto f = objectives[k].unmeasured_by;
  if (!f) return k;
  for (std::size_t i : front)
    if (pop[i].objectives[k] != std::numeric_limits<double>::infinity() || *f >= pop[i].objectives.size()) return k;
  return *f;
}

}  // namespace

bool ParetoOrder::better(std::size_t a, std::size_t b, const std::deque<Member>& pop) const {
  if (rank[a] != rank[b]) return rank[a] < rank[b];
  if (crowding[a] != crowding[b]) return crowding[a] > crowding[b];
  return pop[a].birth > pop[b].birth;
}

ParetoOrder pareto_order(const std::deque<Member>& pop, const std::vector<ObjectiveSpec>& objectives) {
  const std::size_t n = pop.size();
  ParetoOrder order;
  order.rank.assign(n, 0);
  order.crowding.assign(n, 0.0);
  // Fast non-dominated sort (Deb et al.): O(n^2 m).
  std::vector<std::vector<std::size_t>> dominated_by_me(n);
  std::vector<int> domination_count(n, 0);
  std::vector<std::size_t> current;
  std::vector<std::size_t> invalid;
  for (std::size_t i = 0; i < n; ++i) {
    if (!pop[i].valid) {
      invalid.push_back(i);
      continue;
    }
    for (std::size_t j = 0; j < n; ++j) {
      if (i == j || !pop[j].valid) continue;
      if (dominates(pop[i], pop[j], objectives)) dominated_by_me[i].push_back(j);
      else if (dominates(pop[j], pop[i], objectives)) ++domination_count[i];
    }
    if (domination_count[i] == 0) current.push_back(i);
  }
  int rank = 0;
  while (!current.empty()) {
    // Crowding distance within this front.
    for (std::size_t objective = 0; objective < objectives.size(); ++objective) {
      if (!objectives[objective].steers) continue;
      const std::size_t k = crowding_column(pop, current, objective, objectives);
      std::vector<std::size_t> f = current;
      std::stable_sort(f.begin(), f.end(),
                       [&](std::size_t a, std::size_t b) { return pop[a].objectives[k] < pop[b].objectives[k]; });
      const double lo = pop[f.front()].objectives[k], hi = pop[f.back()].objectives[k];
      order.crowding[f.front()] = order.crowding[f.back()] = std::numeric_limits<double>::infinity();
      if (!(hi > lo) || !std::isfinite(hi - lo)) continue;
      for (std::size_t t = 1; t + 1 < f.size(); ++t)
        order.crowding[f[t]] += (pop[f[t + 1]].objectives[k] - pop[f[t - 1]].objectives[k]) / (hi - lo);
    }
    std::vector<std::size_t> next;
    for (std::size_t i : current) {
      order.rank[i] = rank;
      for (std::size_t j : dominated_by_me[i])
        if (--domination_count[j] == 0) next.push_back(j);
    }
    std::sort(next.begin(), next.end());
    current = std::move(next);
    ++rank;
  }
  for (std::size_t i : invalid) order.rank[i] = rank;  // after every front
  return order;
}

std::size_t crowded_tournament(const std::deque<Member>& population, const ParetoOrder& order, int size, Rng& rng) {
  const int n = static_cast<int>(population.size());
  std::size_t best = static_cast<std::size_t>(rng.below(n));
  for (int i = 1; i < size; ++i) {
    const auto c = static_cast<std::size_t>(rng.below(n));
    if (order.better(c, best, population)) best = c;
  }
  return best;
}

void nsga2_survivors(std::deque<Member>& population, std::size_t keep, const std::vector<ObjectiveSpec>& objectives) {
  if (population.size() <= keep) return;
  const ParetoOrder order = pareto_order(population, objectives);
  std::vector<std::size_t> idx(population.size());
  for (std::size_t i = 0; i < idx.size(); ++i) idx[i] = i;
  std::sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) { return order.better(a, b, population); });
  // One member per function: a second member with the functional hash of a better one
  // (a structural variant, or a cache hit that rejoined) goes to the back, so copies never
  // crowd distinct programs out of the front.
  std::unordered_set<Hash128> seen;
  std::vector<std::size_t> repeats;
  std::size_t w = 0;
  for (std::size_t i : idx) {
    if (seen.insert(population[i].fhash).second) idx[w++] = i;
    else repeats.push_back(i);
  }
  std::copy(repeats.begin(), repeats.end(), idx.begin() + static_cast<std::ptrdiff_t>(w));
  idx.resize(keep);
  std::sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) { return population[a].birth < population[b].birth; });
  std::deque<Member> kept;
  for (std::size_t i : idx) kept.push_back(std::move(population[i]));
  population = std::move(kept);
}

}  // namespace evo
