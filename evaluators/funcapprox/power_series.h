// Truncated power series in long double: Taylor-mode automatic differentiation.
//
// A Series holds the coefficients a_0..a_n of a function of u near u = 0, f(u) = Σ a_k u^k,
// truncated after u^n. Composing elementary functions with the recurrences below gives
// the Taylor coefficients to long double accuracy, where finite differences would lose
// half the digits at low orders and all of them at high ones. Operands of a binary
// operation have the same length.
#pragma once

#include <vector>

namespace evo::funcapprox {

using Series = std::vector<long double>;

// The independent variable x = c + u, with `terms` coefficients (degree terms - 1).
Series series_variable(long double c, int terms);
Series series_constant(long double v, int terms);

Series operator+(const Series& a, const Series& b);
Series operator-(const Series& a, const Series& b);
Series operator*(const Series& a, const Series& b);
Series operator*(long double s, const Series& a);
Series operator+(long double s, const Series& a);
Series operator/(const Series& a, const Series& b);  // b[0] != 0

Series series_exp(const Series& a);
Series series_log(const Series& a);  // a[0] > 0
// sin and cos of a series share one recurrence, so they come together.
void series_sincos(const Series& a, Series& sin_out, Series& cos_out);
// The antiderivative whose constant term is `at_zero`; the last term of `a` drops out
// so the length stays the same.
Series series_integrate(const Series& a, long double at_zero);

}  // namespace evo::funcapprox
