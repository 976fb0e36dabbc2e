// Deterministic random streams. Every child draws from its own stream derived from
// (seed, birth index), so results do not depend on thread count or scheduling, and
// there is no generator state to checkpoint. Distributions are implemented here (not
// <random>'s, whose outputs differ between standard libraries).
#pragma once

#include <cmath>
#include <cstdint>

namespace evo {

constexpr std::uint64_t splitmix64(std::uint64_t& s) {
  std::uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// xoshiro256** seeded through splitmix64.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) {
    for (auto& w : s_) w = splitmix64(seed);
  }
  // An independent stream for (seed, index, purpose): e.g. (run seed, birth, 0).
  static Rng stream(std::uint64_t seed, std::uint64_t index, std::uint64_t purpose = 0) {
    std::uint64_t m = seed;
    std::uint64_t a = splitmix64(m) ^ (index * 0xd1342543de82ef95ULL);
    std::uint64_t b = splitmix64(a) ^ (purpose * 0x9e6c63d0676a9a99ULL);
    return Rng(splitmix64(b));
  }

  std::uint64_t next() {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }
  // Uniform in [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  // Uniform integer in [0, n), n > 0 (Lemire's multiply-shift; the tiny bias is irrelevant here).
  std::uint64_t below(std::uint64_t n) {
    __extension__ using u128 = unsigned __int128;
    return static_cast<std::uint64_t>((static_cast<u128>(next()) * n) >> 64);
  }
  int below(int n) { return static_cast<int>(below(static_cast<std::uint64_t>(n))); }
  bool chance(double p) { return uniform() < p; }
  // Standard normal (Box-Muller).
  double normal() {
    const double u1 = 1.0 - uniform();  // (0, 1]
    const double u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }

 private:
  static constexpr std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t s_[4];

 public:
  // A stream continues in another process exactly (an MPI rank making the child).
  template <class Archive>
  void serialize(Archive& ar, unsigned /*version*/) {
    ar& s_[0]& s_[1]& s_[2]& s_[3];
  }
};

}  // namespace evo
