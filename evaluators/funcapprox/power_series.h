// Truncated power series: Taylor-mode automatic differentiation.
//
// A series holds the coefficients a_0..a_n of a function of u near u = 0, f(u) = Σ a_k u^k,
// truncated after u^n. Composing elementary functions with the recurrences below gives
// the Taylor coefficients to working accuracy, where finite differences would lose
// half the digits at low orders and all of them at high ones. Operands of a binary
// operation have the same length.
//
// The coefficient type is long double for Taylor coefficients, and std::complex<long double>
// where the series of a program is differentiated by its constants with a complex step
// (series_match.cc): every recurrence here is analytic, so a step i·h in a constant carries
// the exact derivative in the imaginary parts.
#pragma once

#include <cmath>
#include <complex>
#include <cstddef>
#include <vector>

namespace evo::funcapprox {

template <class T>
using SeriesOf = std::vector<T>;
using Series = SeriesOf<long double>;

// The independent variable x = c + u, with `terms` coefficients (degree terms - 1).
template <class T>
SeriesOf<T> series_variable(T c, int terms) {
  SeriesOf<T> s(terms, T(0));
  s[0] = c;
  if (terms > 1) s[1] = T(1);
  return s;
}

template <class T>
SeriesOf<T> series_constant(T v, int terms) {
  SeriesOf<T> s(terms, T(0));
  s[0] = v;
  return s;
}

template <class T>
SeriesOf<T> operator+(const SeriesOf<T>& a, const SeriesOf<T>& b) {
  SeriesOf<T> r(a.size());
  for (std::size_t k = 0; k < a.size(); ++k) r[k] = a[k] + b[k];
  return r;
}

template <class T>
SeriesOf<T> operator-(const SeriesOf<T>& a, const SeriesOf<T>& b) {
  SeriesOf<T> r(a.size());
  for (std::size_t k = 0; k < a.size(); ++k) r[k] = a[k] - b[k];
  return r;
}

template <class T>
SeriesOf<T> operator*(const SeriesOf<T>& a, const SeriesOf<T>& b) {
  SeriesOf<T> r(a.size(), T(0));
  for (std::size_t k = 0; k < a.size(); ++k)
    for (std::size_t j = 0; j <= k; ++j) r[k] += a[j] * b[k - j];
  return r;
}

template <class T>
SeriesOf<T> operator*(T s, const SeriesOf<T>& a) {
  SeriesOf<T> r(a.size());
  for (std::size_t k = 0; k < a.size(); ++k) r[k] = s * a[k];
  return r;
}

template <class T>
SeriesOf<T> operator+(T s, const SeriesOf<T>& a) {
  SeriesOf<T> r = a;
  r[0] += s;
  return r;
}

// q = a / b  ⇔  q·b = a:  q_k = (a_k - Σ_{j=1..k} b_j q_{k-j}) / b_0.  Needs b_0 != 0.
template <class T>
SeriesOf<T> operator/(const SeriesOf<T>& a, const SeriesOf<T>& b) {
  SeriesOf<T> q(a.size(), T(0));
  for (std::size_t k = 0; k < a.size(); ++k) {
    T acc = a[k];
    for (std::size_t j = 1; j <= k; ++j) acc -= b[j] * q[k - j];
    q[k] = acc / b[0];
  }
  return q;
}

// e = exp(a)  ⇒  e' = a'·e:  k e_k = Σ_{j=1..k} j a_j e_{k-j}.
template <class T>
SeriesOf<T> series_exp(const SeriesOf<T>& a) {
  SeriesOf<T> e(a.size(), T(0));
  e[0] = std::exp(a[0]);
  for (std::size_t k = 1; k < a.size(); ++k) {
    T acc(0);
    for (std::size_t j = 1; j <= k; ++j) acc += static_cast<long double>(j) * a[j] * e[k - j];
    e[k] = acc / static_cast<long double>(k);
  }
  return e;
}

// l = log(a)  ⇒  a·l' = a':  k a_0 l_k = k a_k - Σ_{j=1..k-1} j l_j a_{k-j}.  Needs a_0 > 0.
template <class T>
SeriesOf<T> series_log(const SeriesOf<T>& a) {
  SeriesOf<T> l(a.size(), T(0));
  l[0] = std::log(a[0]);
  for (std::size_t k = 1; k < a.size(); ++k) {
    T acc = static_cast<long double>(k) * a[k];
    for (std::size_t j = 1; j < k; ++j) acc -= static_cast<long double>(j) * l[j] * a[k - j];
    l[k] = acc / (static_cast<long double>(k) * a[0]);
  }
  return l;
}

// s = sqrt(a)  ⇒  s·s = a:  2 s_0 s_k = a_k − Σ_{j=1..k-1} s_j s_{k-j}.  Needs a_0 > 0.
template <class T>
SeriesOf<T> series_sqrt(const SeriesOf<T>& a) {
  SeriesOf<T> s(a.size(), T(0));
  s[0] = std::sqrt(a[0]);
  for (std::size_t k = 1; k < a.size(); ++k) {
    T acc = a[k];
    for (std::size_t j = 1; j < k; ++j) acc -= s[j] * s[k - j];
    s[k] = acc / (2.0L * s[0]);
  }
  return s;
}

// sin and cos of a series share one recurrence, so they come together.
// s' = a'·c, c' = -a'·s:  k s_k = Σ j a_j c_{k-j},  k c_k = -Σ j a_j s_{k-j}.
template <class T>
void series_sincos(const SeriesOf<T>& a, SeriesOf<T>& s, SeriesOf<T>& c) {
  s.assign(a.size(), T(0));
  c.assign(a.size(), T(0));
  s[0] = std::sin(a[0]);
  c[0] = std::cos(a[0]);
  for (std::size_t k = 1; k < a.size(); ++k) {
    T ss(0), cc(0);
    for (std::size_t j = 1; j <= k; ++j) {
      ss += static_cast<long double>(j) * a[j] * c[k - j];
      cc -= static_cast<long double>(j) * a[j] * s[k - j];
    }
    s[k] = ss / static_cast<long double>(k);
    c[k] = cc / static_cast<long double>(k);
  }
}

// The antiderivative whose constant term is `at_zero`; the last term of `a` drops out
// so the length stays the same.
template <class T>
SeriesOf<T> series_integrate(const SeriesOf<T>& a, T at_zero) {
  SeriesOf<T> r(a.size(), T(0));
  r[0] = at_zero;
  for (std::size_t k = 1; k < a.size(); ++k) r[k] = a[k - 1] / static_cast<long double>(k);
  return r;
}

}  // namespace evo::funcapprox
