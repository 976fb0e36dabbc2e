#include "evaluators/funcapprox/minimax_fit.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "evaluators/funcapprox/least_squares.h"
#include "search/interpreter.h"

namespace evo::funcapprox {
namespace {

using Real = long double;
constexpr Real kHuge = std::numeric_limits<Real>::max();

class Fit {
 public:
  Fit(Program& p, const FitProblem& problem) : p_(p), problem_(problem), y_(problem.x.size()) {
    for (Instr& in : p.code)
      if (in.imm_position() >= 0) slots_.push_back(&in.imm);
  }

  std::size_t size() const { return slots_.size(); }
  int evals() const { return evals_; }

  // Weighted residuals at constants c (rounded to the doubles the program stores); false
  // when the program produces a non-finite value.
  bool residuals(const std::vector<Real>& c, std::vector<Real>& r) {
    for (std::size_t k = 0; k < slots_.size(); ++k) *slots_[k] = static_cast<double>(c[k]);
    interp_.run(p_, problem_.x.data(), y_.data(), y_.size());
    ++evals_;
    r.resize(y_.size());
    for (std::size_t i = 0; i < y_.size(); ++i) {
      r[i] = (y_[i] - problem_.ref[i]) * problem_.inv_scale[i];
      if (!(std::fabs(r[i]) <= kHuge)) return false;
    }
    return true;
  }

  static Real max_abs(const std::vector<Real>& r) {
    Real m = 0;
    for (Real v : r) m = std::max(m, std::fabs(v));
    return m;
  }

  void store(const std::vector<Real>& c) {
    for (std::size_t k = 0; k < slots_.size(); ++k) *slots_[k] = static_cast<double>(c[k]);
  }

 private:
  Program& p_;
  const FitProblem& problem_;
  std::vector<double*> slots_;
  Interpreter<Real> interp_;
  std::vector<Real> y_;
  int evals_ = 0;
};

}  // namespace

bool fit_constants_minimax(Program& p, const FitProblem& problem) {
  Fit fit(p, problem);
  const std::size_t n = fit.size(), m = problem.x.size();
  if (n == 0 || m == 0) return false;
  std::vector<Real> c(n);
  {
    std::size_t k = 0;
    for (const Instr& in : p.code)
      if (in.imm_position() >= 0) c[k++] = in.imm;
  }
  std::vector<Real> r, r_try, c_try(n), delta;
  if (!fit.residuals(c, r)) {
    fit.store(c);
    return false;
  }
  const Real start = Fit::max_abs(r);
  Real best = start;
  std::vector<Real> best_c = c;
  auto consider = [&](const std::vector<Real>& cc, const std::vector<Real>& rr) {
    const Real e = Fit::max_abs(rr);
    if (e < best) best = e, best_c = cc;
  };

  std::vector<Real> w(m, 1);  // IRLS weights
  std::vector<Real> jac(m * n), jtj(n * n), jtr(n);
  auto weighted_ss = [&](const std::vector<Real>& rr) {
    Real s = 0;
    for (std::size_t i = 0; i < m; ++i) s += w[i] * rr[i] * rr[i];
    return s;
  };

  Real lambda = 1e-3L;
  for (int p_exp = 2; p_exp <= 64 && fit.evals() < problem.max_evals; p_exp *= 2) {
    if (p_exp > 2) {  // weights |r|^(p-2), scaled by the largest residual to stay in range
      const Real top = Fit::max_abs(r);
      if (!(top > 0)) break;
      for (std::size_t i = 0; i < m; ++i) w[i] = std::pow(std::fabs(r[i]) / top, static_cast<Real>(p_exp - 2)) + 1e-30L;
    }
    Real ss = weighted_ss(r);
    for (int iter = 0; iter < 6 && fit.evals() + static_cast<int>(n) + 1 < problem.max_evals; ++iter) {
      // Forward-difference Jacobian of the weighted residuals.
      bool ok = true;
      for (std::size_t k = 0; k < n && ok; ++k) {
        c_try = c;
        const Real h = std::max(std::fabs(c[k]), 1e-6L) * 1e-9L;
        c_try[k] += h;
        ok = fit.residuals(c_try, r_try);
        const Real step = static_cast<Real>(static_cast<double>(c_try[k])) - c[k];  // the step as stored
        for (std::size_t i = 0; ok && i < m; ++i) jac[i * n + k] = step != 0 ? (r_try[i] - r[i]) / step : 0;
      }
      if (!ok) break;
      normal_equations(jac, r, w, m, n, jtj, jtr);
      // Levenberg–Marquardt: raise the damping until a step lowers the weighted sum of squares.
      bool accepted = false;
      for (int tries = 0; tries < 5 && fit.evals() < problem.max_evals; ++tries) {
        if (!damped_step(jtj, jtr, n, lambda, delta)) {
          lambda *= 10;
          continue;
        }
        for (std::size_t k = 0; k < n; ++k) c_try[k] = c[k] + delta[k];
        const bool finite = fit.residuals(c_try, r_try);
        const Real ss_try = finite ? weighted_ss(r_try) : kHuge;
        if (ss_try < ss) {
          c = c_try;
          r = r_try;
          ss = ss_try;
          consider(c, r);
          lambda = std::max(lambda / 5, 1e-12L);
          accepted = true;
          break;
        }
        lambda *= 8;
      }
      if (!accepted) break;
    }
  }
  const bool improved = best < start;
  fit.store(best_c);  // the start constants when nothing was better
  return improved;
}

}  // namespace evo::funcapprox
