// fit_start=series: the lm fit's starting constants from power series (series_match.h).
#include <cmath>
#include <stdexcept>

#include "evaluators/funcapprox/baselines.h"
#include "evaluators/funcapprox/funcapprox.h"
#include "search/interpreter.h"

namespace evo::funcapprox {
namespace {

// Enough orders for 2 · constants + 3 of a program at the largest max_ops.
constexpr int kSeriesTerms = 48;

}  // namespace

void FuncApprox::setup_series_start() {
  const long double lo = lo_, hi = hi_, mid = lo + (hi - lo) / 2;
  // The ends and the middle: a form symmetric about an end (2^x about 0 as a ratio of
  // x-reflected halves) matches best there, a polynomial-like one in the middle.
  for (const auto& [center, radius] : {std::pair{mid, (hi - lo) / 2}, std::pair{lo, hi - lo}, std::pair{hi, hi - lo}}) {
    if (target_->open_lo && center <= target_->domain_lo) continue;
    SeriesPoint pt;
    pt.center = center;
    pt.radius = radius > 0 ? radius : 1;
    try {
      pt.target = taylor_coefficients(*target_, center, kSeriesTerms - 1);
    } catch (const std::logic_error&) {
      return;  // a target without a power series: the fit starts where it is
    }
    const long double f = pt.target[0];
    pt.scale = relative_ && f != 0 ? 1 / std::fabs(f) : 1;
    bool finite = true;
    for (long double v : pt.target) finite &= std::isfinite(v);
    if (finite) series_points_.push_back(std::move(pt));
  }
}

void FuncApprox::start_from_series(Program& p) const {
  if (series_points_.empty()) return;
  thread_local Interpreter<long double> interp;
  std::vector<long double> y(fit_.x.size());
  auto max_error = [&](const Program& q) {
    interp.run(q, fit_.x.data(), y.data(), y.size());
    long double worst = 0;
    for (std::size_t i = 0; i < y.size(); ++i) {
      const long double e = std::fabs(y[i] - fit_.ref[i]) * fit_.inv_scale[i];
      if (!(e <= worst)) worst = std::isnan(e) ? INFINITY : e;
    }
    return worst;
  };
  long double best = max_error(p);
  for (const SeriesPoint& pt : series_points_) {
    const auto constants = series_matched_constants(p, pt);
    if (!constants) continue;
    Program q = p;
    std::size_t k = 0;
    for (Instr& in : q.code)
      if (in.imm_position() >= 0) in.imm = (*constants)[k++];
    const long double e = max_error(q);
    if (e < best) best = e, p = std::move(q);
  }
}

}  // namespace evo::funcapprox
