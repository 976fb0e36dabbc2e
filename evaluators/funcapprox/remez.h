// Minimax polynomials by the Remez exchange algorithm, in long double.
//
// Finds the polynomial p of a given degree that minimises max |w(x)·(p(x) - f(x))| on
// [lo, hi], with w = 1 (absolute error) or w = 1/|f| (relative error; f must not be zero
// on the interval). p is kept in the Chebyshev basis of t = (x - mid)/half, where the
// linear systems stay well conditioned at every degree evo offers.
#pragma once

#include <vector>

#include "evaluators/funcapprox/polynomial.h"

namespace evo::funcapprox {

enum class ErrorWeight { absolute, relative };

struct RemezOptions {
  int max_iterations = 60;
  // Stop when the error's extrema agree to this fraction of the largest.
  long double level_tolerance = 1e-6L;
};

struct Minimax {
  Coefficients chebyshev;  // p(x) = Σ c_k T_k((x - mid) / half)
  long double mid = 0, half = 1;
  long double level = 0;    // max weighted error, over a dense sample and the refined extrema
  std::vector<long double> extrema;        // the final reference: degree + 2 points, ascending
  std::vector<long double> extrema_error;  // the signed weighted error at each
  int iterations = 0;      // exchange steps taken
  bool converged = false;  // extrema agreed within the tolerance (not, e.g., at round-off level)

  // Monomial coefficients in u = x - c.
  Coefficients about(long double c) const;
};

Minimax remez(long double (*f)(long double), long double lo, long double hi, int degree, ErrorWeight weight,
              const RemezOptions& options = {});

}  // namespace evo::funcapprox
