#include "evaluators/funcapprox/polynomial.h"

#include <cstddef>

namespace evo::funcapprox {

long double polynomial_value(const Coefficients& a, long double s) {
  long double acc = 0;
  for (std::size_t k = a.size(); k-- > 0;) acc = acc * s + a[k];
  return acc;
}

Coefficients compose_linear(const Coefficients& a, long double alpha, long double beta) {
  // Horner over polynomials: acc <- acc·(alpha s + beta) + a_k.
  Coefficients acc(a.size(), 0.0L);
  for (std::size_t k = a.size(); k-- > 0;) {
    Coefficients next(a.size(), 0.0L);
    for (std::size_t j = 0; j + 1 < a.size(); ++j) {
      next[j] += beta * acc[j];
      next[j + 1] += alpha * acc[j];
    }
    if (!a.empty()) next[a.size() - 1] += beta * acc[a.size() - 1];  // its alpha term is above the degree, and 0
    next[0] += a[k];
    acc = std::move(next);
  }
  return acc;
}

long double chebyshev_value(const Coefficients& c, long double t) {
  long double b1 = 0, b2 = 0;
  for (std::size_t k = c.size(); k-- > 1;) {
    const long double b0 = 2 * t * b1 - b2 + c[k];
    b2 = b1;
    b1 = b0;
  }
  return t * b1 - b2 + (c.empty() ? 0.0L : c[0]);
}

Coefficients chebyshev_to_monomial(const Coefficients& c) {
  const std::size_t n = c.size();
  Coefficients out(n, 0.0L);
  if (n == 0) return out;
  Coefficients prev(n, 0.0L), cur(n, 0.0L);  // T_{k-1}, T_k
  prev[0] = 1;                                // T_0 = 1
  out[0] += c[0];
  if (n == 1) return out;
  cur[1] = 1;  // T_1 = t
  out[1] += c[1];
  for (std::size_t k = 2; k < n; ++k) {
    Coefficients next(n, 0.0L);  // T_k = 2t T_{k-1} - T_{k-2}
    for (std::size_t j = 0; j + 1 < n; ++j) next[j + 1] += 2 * cur[j];
    for (std::size_t j = 0; j < n; ++j) next[j] -= prev[j];
    for (std::size_t j = 0; j < n; ++j) out[j] += c[k] * next[j];
    prev = std::move(cur);
    cur = std::move(next);
  }
  return out;
}

}  // namespace evo::funcapprox
