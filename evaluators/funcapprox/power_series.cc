#include "evaluators/funcapprox/power_series.h"

#include <cmath>
#include <cstddef>

namespace evo::funcapprox {

Series series_variable(long double c, int terms) {
  Series s(terms, 0.0L);
  s[0] = c;
  if (terms > 1) s[1] = 1.0L;
  return s;
}

Series series_constant(long double v, int terms) {
  Series s(terms, 0.0L);
  s[0] = v;
  return s;
}

Series operator+(const Series& a, const Series& b) {
  Series r(a.size());
  for (std::size_t k = 0; k < a.size(); ++k) r[k] = a[k] + b[k];
  return r;
}

Series operator-(const Series& a, const Series& b) {
  Series r(a.size());
  for (std::size_t k = 0; k < a.size(); ++k) r[k] = a[k] - b[k];
  return r;
}

Series operator*(const Series& a, const Series& b) {
  Series r(a.size(), 0.0L);
  for (std::size_t k = 0; k < a.size(); ++k)
    for (std::size_t j = 0; j <= k; ++j) r[k] += a[j] * b[k - j];
  return r;
}

Series operator*(long double s, const Series& a) {
  Series r(a.size());
  for (std::size_t k = 0; k < a.size(); ++k) r[k] = s * a[k];
  return r;
}

Series operator+(long double s, const Series& a) {
  Series r = a;
  r[0] += s;
  return r;
}

// q = a / b  ⇔  q·b = a:  q_k = (a_k - Σ_{j=1..k} b_j q_{k-j}) / b_0.
Series operator/(const Series& a, const Series& b) {
  Series q(a.size(), 0.0L);
  for (std::size_t k = 0; k < a.size(); ++k) {
    long double acc = a[k];
    for (std::size_t j = 1; j <= k; ++j) acc -= b[j] * q[k - j];
    q[k] = acc / b[0];
  }
  return q;
}

// e = exp(a)  ⇒  e' = a'·e:  k e_k = Σ_{j=1..k} j a_j e_{k-j}.
Series series_exp(const Series& a) {
  Series e(a.size(), 0.0L);
  e[0] = expl(a[0]);
  for (std::size_t k = 1; k < a.size(); ++k) {
    long double acc = 0;
    for (std::size_t j = 1; j <= k; ++j) acc += static_cast<long double>(j) * a[j] * e[k - j];
    e[k] = acc / static_cast<long double>(k);
  }
  return e;
}

// l = log(a)  ⇒  a·l' = a':  k a_0 l_k = k a_k - Σ_{j=1..k-1} j l_j a_{k-j}.
Series series_log(const Series& a) {
  Series l(a.size(), 0.0L);
  l[0] = logl(a[0]);
  for (std::size_t k = 1; k < a.size(); ++k) {
    long double acc = static_cast<long double>(k) * a[k];
    for (std::size_t j = 1; j < k; ++j) acc -= static_cast<long double>(j) * l[j] * a[k - j];
    l[k] = acc / (static_cast<long double>(k) * a[0]);
  }
  return l;
}

// s' = a'·c, c' = -a'·s:  k s_k = Σ j a_j c_{k-j},  k c_k = -Σ j a_j s_{k-j}.
void series_sincos(const Series& a, Series& s, Series& c) {
  s.assign(a.size(), 0.0L);
  c.assign(a.size(), 0.0L);
  s[0] = sinl(a[0]);
  c[0] = cosl(a[0]);
  for (std::size_t k = 1; k < a.size(); ++k) {
    long double ss = 0, cc = 0;
    for (std::size_t j = 1; j <= k; ++j) {
      ss += static_cast<long double>(j) * a[j] * c[k - j];
      cc -= static_cast<long double>(j) * a[j] * s[k - j];
    }
    s[k] = ss / static_cast<long double>(k);
    c[k] = cc / static_cast<long double>(k);
  }
}

Series series_integrate(const Series& a, long double at_zero) {
  Series r(a.size(), 0.0L);
  r[0] = at_zero;
  for (std::size_t k = 1; k < a.size(); ++k) r[k] = a[k - 1] / static_cast<long double>(k);
  return r;
}

}  // namespace evo::funcapprox
