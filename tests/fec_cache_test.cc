#include "hashing/fec_cache.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <thread>
#include <vector>

namespace evo {

TEST(FecCache, FindInsertAndHits) {
  FecCache cache;
  const Hash128 k{1, 2};
  EXPECT_FALSE(cache.find(k).has_value());
  CachedResult r;
  r.objectives = {0.5};
  EXPECT_TRUE(cache.insert(k, r));
  CachedResult other;
  other.objectives = {9.0};
  EXPECT_FALSE(cache.insert(k, other));  // the first result stays
  cache.add_hits(k, 3);
  auto got = cache.find(k);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->objectives, std::vector<double>{0.5});
  EXPECT_EQ(got->hits, 3u);
  EXPECT_EQ(cache.size(), 1u);
}

TEST(FecCache, PastCapacityTheOldestInsertionLeaves) {
  FecCache cache(2);
  auto result = [](double v) {
    CachedResult r;
    r.objectives = {v};
    return r;
  };
  const Hash128 a{1, 1}, b{2, 2}, c{3, 3};
  EXPECT_TRUE(cache.insert(a, result(1)));
  EXPECT_TRUE(cache.insert(b, result(2)));
  cache.add_hits(a, 5);  // a hit does not renew an entry: first in, first out
  EXPECT_TRUE(cache.find(a).has_value());
  EXPECT_TRUE(cache.insert(c, result(3)));
  EXPECT_FALSE(cache.find(a).has_value());
  EXPECT_TRUE(cache.find(b).has_value());
  EXPECT_TRUE(cache.find(c).has_value());
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_FALSE(cache.insert(b, result(9)));  // present: kept as it is, and not renewed
  EXPECT_TRUE(cache.insert(a, result(1)));   // back in, as the newest; b leaves
  EXPECT_FALSE(cache.find(b).has_value());
  EXPECT_EQ(cache.find(c)->objectives, std::vector<double>{3});
  EXPECT_EQ(cache.find(a)->hits, 0u);
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_THROW(FecCache(0), std::invalid_argument);
}

TEST(FecCache, ConcurrentInsertsAndLookups) {
  FecCache cache;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (std::uint64_t i = 0; i < 20000; ++i) {
        const Hash128 k{i, i * 7 + 1};
        CachedResult r;
        r.objectives = {static_cast<double>(i)};
        cache.insert(k, r);
        auto got = cache.find(k);
        ASSERT_TRUE(got.has_value());
        ASSERT_EQ(got->objectives[0], static_cast<double>(i));
        if (t == 0) cache.add_hits(k, 1);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(cache.size(), 20000u);
}

TEST(FecCache, SameOutcomeUsesRelativeTolerance) {
  CachedResult a, b;
  a.objectives = {1.0};
  b.objectives = {1.0 + 1e-12};
  EXPECT_TRUE(a.same_outcome(b, 1e-9));
  b.objectives = {1.1};
  EXPECT_FALSE(a.same_outcome(b, 1e-9));
  b.valid = false;
  b.objectives = {1.0};
  EXPECT_FALSE(a.same_outcome(b, 1e-9));
}

}  // namespace evo
