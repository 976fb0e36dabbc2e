#include "search/selection.h"

namespace evo {

Ranking::Ranking(const std::vector<ObjectiveSpec>& objectives) {
  for (const auto& o : objectives) minimize_.push_back(o.minimize);
}

bool Ranking::better(bool valid_a, const std::vector<double>& a, bool valid_b, const std::vector<double>& b) const {
  if (valid_a != valid_b) return valid_a;
  if (!valid_a) return false;
  for (std::size_t i = 0; i < minimize_.size() && i < a.size() && i < b.size(); ++i) {
    if (a[i] == b[i]) continue;
    return minimize_[i] ? a[i] < b[i] : a[i] > b[i];
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
