// A first guess for a program's constants from power series: the constants that make the
// program's Taylor expansion about a point agree with the target's through as many orders as
// the program's structure allows -- Padé's construction, for any program rather than one
// rational form.
//
// Why: the minimax constants of many rational forms are large (2^x's continued fractions
// have poles far outside [0, 1], constants in the thousands), far from the small immediates
// mutation draws, and a local fit from there stalls. The series-matched constants lie in the
// basin of the minimax ones, so the fit that follows reaches them. For a polynomial the match
// is its Taylor polynomial, which the fit already reaches from anywhere, so nothing is lost.
//
// How: Levenberg–Marquardt on the coefficient differences (program minus target), order k
// weighted by radius^k so every order counts as much as it contributes on the interval,
// starting from the program's own constants. Orders are added one at a time while the
// structure can still match them all; the constants of the last full match are the answer.
// Programs are expanded with truncated power-series arithmetic (power_series.h) in long
// double; an op that has no series at the point (a division by a series starting at 0, abs or
// min at a kink, ...) ends the attempt. Deterministic.
#pragma once

#include <optional>
#include <vector>

#include "evaluators/funcapprox/power_series.h"
#include "search/program.h"

namespace evo::funcapprox {

struct SeriesPoint {
  long double center = 0;   // expansion point
  long double radius = 1;   // largest |x - center| on the interval
  Series target;            // the target's Taylor coefficients about center (as many as may be matched)
  long double scale = 1;    // 1/|f(center)| for relative error, 1 for absolute
};

// The program's Taylor coefficients about `at` (at.size() terms; at is the series of x),
// with the program's immediates replaced by `constants` in instruction order. Empty when an
// op has no power series there.
Series program_series(const Program& p, const Series& at, const std::vector<long double>& constants);

// Constants that match the most orders about `point` (at least as many as the program has
// constants, unless the structure cannot), or nothing when no match is found. The program
// itself is not changed. `iterations` caps the Levenberg–Marquardt steps per order.
std::optional<std::vector<double>> series_matched_constants(const Program& p, const SeriesPoint& point,
                                                           int iterations = 40);

}  // namespace evo::funcapprox
