#include "evaluators/funcapprox/exhaustive.h"

#include <bit>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

#include "search/parallel.h"

namespace evo::funcapprox {
namespace {

constexpr std::int64_t kChunk = 1 << 16;

// Floats in value order as consecutive integers: +0 is 0, the next float up is 1, -min
// subnormal is -1. (-0.0 and +0.0 share 0.)
std::int64_t order_of(float x) {
  const auto bits = static_cast<std::int64_t>(std::bit_cast<std::uint32_t>(x) & 0x7fffffffu);
  return std::signbit(x) ? -bits : bits;
}
float float_of(std::int64_t k) {
  const auto bits = static_cast<std::uint32_t>(k < 0 ? -k : k);
  const float f = std::bit_cast<float>(bits);
  return k < 0 ? -f : f;
}

using Kernel = void (*)(const float*, float*, std::size_t);

constexpr double kFinite = std::numeric_limits<double>::max();

// 1 / float_ulp(r) from r's exponent bits, without a branch or a libm call. For r infinite
// or NaN the product in the caller comes out non-finite and is judged by ulp_error().
inline double inverse_float_ulp(double r) {
  const int e = std::max(static_cast<int>((std::bit_cast<std::uint64_t>(r) >> 52) & 0x7ff) - 1023, -126);
  return std::bit_cast<double>(static_cast<std::uint64_t>(1023 + 23 - e) << 52);
}

struct Partial {
  std::vector<UlpResult> r;
};

// Keeps the larger error; on equal errors the smaller x, so the result is independent of
// how the range was split between threads.
void merge(UlpResult& into, const UlpResult& from) {
  const bool worse = from.max_ulp > into.max_ulp ||
                     (from.max_ulp == into.max_ulp && from.inputs && (!into.inputs || from.worst_x < into.worst_x));
  if (worse) {
    into.max_ulp = from.max_ulp;
    into.worst_x = from.worst_x;
    into.worst_y = from.worst_y;
    into.worst_ref = from.worst_ref;
  }
  into.not_correctly_rounded += from.not_correctly_rounded;
  into.inputs += from.inputs;
}

// Spacing of floats in the binade of |r| (r finite); a power of two, so exactly the inverse.
double float_ulp(double r) { return 1.0 / inverse_float_ulp(r); }

}  // namespace

double ulp_error(float y, double ref) {
  constexpr double kFloatMax = std::numeric_limits<float>::max();
  if (std::isnan(ref)) return std::isnan(y) ? 0.0 : std::numeric_limits<double>::infinity();
  // Beyond the largest float plus half an ULP the correctly rounded result is infinite.
  const double overflow = kFloatMax + 0.5 * float_ulp(kFloatMax);
  if (std::fabs(ref) >= overflow) return (std::isinf(y) && std::signbit(y) == std::signbit(ref)) ? 0.0 : std::numeric_limits<double>::infinity();
  if (!std::isfinite(y)) return std::numeric_limits<double>::infinity();
  return std::fabs(static_cast<double>(y) - ref) / float_ulp(ref);
}

std::vector<UlpResult> exhaustive_ulp(const std::vector<Kernel>& kernels, const std::function<double(double)>& reference, float lo,
                                      float hi) {
  if (!(lo <= hi)) throw std::invalid_argument("exhaustive_ulp: empty interval");
  const std::int64_t first = order_of(lo), last = order_of(hi);
  const std::int64_t chunks = (last - first) / kChunk + 1;
  const std::size_t n = kernels.size();

  auto body = [&](std::int64_t chunk_begin, std::int64_t chunk_end, Partial acc) {
    if (acc.r.empty()) acc.r.resize(n);
    std::vector<float> x(kChunk), y(kChunk);
    std::vector<double> ref(kChunk), err(kChunk);
    for (std::int64_t c = chunk_begin; c != chunk_end; ++c) {
      const std::int64_t begin = first + c * kChunk;
      const auto count = static_cast<std::size_t>(std::min<std::int64_t>(kChunk, last - begin + 1));
      for (std::size_t i = 0; i < count; ++i) {
        x[i] = float_of(begin + static_cast<std::int64_t>(i));
        ref[i] = reference(x[i]);
      }
      for (std::size_t k = 0; k < n; ++k) {
        kernels[k](x.data(), y.data(), count);
        UlpResult local;
        local.inputs = count;
        // A branch-free pass the compiler vectorises, exact for finite values; the few
        // elements it cannot judge (non-finite result or reference) go through ulp_error().
        double worst = 0;
        std::uint64_t above_half = 0, unjudged = 0;
        for (std::size_t i = 0; i < count; ++i) {
          const double e = std::fabs(static_cast<double>(y[i]) - ref[i]) * inverse_float_ulp(ref[i]);
          err[i] = e;
          worst = std::max(worst, e);
          above_half += e > 0.5;
          unjudged += !(e <= kFinite);
        }
        if (unjudged) {
          worst = 0;
          above_half = 0;
          for (std::size_t i = 0; i < count; ++i) {
            if (!(err[i] <= kFinite)) err[i] = ulp_error(y[i], ref[i]);
            worst = std::max(worst, err[i]);
            above_half += err[i] > 0.5;
          }
        }
        local.not_correctly_rounded = above_half;
        for (std::size_t i = 0; i < count; ++i)
          if (err[i] == worst) {  // the first (smallest x) of the worst
            local.max_ulp = worst;
            local.worst_x = x[i];
            local.worst_y = y[i];
            local.worst_ref = ref[i];
            break;
          }
        merge(acc.r[k], local);
      }
    }
    return acc;
  };
  auto join = [&](Partial a, const Partial& b) {
    if (a.r.empty()) return b;
    for (std::size_t k = 0; k < b.r.size(); ++k) merge(a.r[k], b.r[k]);
    return a;
  };
  // Blocks of consecutive chunks, joined in order: the result (e.g. the first input with
  // the worst error) does not depend on which thread did which block.
  const std::int64_t blocks = std::min<std::int64_t>(chunks, 4096);
  std::vector<Partial> parts(static_cast<std::size_t>(blocks));
  parallel_for(parts.size(), [&](std::size_t b) {
    const auto bi = static_cast<std::int64_t>(b);
    parts[b] = body(chunks * bi / blocks, chunks * (bi + 1) / blocks, Partial{});
  });
  Partial total;
  for (const Partial& p : parts) total = join(std::move(total), p);
  total.r.resize(n);
  return total.r;
}

}  // namespace evo::funcapprox
