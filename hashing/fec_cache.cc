#include "hashing/fec_cache.h"

#include <cmath>
#include <stdexcept>

namespace evo {

bool CachedResult::same_outcome(const CachedResult& o, double rel_tol, const std::vector<bool>& compare) const {
  if (valid != o.valid || objectives.size() != o.objectives.size()) return false;
  for (std::size_t i = 0; i < objectives.size(); ++i) {
    if (i < compare.size() && !compare[i]) continue;
    const double a = objectives[i], b = o.objectives[i];
    if (a == b) continue;
    if (!(std::fabs(a - b) <= rel_tol * std::max(std::fabs(a), std::fabs(b)))) return false;
  }
  return true;
}

FecCache::FecCache(std::size_t capacity) : capacity_(capacity) {
  if (capacity_ == 0) throw std::invalid_argument("FecCache capacity must be at least 1");
}

std::optional<CachedResult> FecCache::find(const Hash128& key) const {
  const Shard& s = shard(key);
  std::shared_lock lock(s.mu);
  auto it = s.map.find(key);
  if (it == s.map.end()) return std::nullopt;
  return it->second;
}

bool FecCache::insert(const Hash128& key, CachedResult value) {
  std::lock_guard order_lock(order_mu_);
  {
    Shard& s = shard(key);
    std::unique_lock lock(s.mu);
    if (!s.map.emplace(key, std::move(value)).second) return false;
  }
  order_.push_back(key);
  if (order_.size() > capacity_) {
    const Hash128 oldest = order_.front();
    order_.pop_front();
    Shard& s = shard(oldest);
    std::unique_lock lock(s.mu);
    s.map.erase(oldest);
  }
  return true;
}

void FecCache::add_hits(const Hash128& key, std::uint64_t n) {
  Shard& s = shard(key);
  std::unique_lock lock(s.mu);
  if (auto it = s.map.find(key); it != s.map.end()) it->second.hits += n;
}

std::size_t FecCache::size() const {
  std::size_t n = 0;
  for (const Shard& s : shards_) {
    std::shared_lock lock(s.mu);
    n += s.map.size();
  }
  return n;
}

void FecCache::for_each(const std::function<void(const Hash128&, const CachedResult&)>& f) const {
  for (const Shard& s : shards_) {
    std::shared_lock lock(s.mu);
    for (const auto& [k, v] : s.map) f(k, v);
  }
}

}  // namespace evo
