#include "evaluators/funcapprox/series_match.h"

#include <algorithm>
#include <cmath>
#include <complex>

#include "evaluators/funcapprox/least_squares.h"

namespace evo::funcapprox {
namespace {

using Real = long double;
using Complex = std::complex<Real>;

// Branches are chosen by the value at the expansion point: its real part (a complex step
// only carries derivatives in the imaginary part).
Real value(Real v) { return v; }
Real value(const Complex& v) { return v.real(); }

template <class T>
bool finite(const SeriesOf<T>& s) {
  return std::all_of(s.begin(), s.end(), [](const T& v) { return std::isfinite(value(v)) && std::isfinite(std::abs(v)); });
}

template <class T>
SeriesOf<T> negated(const SeriesOf<T>& a) {
  return T(-1) * a;
}

// One op on series, following the op table's scalar semantics near the expansion point:
// piecewise ops take the branch their arguments' values select, and fail at a kink where
// the branch is not decided. Returns false when the op has no series there.
template <class T>
bool apply(Op op, const SeriesOf<T>& a, const SeriesOf<T>& b, const SeriesOf<T>& c, SeriesOf<T>& out) {
  const Real a0 = value(a[0]), b0 = value(b[0]);
  switch (op) {
    case Op::add: out = a + b; return true;
    case Op::sub: out = a - b; return true;
    case Op::mul:
    case Op::square:
      out = a * (op == Op::square ? a : b);
      return true;
    case Op::div:
    case Op::pdiv:
      if (b0 == 0) return false;
      out = a / b;
      return true;
    case Op::fma: out = a * b + c; return true;
    case Op::neg: out = negated(a); return true;
    case Op::abs:
    case Op::rms:  // |a| on a one-element tensor
      if (a0 == 0) return false;
      out = a0 > 0 ? a : negated(a);
      return true;
    case Op::sqrt:
      if (!(a0 > 0)) return false;
      out = series_sqrt(a);
      return true;
    case Op::mul2: out = T(2) * a; return true;
    case Op::half: out = T(0.5L) * a; return true;
    case Op::min:
    case Op::max:
      if (a0 == b0) return false;
      out = (op == Op::min) == (b0 < a0) ? b : a;
      return true;
    case Op::sign:
      if (a0 == 0) return false;
      out = series_constant(T(a0 > 0 ? 1 : -1), static_cast<int>(a.size()));
      return true;
    case Op::const_:
    case Op::mean:  // a itself on a one-element tensor
      out = a;
      return true;
    case Op::exp:
      if (a0 >= 64) return false;  // saturates at e^64: a kink
      out = series_exp(a);
      return true;
    case Op::log:
      if (std::fabs(a0) <= 1e-30L) return false;
      out = series_log(a0 > 0 ? a : negated(a));
      return true;
    case Op::clip:
      if (b0 == 0 || std::fabs(a0) == std::fabs(b0)) return false;
      if (std::fabs(a0) < std::fabs(b0)) out = a;
      else out = (a0 > 0) == (b0 > 0) ? b : negated(b);  // ±|b| as a series
      return true;
    case Op::interp: out = a + c * (b - a); return true;
  }
  return false;
}

template <class T>
SeriesOf<T> expand(const Program& p, const SeriesOf<T>& at, const std::vector<T>& constants) {
  const int terms = static_cast<int>(at.size());
  std::vector<SeriesOf<T>> reg(static_cast<std::size_t>(p.num_registers()));
  reg[0] = at;
  for (int i = 1; i < p.first_temp(); ++i) reg[static_cast<std::size_t>(i)] = series_constant(T(0), terms);
  std::size_t next_constant = 0;
  SeriesOf<T> args[3];
  for (std::size_t i = 0; i < p.code.size(); ++i) {
    const Instr& in = p.code[i];
    for (int k = 0; k < 3; ++k) {
      if (k >= in.arity()) args[k] = series_constant(T(0), terms);
      else if (in.args[k] != kImm) args[k] = reg[in.args[k]];
      else if (next_constant < constants.size()) args[k] = series_constant(constants[next_constant++], terms);
      else return {};
    }
    SeriesOf<T>& out = reg[p.reg_of(i)];
    if (!apply(in.op, args[0], args[1], args[2], out) || !finite(out)) return {};
  }
  if (p.outputs.empty()) return {};
  return reg[p.outputs[0]];
}

// The weighted differences of a match through `terms` orders, (program − target)_k ·
// radius^k · scale, and their derivatives by the constants.
class Matcher {
 public:
  Matcher(const Program& p, const SeriesPoint& point, int iterations)
      : p_(p), point_(point), iterations_(iterations) {}

