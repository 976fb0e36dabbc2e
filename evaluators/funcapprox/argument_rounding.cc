// argument_rounding: when a scaffold's reduction rounds the core's argument, the exact
// argument behind a grid point r lies up to half an ulp of r away, so the whole-range
// result can be off by |f'(r)| * ulp(r) / 2 more than the core's error at r. Over all
// inputs of a whole range that offset takes every value in between, so the worst case at r
// is the core's error plus it; adding it per point makes the grid's error a bound of what
// the exhaustive check over every input will see at the arguments that round to the grid
// (between grid points the core's own rounding still varies). The constant fit does not
// see it: it changes no constant's effect, only which point is the worst.
#include <algorithm>
#include <cmath>

#include "evaluators/funcapprox/funcapprox.h"
#include "search/errors.h"

namespace evo::funcapprox {

void FuncApprox::setup_argument_rounding(const Settings& s) {
  const bool single = precision_ == Precision::float32;
  if (s.str("argument_rounding") != "auto" && (!scaffold_ || precision_ == Precision::real))
    throw InputError("argument_rounding applies to a scaffold's core in precision=float32 or float64 only");
  argument_rounds_ = scaffold_ && precision_ != Precision::real && s.str("argument_rounding") == "auto" &&
                     (single ? scaffold_->argument_rounds_float : scaffold_->argument_rounds_double);
  slack_.assign(points_, 0.0);
  if (!argument_rounds_) return;
  const int mant = single ? 23 : 52, emin = single ? -126 : -1022;
  for (int i = 0; i < points_; ++i) {
    const long double r = x_[i];
    // Half the spacing of the type's numbers at r (the subnormal spacing below the normal range).
    const int e = r == 0 ? emin : std::max(std::ilogb(static_cast<double>(r)), emin);
    const long double half_ulp = std::ldexp(1.0L, e - mant - 1);
    // |f'(r)| by a central difference; its own error is far below the slack's size.
    const long double h = std::ldexp(1.0L, -20) * std::max(1.0L, std::fabs(r));
    const long double slope = (target_->reference(r + h) - target_->reference(r - h)) / (2 * h);
    slack_[i] = static_cast<double>(std::fabs(slope) * half_ulp) * inv_scale_[i];
  }
}

}  // namespace evo::funcapprox
