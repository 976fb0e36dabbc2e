// Layouts under a budget: the start spends the budget nearest the target; level switches
// never change what a layout spends, draw layers by size, and report when no switch
// exists; the error-sum allocation is the true optimum (checked by brute force); walking
// towards per-layer targets reaches them when the budget allows.
#include "evaluators/compression/layout.h"

#include <gtest/gtest.h>

#include <functional>
#include <limits>

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

TEST(Layout, BitsMoveOnlyBetweenLayersOfEqualSize) {
  // Bits 2..4; layers of 100, 50, 50 weights: only the two of 50 can trade a bit.
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
