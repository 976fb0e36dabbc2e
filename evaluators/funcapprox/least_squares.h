// The linear algebra of the constant fits' Levenberg–Marquardt steps, in long double:
// normal equations of a (weighted) least-squares problem and a dense solve. The systems are
// as small as a program's constant count, so plain Gaussian elimination is the right tool.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

namespace evo::funcapprox {

// Solves A x = b (n x n, row-major) by Gaussian elimination with partial pivoting; false
// when A is singular to working precision.
inline bool solve_linear(std::vector<long double> a, std::vector<long double> b, std::size_t n,
                         std::vector<long double>& x) {
  for (std::size_t col = 0; col < n; ++col) {
    std::size_t piv = col;
    for (std::size_t r = col + 1; r < n; ++r)
      if (std::fabs(a[r * n + col]) > std::fabs(a[piv * n + col])) piv = r;
    if (!(std::fabs(a[piv * n + col]) > 0)) return false;
    if (piv != col) {
      for (std::size_t c = 0; c < n; ++c) std::swap(a[col * n + c], a[piv * n + c]);
      std::swap(b[col], b[piv]);
    }
    for (std::size_t r = col + 1; r < n; ++r) {
      const long double f = a[r * n + col] / a[col * n + col];
      for (std::size_t c = col; c < n; ++c) a[r * n + c] -= f * a[col * n + c];
      b[r] -= f * b[col];
    }
  }
  x.assign(n, 0);
  for (std::size_t i = n; i-- > 0;) {
    long double s = b[i];
    for (std::size_t c = i + 1; c < n; ++c) s -= a[i * n + c] * x[c];
    x[i] = s / a[i * n + i];
  }
  return std::all_of(x.begin(), x.end(), [](long double v) { return std::isfinite(v); });
}

// JᵀWJ and −JᵀWr for the m x n Jacobian `jac` (row-major), residuals r and weights w
// (empty: all 1): the Gauss–Newton step δ solves JᵀWJ δ = −JᵀWr.
inline void normal_equations(const std::vector<long double>& jac, const std::vector<long double>& r,
                             const std::vector<long double>& w, std::size_t m, std::size_t n,
                             std::vector<long double>& jtj, std::vector<long double>& jtr) {
  jtj.assign(n * n, 0);
  jtr.assign(n, 0);
  for (std::size_t i = 0; i < m; ++i)
    for (std::size_t a = 0; a < n; ++a) {
      const long double wa = (w.empty() ? 1 : w[i]) * jac[i * n + a];
      jtr[a] -= wa * r[i];
      for (std::size_t b = 0; b <= a; ++b) jtj[a * n + b] += wa * jac[i * n + b];
    }
  for (std::size_t a = 0; a < n; ++a)
    for (std::size_t b = 0; b < a; ++b) jtj[b * n + a] = jtj[a * n + b];
}

// Levenberg–Marquardt's damped system: JᵀWJ with λ·diag(JᵀWJ) added, solved for the step.
inline bool damped_step(const std::vector<long double>& jtj, const std::vector<long double>& jtr, std::size_t n,
                        long double lambda, std::vector<long double>& delta) {
  std::vector<long double> a = jtj;
  for (std::size_t d = 0; d < n; ++d) a[d * n + d] += lambda * std::max(jtj[d * n + d], 1e-300L);
  return solve_linear(std::move(a), jtr, n, delta);
}

// The Levenberg–Marquardt step δ minimising |J δ + r|² + λ |D δ|², D = the column norms of
// J (m x n, row-major), by Householder QR of [J; √λ D] -- not through the normal
// equations, which square J's condition number: a program's constants range from units to
// tens of thousands and their effects over many orders, which puts JᵀJ beyond what long
// double can solve. False when the system is singular.
inline bool damped_least_squares(const std::vector<long double>& jac, const std::vector<long double>& r, std::size_t m,
                                 std::size_t n, long double lambda, std::vector<long double>& delta) {
  const std::size_t rows = m + n;
  std::vector<long double> a(rows * n, 0), b(rows, 0);
  for (std::size_t i = 0; i < m; ++i) {
    for (std::size_t k = 0; k < n; ++k) a[i * n + k] = jac[i * n + k];
    b[i] = -r[i];
  }
  // A column norm far below the largest is floored, so a constant the residuals hardly see
  // (a direction along which the match is undetermined) is not sent off to huge values.
  std::vector<long double> norms(n, 0);
  for (std::size_t k = 0; k < n; ++k) {
    for (std::size_t i = 0; i < m; ++i) norms[k] += jac[i * n + k] * jac[i * n + k];
    norms[k] = std::sqrt(norms[k]);
  }
  const long double floor = std::max(*std::max_element(norms.begin(), norms.end()) * 1e-6L, 1e-300L);
  const long double root = std::sqrt(lambda);
  for (std::size_t k = 0; k < n; ++k) a[(m + k) * n + k] = root * std::max(norms[k], floor);
  for (std::size_t k = 0; k < n; ++k) {  // Householder reflection of column k below the diagonal
    long double norm = 0;
    for (std::size_t i = k; i < rows; ++i) norm += a[i * n + k] * a[i * n + k];
    norm = std::sqrt(norm);
    if (!(norm > 0)) return false;
    const long double alpha = a[k * n + k] > 0 ? -norm : norm;
    std::vector<long double> v(rows - k);
    for (std::size_t i = k; i < rows; ++i) v[i - k] = a[i * n + k];
    v[0] -= alpha;
    long double vv = 0;
    for (long double x : v) vv += x * x;
    if (!(vv > 0)) continue;
    for (std::size_t col = k; col < n; ++col) {
      long double dot = 0;
      for (std::size_t i = k; i < rows; ++i) dot += v[i - k] * a[i * n + col];
      const long double f = 2 * dot / vv;
      for (std::size_t i = k; i < rows; ++i) a[i * n + col] -= f * v[i - k];
    }
    long double dot = 0;
    for (std::size_t i = k; i < rows; ++i) dot += v[i - k] * b[i];
    const long double f = 2 * dot / vv;
    for (std::size_t i = k; i < rows; ++i) b[i] -= f * v[i - k];
  }
  delta.assign(n, 0);
  for (std::size_t i = n; i-- > 0;) {  // back substitution in the triangle
    long double s = b[i];
    for (std::size_t c = i + 1; c < n; ++c) s -= a[i * n + c] * delta[c];
    if (!(std::fabs(a[i * n + i]) > 0)) return false;
    delta[i] = s / a[i * n + i];
  }
  return std::all_of(delta.begin(), delta.end(), [](long double v) { return std::isfinite(v); });
}

// Geodesic acceleration (Transtrum and Sethna) of a Levenberg–Marquardt step v from
// damped_least_squares(): v is bent by a = −(JᵀJ + λD²)⁻¹ Jᵀ r''_v, where r''_v, the
// residuals' second derivative along v, comes from one more evaluation, at c + h·v. Steps
// then follow a curved valley (the constants of a continued fraction, which must move
// together) instead of leaving it and shrinking to nothing. `residuals(c, r)` evaluates the
// same residuals as r and jac, false when not finite. False when the bend is too large for
// the step (2|a| > 0.75 |v|): the damping must grow.
template <class Residuals>
bool accelerate(Residuals&& residuals, const std::vector<long double>& c, const std::vector<long double>& r,
                const std::vector<long double>& jac, std::size_t m, std::size_t n, long double lambda,
                std::vector<long double>& v) {
  constexpr long double h = 0.1L;
  std::vector<long double> c_h(n), r_h, second(m), a;
  for (std::size_t k = 0; k < n; ++k) c_h[k] = c[k] + h * v[k];
  if (!residuals(c_h, r_h)) return false;
  for (std::size_t i = 0; i < m; ++i) {
    long double jv = 0;
    for (std::size_t k = 0; k < n; ++k) jv += jac[i * n + k] * v[k];
    second[i] = 2 / h * ((r_h[i] - r[i]) / h - jv);
  }
  if (!damped_least_squares(jac, second, m, n, lambda, a)) return false;
  long double aa = 0, vv = 0;
  for (std::size_t k = 0; k < n; ++k) aa += a[k] * a[k], vv += v[k] * v[k];
  if (4 * aa > 0.5625L * vv) return false;
  for (std::size_t k = 0; k < n; ++k) v[k] += a[k] / 2;
  return true;
}

}  // namespace evo::funcapprox
