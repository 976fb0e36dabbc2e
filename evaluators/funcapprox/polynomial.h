// Dense univariate polynomials in long double, as coefficient vectors a_0..a_n.
#pragma once

#include <vector>

namespace evo::funcapprox {

using Coefficients = std::vector<long double>;

// Σ a_k s^k by Horner's rule.
long double polynomial_value(const Coefficients& a, long double s);

// The coefficients in s of Σ a_k t^k where t = alpha·s + beta: a change of variable,
// e.g. from the interval's Chebyshev variable to x, or from (x - c) to x.
Coefficients compose_linear(const Coefficients& a, long double alpha, long double beta);

// Σ c_k T_k(t) by Clenshaw's recurrence (stable where summing monomials is not).
long double chebyshev_value(const Coefficients& c, long double t);

// The monomial coefficients in t of Σ c_k T_k(t).
Coefficients chebyshev_to_monomial(const Coefficients& c);

}  // namespace evo::funcapprox
