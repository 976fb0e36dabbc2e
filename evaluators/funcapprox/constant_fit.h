// Fits the constants of a funcapprox program: a local optimiser (NLopt's Subplex, a
// derivative-free method suited to the non-smooth maximum error) moves every immediate to
// minimise the maximum error on a subsample of the grid, with the program evaluated in
// long double -- higher precision than the float64/float32 candidate -- so the fit follows
// the approximation error rather than round-off. Deterministic: same program, same fit.
#pragma once

#include <vector>

#include "search/program.h"

namespace evo::funcapprox {

struct FitProblem {
  std::vector<long double> x;        // points the fit sees
  std::vector<long double> ref;      // target values there
  std::vector<long double> inv_scale;  // 1/|f(x)| (relative error) or 1
  int max_evals = 100;
};

// Returns whether the constants changed (the fit found a lower maximum error).
bool fit_constants(Program& p, const FitProblem& problem);

}  // namespace evo::funcapprox
