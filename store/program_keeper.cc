#include "store/program_keeper.h"

#include <algorithm>
#include <limits>

namespace evo {

ProgramKeeper::ProgramKeeper(std::size_t best, Directions ranking, Directions steering)
    : best_(best), ranking_(std::move(ranking)), steering_(std::move(steering)) {}

// The values of `d`'s objectives, negated where larger is better; false when one is missing.
bool ProgramKeeper::oriented(const Directions& d, const Values& objectives, std::vector<double>& out) {
  out.clear();
  for (const auto& objective : d) {
    auto it = std::find_if(objectives.begin(), objectives.end(),
                           [&](const auto& o) { return o.first == objective.first; });
    if (it == objectives.end()) return false;
    out.push_back(objective.second ? it->second : -it->second);
  }
  return true;
}

void ProgramKeeper::admit(std::int64_t id, const Values& objectives) {
  held_.insert(id);
  if (objectives.empty()) return;
  Point p{{}, id};
  if (best_ > 0 && oriented(ranking_, objectives, p.v)) {
    top_.insert(p);
    if (top_.size() > best_) top_.erase(std::prev(top_.end()));
  }
  if (!oriented(steering_, objectives, p.v)) return;
  // Dominated, or equal to an older point: not on the front (pareto_front's rule).
  for (const Point& f : front_) {
    bool all_le = true;
    for (std::size_t k = 0; k < p.v.size() && all_le; ++k) all_le = f.v[k] <= p.v[k];
    if (all_le) return;
  }
  std::erase_if(front_, [&](const Point& f) {
    for (std::size_t k = 0; k < p.v.size(); ++k)
      if (p.v[k] > f.v[k]) return false;
    return true;
  });
  front_.push_back(std::move(p));
}

std::vector<std::int64_t> ProgramKeeper::release(const std::vector<std::int64_t>& members) {
  std::unordered_set<std::int64_t> needed(members.begin(), members.end());
  for (const Point& p : top_) needed.insert(p.id);
  for (const Point& p : front_) needed.insert(p.id);
  std::vector<std::int64_t> out;
  for (std::int64_t id : held_)
    if (!needed.count(id)) out.push_back(id);
  for (std::int64_t id : out) held_.erase(id);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace evo
