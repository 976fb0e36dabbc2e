#include "evaluators/funcapprox/remez.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstddef>
#include <numbers>

namespace evo::funcapprox {
namespace {

constexpr long double kPi = std::numbers::pi_v<long double>;

// Solves A z = b in place by Gaussian elimination with partial pivoting (A is n×n, row major).
std::vector<long double> solve(std::vector<long double> a, std::vector<long double> b) {
  const std::size_t n = b.size();
  for (std::size_t col = 0; col < n; ++col) {
    std::size_t pivot = col;
    for (std::size_t r = col + 1; r < n; ++r)
      if (std::fabs(a[r * n + col]) > std::fabs(a[pivot * n + col])) pivot = r;
    if (pivot != col) {
      for (std::size_t k = 0; k < n; ++k) std::swap(a[col * n + k], a[pivot * n + k]);
      std::swap(b[col], b[pivot]);
    }
    for (std::size_t r = col + 1; r < n; ++r) {
      const long double m = a[r * n + col] / a[col * n + col];
      if (m == 0) continue;
      for (std::size_t k = col; k < n; ++k) a[r * n + k] -= m * a[col * n + k];
      b[r] -= m * b[col];
    }
  }
  std::vector<long double> z(n);
  for (std::size_t r = n; r-- > 0;) {
    long double acc = b[r];
    for (std::size_t k = r + 1; k < n; ++k) acc -= a[r * n + k] * z[k];
    z[r] = acc / a[r * n + r];
  }
  return z;
}

struct Extremum {
  long double t;
  long double e;  // signed weighted error
};

class Problem {
 public:
  Problem(long double (*target)(long double), long double lo, long double hi, ErrorWeight w)
      : f_(target), lo_(lo), hi_(hi), mid_(lo + (hi - lo) / 2), half_((hi - lo) / 2), weight_(w) {}

  long double mid() const { return mid_; }
  long double half() const { return half_; }
  // The ends map exactly onto lo and hi, where the largest errors usually sit.
  long double x_of(long double t) const { return t <= -1 ? lo_ : t >= 1 ? hi_ : mid_ + half_ * t; }
  long double f(long double t) const { return f_(x_of(t)); }
  long double weight(long double fx) const { return weight_ == ErrorWeight::relative ? 1 / std::fabs(fx) : 1.0L; }
  long double error(const Coefficients& c, long double t) const {
    const long double fx = f(t);
    return weight(fx) * (chebyshev_value(c, t) - fx);
  }

