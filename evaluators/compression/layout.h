// Layouts: one level per layer, every one spending the same budget.
//
// Each level of a layer costs whole units of the budget (level_cost: weights pruned, or
// bits stored). The space fixes the budget once, at the layout nearest to uniform, and
// every layout the search makes spends exactly that: the level switch moves one layer one
// level up and another one level down by the same number of units (or, where steps differ,
// a few levels against a few, see level_switch). Layers are drawn
// with probability proportional to their size, so a big layer moves as often as the
// weights it holds.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "search/rng.h"

namespace evo::compression {

using Layout = std::vector<int>;  // level index per layer

class LayoutSpace {
 public:
  // cost[i][k]: units layer i spends at level k (increasing in k); sizes[i]: its weights.
  // `target` is the budget as a fraction of the weights (sparsity) or as bits per weight.
  LayoutSpace(std::vector<std::vector<long>> cost, std::vector<long> sizes, double target);

  std::size_t layers() const { return sizes_.size(); }
  int levels(std::size_t layer) const { return static_cast<int>(cost_[layer].size()); }
  long size(std::size_t layer) const { return sizes_[layer]; }
  long total_size() const { return total_size_; }
  long budget() const { return budget_; }  // units every layout spends
  long spent(const Layout& l) const;
  long cost(std::size_t layer, int level) const { return cost_[layer][static_cast<std::size_t>(level)]; }

  // The layout the budget is fixed at: each layer as near the target as its levels
  // allow, then single levels added where they bring the total nearest the target.
  const Layout& start() const { return start_; }

  // One layer one level up, another one level down, with equal costs; when no layer's
  // step down costs what the drawn layer's step up does (layers of different widths at
  // fine bit levels), k levels up against m down, the fewest with equal costs (fewer than
  // kMaxSteps each). With steps > 1, at least that many levels up (a bigger move on a fine
  // grid). Returns false (layout unchanged) when no such pair exists.
  bool level_switch(Layout& l, Rng& rng, int steps = 1) const;
  static constexpr int kMaxSteps = 64;
  // The fewest (k >= min_up, m) with layer i k levels up costing what layer j m levels
  // down frees (k, m < min_up + kMaxSteps).
  std::optional<std::pair<int, int>> balance(const Layout& l, std::size_t i, std::size_t j, int min_up = 1) const;

  // Every layout one level switch away (for baselines that walk the space).
  std::vector<Layout> neighbours(const Layout& l) const;

 private:
  std::vector<std::vector<long>> cost_;
  std::vector<long> sizes_;
  long total_size_ = 0;
  long budget_ = 0;
  Layout start_;
};

// The layout within the budget minimising the sum of err[i][level] (dynamic programming
// over the budget in units of the costs' greatest common divisor). Exact budget; throws
// InputError when the table would be too large.
Layout min_error_sum_layout(const LayoutSpace& space, const std::vector<std::vector<double>>& err);

// Walks from the start by level switches that bring the layout nearest (size-weighted
// squared distance, in units) to per-layer targets; stops when none helps. How a
// continuous allocation (e.g. OWL's) becomes a layout on the grid with the exact budget.
Layout nearest_layout(const LayoutSpace& space, const std::vector<double>& target_units);

}  // namespace evo::compression
