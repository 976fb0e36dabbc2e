// Functional-equivalence cache: functional hash -> the objectives of the first program
// evaluated with that hash. One cache serves one domain configuration (its fingerprint);
// the store persists it under that fingerprint so resumed and repeated runs start warm.
// Sharded so threads can look up concurrently.
//
// Memory is bounded: past `capacity` entries the oldest insertion leaves (first in, first
// out; hits do not renew an entry). The engine inserts in birth order, and the store keeps
// every entry with its insertion order, so a resumed run reloads exactly the entries an
// uninterrupted run would hold at that point (load_cache, newest `capacity`).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <limits>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "hashing/hash128.h"

namespace evo {

struct CachedResult {
  bool valid = true;
  std::string reason;               // why the program is invalid
  std::vector<double> objectives;   // the domain's functional objectives
  double eval_seconds = 0;          // what evaluating it cost (for "time saved")
  std::uint64_t hits = 0;

  // Same validity and objectives within rel_tol; `compare`, when given, says which
  // objectives to compare (measured ones such as time vary between evaluations).
  bool same_outcome(const CachedResult& o, double rel_tol, const std::vector<bool>& compare = {}) const;
};

class FecCache {
 public:
  static constexpr std::size_t kUnbounded = std::numeric_limits<std::size_t>::max();
  explicit FecCache(std::size_t capacity = kUnbounded);

  std::optional<CachedResult> find(const Hash128& key) const;
  // Keeps the existing entry if the key is present; returns whether it inserted. When the
  // cache is full the oldest entry leaves to make room.
  bool insert(const Hash128& key, CachedResult value);
  void add_hits(const Hash128& key, std::uint64_t n);
  std::size_t size() const;
  std::size_t capacity() const { return capacity_; }
  void for_each(const std::function<void(const Hash128&, const CachedResult&)>& f) const;

 private:
  static constexpr std::size_t kShards = 64;
  struct Shard {
    mutable std::shared_mutex mu;
    std::unordered_map<Hash128, CachedResult> map;
  };
  Shard& shard(const Hash128& k) { return shards_[k.hi % kShards]; }
  const Shard& shard(const Hash128& k) const { return shards_[k.hi % kShards]; }
  std::array<Shard, kShards> shards_;
  const std::size_t capacity_;
  std::mutex order_mu_;  // taken before a shard's lock, never after
  std::deque<Hash128> order_;  // keys held, oldest first
};

}  // namespace evo
