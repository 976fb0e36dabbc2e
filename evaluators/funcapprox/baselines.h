// The polynomials a mathematician would write, as evo programs: Taylor polynomials about
// the interval's midpoint and minimax (Remez) polynomials, each in Horner form with
// separate multiplies and adds (cost 2·degree). They are measured by the domain's own
// evaluate(), exactly like evolved candidates.
#pragma once

#include <vector>

#include "evaluators/funcapprox/funcapprox.h"
#include "evaluators/funcapprox/polynomial.h"
#include "evaluators/funcapprox/targets.h"
#include "search/domain.h"

namespace evo::funcapprox {

// a_0..a_degree with f(c + u) ≈ Σ a_k u^k, from truncated power-series arithmetic.
Coefficients taylor_coefficients(const Target& target, long double c, int degree);

// Σ a_k u^k in Horner form with fused multiply-adds, as a numerical library writes it,
// u = x - shift (u = x when shift is 0, one sub op otherwise): r = fma(u, a_n, a_{n-1}),
// r = fma(r, u, a_{n-2}), ... Coefficients become double immediates; a step that would add
// an exact zero is a plain mul. Cost 2 per degree, as mul + add.
Program horner_program(const Signature* sig, const Coefficients& a, double shift);

// Taylor and minimax baselines for each degree in [min_degree, max_degree] (minimax of the
// domain's error kind: relative or absolute). Each is written in x when that measures as
// well as Horner in (x - midpoint), which conditions high degrees far from 0 better.
std::vector<Baseline> polynomial_baselines(const FuncApprox& domain, int min_degree, int max_degree);

// The minimax polynomial of `degree` in both Horner forms the baselines choose between: in
// x, and (when the interval's midpoint is not 0) in (x - midpoint), one op more.
std::vector<Program> minimax_forms(const FuncApprox& domain, int degree);

}  // namespace evo::funcapprox
