// Fits a program's constants towards the minimax (smallest maximum error) solution with
// derivatives: Levenberg–Marquardt steps on weighted least squares, with the weights
// re-computed from the residuals (Lawson / IRLS) so the fit moves from the L2 optimum
// towards the L∞ one (weights |r|^(p-2) for p = 2, 4, 8, …, 64). Derivatives by forward
// differences in long double. The best maximum error seen is kept.
//
// Why not only a derivative-free search: near a good structure the error is a smooth function
// of the constants, and a Newton-type step reaches digits that a simplex search over the
// non-smooth maximum needs thousands of evaluations for.
#pragma once

#include "evaluators/funcapprox/constant_fit.h"

namespace evo::funcapprox {

// Same contract as fit_constants(): deterministic, returns whether the maximum error on the
// problem's points went down; `problem.max_evals` bounds the program evaluations.
bool fit_constants_minimax(Program& p, const FitProblem& problem);

}  // namespace evo::funcapprox