 private:
  long double (*f_)(long double);
  long double lo_, hi_, mid_, half_;
  ErrorWeight weight_;
};

// The polynomial whose weighted error alternates in sign with equal size E at the
// reference points: Σ c_k T_k(t_i) + (-1)^i E / w(x_i) = f(x_i).
Coefficients levelled_fit(const Problem& pr, const std::vector<long double>& ref, int degree) {
  const std::size_t n = ref.size();  // degree + 2 unknowns: c_0..c_degree and E
  std::vector<long double> a(n * n), b(n);
  for (std::size_t i = 0; i < n; ++i) {
    const long double t = ref[i];
    a[i * n + 0] = 1;
    if (degree >= 1) a[i * n + 1] = t;
    long double before = 1, last = t;  // T_{k-2}, T_{k-1}
    for (int k = 2; k <= degree; ++k) {
      const long double tk = 2 * t * last - before;
      a[i * n + k] = tk;
      before = last;
      last = tk;
    }
    const long double fx = pr.f(t);
    a[i * n + n - 1] = (i % 2 == 0 ? 1.0L : -1.0L) / pr.weight(fx);
    b[i] = fx;
  }
  std::vector<long double> z = solve(std::move(a), std::move(b));
  z.pop_back();  // E
  return z;
}

// Maximises |e| on [a, b] by golden-section search; |e| is unimodal this close to an extremum.
Extremum refine(const Problem& pr, const Coefficients& c, long double a, long double b) {
  const long double g = (std::sqrt(5.0L) - 1) / 2;
  long double x1 = b - g * (b - a), x2 = a + g * (b - a);
  long double e1 = pr.error(c, x1), e2 = pr.error(c, x2);
  for (int it = 0; it < 60 && b - a > 4 * LDBL_EPSILON; ++it) {
    if (std::fabs(e1) >= std::fabs(e2)) {
      b = x2;
      x2 = x1;
      e2 = e1;
      x1 = b - g * (b - a);
      e1 = pr.error(c, x1);
    } else {
      a = x1;
      x1 = x2;
      e1 = e2;
      x2 = a + g * (b - a);
      e2 = pr.error(c, x2);
    }
  }
  return std::fabs(e1) >= std::fabs(e2) ? Extremum{x1, e1} : Extremum{x2, e2};
}

// One extremum per stretch of constant sign of the error on the sample, refined between
// its neighbours; consecutive entries alternate in sign.
std::vector<Extremum> find_extrema(const Problem& pr, const Coefficients& c, const std::vector<long double>& ts) {
  std::vector<long double> e(ts.size());
  for (std::size_t j = 0; j < ts.size(); ++j) e[j] = pr.error(c, ts[j]);
  std::vector<std::size_t> best;  // index of the largest |e| in each stretch
  for (std::size_t j = 0; j < ts.size(); ++j) {
    if (best.empty() || std::signbit(e[j]) != std::signbit(e[best.back()])) best.push_back(j);
    else if (std::fabs(e[j]) > std::fabs(e[best.back()])) best.back() = j;
  }
  std::vector<Extremum> out;
  for (std::size_t j : best) {
    Extremum x{ts[j], e[j]};
    if (j > 0 && j + 1 < ts.size()) {
      const Extremum r = refine(pr, c, ts[j - 1], ts[j + 1]);
      if (std::fabs(r.e) > std::fabs(x.e) && std::signbit(r.e) == std::signbit(x.e)) x = r;
    }
    out.push_back(x);
  }
  return out;
}

// Keeps `count` alternating extrema: drops the smallest, with a neighbour when it is
// interior (its neighbours share a sign, so they must not end up adjacent).
void trim(std::vector<Extremum>& ext, std::size_t count) {
  auto size_of = [&](std::size_t i) { return std::fabs(ext[i].e); };
  while (ext.size() > count) {
    if (ext.size() == count + 1) {
      ext.erase(size_of(0) < size_of(ext.size() - 1) ? ext.begin() : ext.end() - 1);
      continue;
    }
    std::size_t i = 0;
    for (std::size_t k = 1; k < ext.size(); ++k)
      if (size_of(k) < size_of(i)) i = k;
    if (i == 0 || i + 1 == ext.size()) {
      ext.erase(ext.begin() + static_cast<std::ptrdiff_t>(i));
    } else {
      const std::size_t other = size_of(i - 1) < size_of(i + 1) ? i - 1 : i + 1;
      ext.erase(ext.begin() + static_cast<std::ptrdiff_t>(std::max(i, other)));
      ext.erase(ext.begin() + static_cast<std::ptrdiff_t>(std::min(i, other)));
    }
  }
}

}  // namespace

Coefficients Minimax::about(long double c) const {
  // t = (x - mid)/half = (u + c - mid)/half.
  return compose_linear(chebyshev_to_monomial(chebyshev), 1 / half, (c - mid) / half);
}

Minimax remez(long double (*f)(long double), long double lo, long double hi, int degree, ErrorWeight weight,
              const RemezOptions& options) {
  const Problem pr(f, lo, hi, weight);
  const std::size_t count = static_cast<std::size_t>(degree) + 2;

  // Dense sample, clustered at the ends like the extrema of a near-minimax error curve.
  const std::size_t samples = 4096 + 256 * static_cast<std::size_t>(degree);
  std::vector<long double> ts(samples);
  for (std::size_t j = 0; j < samples; ++j) ts[j] = -std::cos(kPi * j / (samples - 1));

  // Start from the extrema of T_{degree+1}, where the error of the near-best Chebyshev
  // interpolant alternates.
  std::vector<long double> ref(count);
  for (std::size_t i = 0; i < count; ++i) ref[i] = -std::cos(kPi * i / (count - 1));

  // Below this the error is long double round-off and the exchange can only chase noise.
  long double scale = 1;
  if (weight == ErrorWeight::absolute) {
    scale = 0;
    for (long double t : ts) scale = std::max(scale, std::fabs(pr.f(t)));
  }
  const long double noise_floor = 64 * LDBL_EPSILON * scale;

  Minimax best;
  best.mid = pr.mid();
  best.half = pr.half();
  best.level = INFINITY;
  int it = 1, restarts = 0;
  for (; it <= options.max_iterations; ++it) {
    const Coefficients c = levelled_fit(pr, ref, degree);
    std::vector<Extremum> ext = find_extrema(pr, c, ts);
    long double level = 0;
    for (const auto& x : ext) level = std::max(level, std::fabs(x.e));
    trim(ext, count);
    long double smallest = INFINITY;
    for (const auto& x : ext) smallest = std::min(smallest, std::fabs(x.e));
    if (level < best.level) {
      best.chebyshev = c;
      best.level = level;
      best.extrema.clear();
      best.extrema_error.clear();
      for (const auto& x : ext) {
        best.extrema.push_back(pr.x_of(x.t));
        best.extrema_error.push_back(x.e);
      }
      best.converged = ext.size() == count && level - smallest <= options.level_tolerance * level;
    }
    if (level <= noise_floor) break;
    if (ext.size() < count) {
      // The levelled fit interpolated f (E = 0), so its error alternates too few times to
      // exchange: an odd f on a symmetric reference at odd degree does this. Shift the
      // interior points to break the symmetry and fit again.
      if (++restarts > 3) break;
      for (std::size_t i = 1; i + 1 < count; ++i) ref[i] += (ref[i + 1] - ref[i]) / 3;
      continue;
    }
    if (level - smallest <= options.level_tolerance * level) break;
    for (std::size_t i = 0; i < count; ++i) ref[i] = ext[i].t;
  }
  best.iterations = std::min(it, options.max_iterations);
  return best;
}

}  // namespace evo::funcapprox
