// Layouts under a budget: the start spends the budget nearest the target; level switches
// never change what a layout spends, draw layers by size, and report when no switch
// exists; the error-sum allocation is the true optimum (checked by brute force); walking
// towards per-layer targets reaches them when the budget allows.
#include "evaluators/compression/layout.h"

#include <gtest/gtest.h>

#include <functional>
#include <limits>
#include <set>

namespace evo::compression {
namespace {

// Sparsity-like costs: level k prunes k * step weights.
std::vector<std::vector<long>> steps(const std::vector<int>& levels, long step) {
  std::vector<std::vector<long>> c;
  for (int n : levels) {
    std::vector<long> l;
    for (int k = 0; k < n; ++k) l.push_back(k * step);
    c.push_back(l);
  }
  return c;
}

TEST(Layout, StartSpendsTheBudgetNearestTheTarget) {
  // 640 + 256 + 256 + 128 weights, steps of 64: 70 % is 896 = 14 steps exactly.
  const LayoutSpace space(steps({10, 4, 4, 2}, 64), {640, 256, 256, 128}, 0.7);
  EXPECT_EQ(space.budget(), 896);
  EXPECT_EQ(space.spent(space.start()), 896);
  // 0.66 of 1280 is 844.8: 832 (13 steps) is nearer than 896.
  EXPECT_EQ(LayoutSpace(steps({10, 4, 4, 2}, 64), {640, 256, 256, 128}, 0.66).budget(), 832);
}

TEST(Layout, LevelSwitchesKeepTheBudgetExactAndFavourBigLayers) {
  const LayoutSpace space(steps({10, 4, 4, 2}, 64), {640, 256, 256, 128}, 0.7);
  Layout l = space.start();
  Rng rng(7);
  std::vector<int> raised(4, 0);
  for (int i = 0; i < 5000; ++i) {
    const Layout before = l;
    ASSERT_TRUE(space.level_switch(l, rng));
    ASSERT_EQ(space.spent(l), space.budget());
    int moved = 0;
    for (std::size_t j = 0; j < 4; ++j) {
      ASSERT_GE(l[j], 0);
      ASSERT_LT(l[j], space.levels(j));
      moved += std::abs(l[j] - before[j]);
      if (l[j] > before[j]) ++raised[j];
    }
    ASSERT_EQ(moved, 2);
  }
  EXPECT_GT(raised[0], raised[1]);  // 640 weights against 256
  EXPECT_GT(raised[1], raised[3]);  // 256 against 128
}

TEST(Layout, WholeBitsMoveOnlyWhereCostsBalance) {
  // Bits 2..4; layers of 100, 50, 50 weights at 3 bits: a bit of the first costs two of
  // another layer, which has only one to give, so only the two of 50 trade.
  std::vector<std::vector<long>> cost;
  for (long n : {100L, 50L, 50L}) cost.push_back({2 * n, 3 * n, 4 * n});
  const LayoutSpace space(cost, {100, 50, 50}, 3.0);
  EXPECT_EQ(space.start(), (Layout{1, 1, 1}));
  Layout l = space.start();
  Rng rng(3);
  ASSERT_TRUE(space.level_switch(l, rng));
  EXPECT_EQ(l[0], 1);
  EXPECT_EQ(space.spent(l), space.budget());
  const LayoutSpace lone({{200, 300}, {100, 150}}, {100, 50}, 2.0);
  Layout m = lone.start();
  EXPECT_FALSE(lone.level_switch(m, rng));
  EXPECT_EQ(m, lone.start());
}

// Steps of different costs (3 and 2 units: fine bit levels in layers of different widths)
// balance several against several: 2 up against 3 down, or 3 up against 2 down.
TEST(Layout, UnequalStepsTradeTheFewestLevelsWithEqualCosts) {
  std::vector<std::vector<long>> cost(2);
  for (long k = 0; k <= 12; ++k) cost[0].push_back(3 * k), cost[1].push_back(2 * k);
  const LayoutSpace space(cost, {30, 20}, 0.5);
  const Layout start = space.start();
  EXPECT_EQ(space.balance(start, 0, 1), std::make_pair(2, 3));
  EXPECT_EQ(space.balance(start, 1, 0), std::make_pair(3, 2));
  EXPECT_EQ(space.balance(start, 0, 0), std::nullopt);
  EXPECT_EQ(space.balance(Layout{11, start[1]}, 0, 1), std::nullopt);  // no room for 2 up
  Layout l = start;
  Rng rng(5);
  std::set<Layout> seen;
  for (int i = 0; i < 200; ++i) {
    const Layout before = l;
    ASSERT_TRUE(space.level_switch(l, rng));
    ASSERT_EQ(space.spent(l), space.budget());
    const int d0 = l[0] - before[0], d1 = l[1] - before[1];
    ASSERT_TRUE((d0 == 2 && d1 == -3) || (d0 == -2 && d1 == 3)) << d0 << " " << d1;
    seen.insert(l);
  }
  EXPECT_GT(seen.size(), 2u);
  const auto n = space.neighbours(start);
  ASSERT_EQ(n.size(), 2u);
  for (const Layout& m : n) EXPECT_EQ(space.spent(m), space.budget());
}

// A bigger move: at least `steps` levels up, balanced exactly.
TEST(Layout, LevelSwitchesOfSeveralStepsKeepTheBudget) {
  const LayoutSpace space(steps({40, 40, 40}, 8), {320, 320, 320}, 0.5);
  Layout l = space.start();
  Rng rng(9);
  for (int i = 0; i < 500; ++i) {
    const Layout before = l;
    ASSERT_TRUE(space.level_switch(l, rng, 4));
    ASSERT_EQ(space.spent(l), space.budget());
    int raised = 0;
    for (std::size_t j = 0; j < 3; ++j) raised = std::max(raised, l[j] - before[j]);
    ASSERT_EQ(raised, 4);  // equal steps: exactly 4 up against 4 down
  }
}

TEST(Layout, ErrorSumAllocationIsTheOptimumOfTheBudget) {
  const LayoutSpace space(steps({5, 4, 4}, 16), {64, 48, 48}, 0.5);  // budget 80 = 5 steps
  std::vector<std::vector<double>> err = {{0, 0.1, 0.3, 0.8, 2.0}, {0, 0.05, 0.5, 1.5}, {0, 0.2, 0.25, 0.3}};
  const Layout dp = min_error_sum_layout(space, err);
  EXPECT_EQ(space.spent(dp), space.budget());
  double best = std::numeric_limits<double>::infinity();
  for (int a = 0; a < 5; ++a)
    for (int b = 0; b < 4; ++b)
      for (int c = 0; c < 4; ++c)
        if (space.spent({a, b, c}) == space.budget()) best = std::min(best, err[0][a] + err[1][b] + err[2][c]);
  EXPECT_DOUBLE_EQ(err[0][dp[0]] + err[1][dp[1]] + err[2][dp[2]], best);
}

TEST(Layout, NearestLayoutReachesReachableTargets) {
  const LayoutSpace space(steps({10, 4, 4, 2}, 64), {640, 256, 256, 128}, 0.7);
  // 9 + 3 + 2 + 0 steps = 14: the budget.
  const Layout l = nearest_layout(space, {9 * 64.0, 3 * 64.0, 2 * 64.0, 0.0});
  EXPECT_EQ(l, (Layout{9, 3, 2, 0}));
  EXPECT_EQ(space.spent(l), space.budget());
}

}  // namespace
}  // namespace evo::compression
