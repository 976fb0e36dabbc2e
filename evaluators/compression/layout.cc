#include "evaluators/compression/layout.h"

#include <cmath>
#include <limits>
#include <numeric>
#include <optional>
#include <stdexcept>

#include "search/errors.h"

namespace evo::compression {
namespace {

// Index drawn with probability proportional to weight[i] (all >= 0, some > 0).
std::size_t draw_weighted(const std::vector<long>& weight, Rng& rng) {
  const long total = std::accumulate(weight.begin(), weight.end(), 0L);
  long u = static_cast<long>(rng.below(static_cast<std::uint64_t>(total)));
  for (std::size_t i = 0; i < weight.size(); ++i) {
    if (u < weight[i]) return i;
    u -= weight[i];
  }
  return weight.size() - 1;
}

}  // namespace

LayoutSpace::LayoutSpace(std::vector<std::vector<long>> costs, std::vector<long> sizes, double target)
    : cost_(std::move(costs)), sizes_(std::move(sizes)) {
  if (cost_.size() != sizes_.size() || cost_.empty()) throw std::invalid_argument("layout space: layers disagree");
  for (std::size_t i = 0; i < cost_.size(); ++i) {
    if (cost_[i].empty()) throw std::invalid_argument("layout space: a layer has no levels");
    for (std::size_t k = 1; k < cost_[i].size(); ++k)
      if (cost_[i][k] <= cost_[i][k - 1]) throw std::invalid_argument("layout space: costs must increase");
    total_size_ += sizes_[i];
  }
  // Each layer at its highest level within its share of the target ...
  const double goal = target * static_cast<double>(total_size_);
  start_.assign(layers(), 0);
  for (std::size_t i = 0; i < layers(); ++i) {
    const double share = target * static_cast<double>(sizes_[i]);
    while (start_[i] + 1 < levels(i) && static_cast<double>(cost(i, start_[i] + 1)) <= share + 1e-9) ++start_[i];
  }
  // ... then one level at a time where the layer is furthest below its share (relative to
  // its step), while that brings the total nearer the target.
  long total = spent(start_);
  while (true) {
    std::size_t best = layers();
    double best_gap = -std::numeric_limits<double>::infinity();
    for (std::size_t i = 0; i < layers(); ++i) {
      if (start_[i] + 1 >= levels(i)) continue;
      const long step = cost(i, start_[i] + 1) - cost(i, start_[i]);
      if (std::abs(goal - static_cast<double>(total + step)) >= std::abs(goal - static_cast<double>(total))) continue;
      const double gap = (target * static_cast<double>(sizes_[i]) - static_cast<double>(cost(i, start_[i]))) /
                         static_cast<double>(step);
      if (gap > best_gap) best_gap = gap, best = i;
    }
    if (best == layers()) break;
    total += cost(best, start_[best] + 1) - cost(best, start_[best]);
    ++start_[best];
  }
  budget_ = total;
}

long LayoutSpace::spent(const Layout& l) const {
  long s = 0;
  for (std::size_t i = 0; i < layers(); ++i) s += cost(i, l[i]);
  return s;
}

std::optional<std::pair<int, int>> LayoutSpace::balance(const Layout& l, std::size_t i, std::size_t j,
                                                       int min_up) const {
  if (i == j) return std::nullopt;
  for (int k = min_up; k < min_up + kMaxSteps && l[i] + k < levels(i); ++k) {
    const long gain = cost(i, l[i] + k) - cost(i, l[i]);
    for (int m = 1; m < min_up + kMaxSteps && l[j] - m >= 0; ++m) {
      const long freed = cost(j, l[j]) - cost(j, l[j] - m);
      if (freed == gain) return std::make_pair(k, m);
      if (freed > gain) break;
    }
  }
  return std::nullopt;
}

bool LayoutSpace::level_switch(Layout& l, Rng& rng, int steps) const {
  steps = std::max(steps, 1);
  std::vector<long> up(layers(), 0);
  for (std::size_t i = 0; i < layers(); ++i)
    if (l[i] + steps < levels(i)) up[i] = sizes_[i];
  // A layer whose step no other layer can give back is skipped; at most one pass over
  // the layers finds out that none can move.
  for (std::size_t tries = 0; tries < layers(); ++tries) {
    if (std::accumulate(up.begin(), up.end(), 0L) == 0) return false;
    const std::size_t i = draw_weighted(up, rng);
    const long step = cost(i, l[i] + 1) - cost(i, l[i]);
    std::vector<long> down(layers(), 0);
    for (std::size_t j = 0; j < layers(); ++j)
      if (steps == 1 && j != i && l[j] > 0 && cost(j, l[j]) - cost(j, l[j] - 1) == step) down[j] = sizes_[j];
    if (std::accumulate(down.begin(), down.end(), 0L) > 0) {
      const std::size_t j = draw_weighted(down, rng);
      ++l[i];
      --l[j];
      return true;
    }
    // No layer gives back one step's cost: a few steps up against a few down, where
    // the costs meet (layers of different widths).
    std::vector<std::optional<std::pair<int, int>>> moves(layers());
    for (std::size_t j = 0; j < layers(); ++j)
      if ((moves[j] = balance(l, i, j, steps))) down[j] = sizes_[j];
    if (std::accumulate(down.begin(), down.end(), 0L) == 0) {
      up[i] = 0;
      continue;
    }
    const std::size_t j = draw_weighted(down, rng);
    l[i] += moves[j]->first;
    l[j] -= moves[j]->second;
    return true;
  }
  return false;
}

std::vector<Layout> LayoutSpace::neighbours(const Layout& l) const {
  std::vector<Layout> out;
  for (std::size_t i = 0; i < layers(); ++i) {
    if (l[i] + 1 >= levels(i)) continue;
    const long step = cost(i, l[i] + 1) - cost(i, l[i]);
    bool single = false;
    for (std::size_t j = 0; j < layers(); ++j)
      if (j != i && l[j] > 0 && cost(j, l[j]) - cost(j, l[j] - 1) == step) {
        Layout n = l;
        ++n[i];
        --n[j];
        out.push_back(std::move(n));
        single = true;
      }
    if (single) continue;
    for (std::size_t j = 0; j < layers(); ++j)  // as level_switch: the balanced moves
      if (const auto move = balance(l, i, j)) {
        Layout n = l;
        n[i] += move->first;
        n[j] -= move->second;
        out.push_back(std::move(n));
      }
  }
  return out;
}

Layout min_error_sum_layout(const LayoutSpace& space, const std::vector<std::vector<double>>& err) {
  long unit = space.budget();
  for (std::size_t i = 0; i < space.layers(); ++i)
    for (int k = 0; k < space.levels(i); ++k) unit = std::gcd(unit, space.cost(i, k));
  if (unit == 0) unit = 1;
  const long cap = space.budget() / unit;
  if (cap > 4'000'000 / static_cast<long>(space.layers()))
    throw InputError("the budget is too fine for the error-sum allocation (" + std::to_string(cap) + " units)");
  const double inf = std::numeric_limits<double>::infinity();
  const std::size_t width = static_cast<std::size_t>(cap) + 1;
  // best[b]: least error sum of layers 0..i spending b units; choice[i][b]: layer i's level.
  std::vector<double> best(width, inf), next(width);
  best[0] = 0;
  std::vector<std::vector<int>> choice(space.layers(), std::vector<int>(width, -1));
  for (std::size_t i = 0; i < space.layers(); ++i) {
    std::fill(next.begin(), next.end(), inf);
    for (std::size_t b = 0; b < width; ++b) {
      if (best[b] == inf) continue;
      for (int k = 0; k < space.levels(i); ++k) {
        const std::size_t nb = b + static_cast<std::size_t>(space.cost(i, k) / unit);
        if (nb >= width) break;
        const double e = best[b] + err[i][static_cast<std::size_t>(k)];
        if (e < next[nb]) next[nb] = e, choice[i][nb] = k;
      }
    }
    best.swap(next);
  }
  if (best[width - 1] == inf) throw InputError("no layout spends the budget exactly");
  Layout l(space.layers());
  std::size_t b = width - 1;
  for (std::size_t i = space.layers(); i-- > 0;) {
    l[i] = choice[i][b];
    b -= static_cast<std::size_t>(space.cost(i, l[i]) / unit);
  }
  return l;
}

Layout nearest_layout(const LayoutSpace& space, const std::vector<double>& target_units) {
  auto distance = [&](const Layout& l) {
    double d = 0;
    for (std::size_t i = 0; i < space.layers(); ++i) {
      const double gap = static_cast<double>(space.cost(i, l[i])) - target_units[i];
      d += gap * gap / static_cast<double>(space.size(i));
    }
    return d;
  };
  Layout cur = space.start();
  double d = distance(cur);
  while (true) {
    Layout best;
    double best_d = d;
    for (Layout& n : space.neighbours(cur))
      if (const double nd = distance(n); nd < best_d - 1e-12) best_d = nd, best = std::move(n);
    if (best.empty()) return cur;
    cur = std::move(best);
    d = best_d;
  }
}

}  // namespace evo::compression