  bool residuals(const std::vector<Real>& c, std::size_t terms, std::vector<Real>& r) const {
    const Series y = expand(p_, series_variable(point_.center, static_cast<int>(terms)), c);
    if (y.empty()) return false;
    r.resize(terms);
    Real weight = point_.scale;
    for (std::size_t k = 0; k < terms; ++k, weight *= point_.radius) r[k] = (y[k] - point_.target[k]) * weight;
    return finite(r);
  }

  // Column k of the Jacobian from a complex step i·h in constant k: exact to rounding, where
  // forward differences leave errors of 1e-9 that stall the steps along the narrow valleys
  // these matches have.
  bool jacobian(const std::vector<Real>& c, std::size_t terms, std::vector<Real>& jac) const {
    const std::size_t n = c.size();
    std::vector<Complex> cc(c.begin(), c.end());
    const SeriesOf<Complex> at = series_variable(Complex(point_.center), static_cast<int>(terms));
    jac.assign(terms * n, 0);
    for (std::size_t k = 0; k < n; ++k) {
      const Real h = 1e-30L * std::max(std::fabs(c[k]), 1.0L);
      cc[k] = Complex(c[k], h);
      const SeriesOf<Complex> y = expand(p_, at, cc);
      cc[k] = c[k];
      if (y.empty()) return false;
      Real weight = point_.scale;
      for (std::size_t i = 0; i < terms; ++i, weight *= point_.radius) jac[i * n + k] = y[i].imag() / h * weight;
    }
    return true;
  }

  // Levenberg–Marquardt from c towards a zero residual through `terms` orders; true when
  // every residual ends at or below `tolerance`.
  bool match(std::vector<Real>& c, std::size_t terms, Real tolerance) const {
    const std::size_t n = c.size();
    std::vector<Real> r, r_try, c_try(n), jac, delta;
    if (!residuals(c, terms, r)) return false;
    auto sum_sq = [](const std::vector<Real>& v) {
      Real s = 0;
      for (Real x : v) s += x * x;
      return s;
    };
    auto largest = [](const std::vector<Real>& v) {
      Real m = 0;
      for (Real x : v) m = std::max(m, std::fabs(x));
      return m;
    };
    Real ss = sum_sq(r), lambda = 1e-3L;
    for (int iter = 0; iter < iterations_ && largest(r) > tolerance; ++iter) {
      if (!jacobian(c, terms, jac)) return false;
      bool accepted = false;
      for (int tries = 0; tries < 8 && !accepted; ++tries) {
        if (damped_least_squares(jac, r, terms, n, lambda, delta) &&
            accelerate([&](const std::vector<Real>& at, std::vector<Real>& out) { return residuals(at, terms, out); },
                       c, r, jac, terms, n, lambda, delta)) {
          for (std::size_t k = 0; k < n; ++k) c_try[k] = c[k] + delta[k];
          if (residuals(c_try, terms, r_try) && sum_sq(r_try) < ss) {
            c = c_try;
            r = r_try;
            ss = sum_sq(r);
            lambda = std::max(lambda / 5, 1e-15L);
            accepted = true;
            continue;
          }
        }
        lambda *= 8;
      }
      if (!accepted) break;
    }
    return largest(r) <= tolerance;
  }

 private:
  const Program& p_;
  const SeriesPoint& point_;
  int iterations_;
};

}  // namespace

Series program_series(const Program& p, const Series& at, const std::vector<long double>& constants) {
  return expand(p, at, constants);
}

std::optional<std::vector<double>> series_matched_constants(const Program& p, const SeriesPoint& point,
                                                           int iterations) {
  std::vector<Real> c;
  for (const Instr& in : p.code)
    if (in.imm_position() >= 0) c.push_back(in.imm);
  if (c.empty() || point.target.empty()) return std::nullopt;
  // A program whose constants act as fewer (a + b where a sum would do) matches fewer
  // orders than it has constants, and one with structure to spare (a form exact at the
  // point, odd or even symmetry) more: add orders one at a time, from the previous match,
  // until one fails. Starting low also eases the first steps.
  const std::size_t most = std::min(point.target.size(), 2 * c.size() + 3);
  std::optional<std::vector<double>> best;
  for (std::size_t terms = 1; terms <= most; ++terms) {
    std::vector<Real> trial = c;
    if (!Matcher(p, point, iterations).match(trial, terms, 1e-16L)) break;
    c = trial;
    std::vector<double> out(c.begin(), c.end());
    if (!std::all_of(out.begin(), out.end(), [](double v) { return std::isfinite(v); })) break;
    best = std::move(out);
  }
  return best;
}

}  // namespace evo::funcapprox
