#include "evaluators/funcapprox/baselines.h"

#include <cmath>
#include <cstdio>
#include <numbers>
#include <stdexcept>
#include <string>
#include <string_view>

#include "evaluators/funcapprox/decimal.h"
#include "evaluators/funcapprox/power_series.h"
#include "evaluators/funcapprox/remez.h"

namespace evo::funcapprox {
namespace {

constexpr long double kLn2 = std::numbers::ln2_v<long double>;
constexpr long double kTwoOverSqrtPi = 2 * std::numbers::inv_sqrtpi_v<long double>;

// Through e^{-2|x|} <= 1, so a large |x| neither overflows nor cancels.
Series tanh_series(const Series& x) {
  const bool positive = x[0] >= 0;
  const Series e = series_exp((positive ? -2.0L : 2.0L) * x);
  const Series one = series_constant(1.0L, static_cast<int>(x.size()));
  const Series t = (one - e) / (one + e);
  return positive ? t : -1.0L * t;
}

// Through e^{-|x|} <= 1, for the same reason.
Series sigmoid_series(const Series& x) {
  const Series one = series_constant(1.0L, static_cast<int>(x.size()));
  if (x[0] >= 0) return one / (one + series_exp(-1.0L * x));
  const Series e = series_exp(x);
  return e / (one + e);
}

struct Measured {
  bool valid = false;
  double error = 0;
};

Measured measure(const Domain& d, const Program& p) {
  const Evaluation ev = d.evaluate(p);
  return {ev.valid && !ev.values.empty(), ev.valid && !ev.values.empty() ? ev.values[0] : 0.0};
}

// The polynomial with coefficients about c in Horner form: in x, and in (x - c) unless c is 0.
std::vector<Program> horner_forms(const FuncApprox& domain, const Coefficients& about_c, double c) {
  std::vector<Program> forms{horner_program(domain.signature(), compose_linear(about_c, 1, -static_cast<long double>(c)), 0.0)};
  if (c != 0) forms.push_back(horner_program(domain.signature(), about_c, c));
  return forms;
}

// The interval's midpoint rounded to double, so the shifted form's sub(x, c) subtracts
// exactly the point the coefficients are expanded about.
double midpoint(const FuncApprox& domain) { return domain.lo() + (domain.hi() - domain.lo()) / 2; }

Minimax minimax_of(const FuncApprox& domain, int degree) {
  const ErrorWeight weight = domain.relative_error() ? ErrorWeight::relative : ErrorWeight::absolute;
  return remez(domain.target().reference, domain.lo(), domain.hi(), degree, weight);
}

// Writes coefficients about c in x when that is as accurate, else in (x - c).
Baseline as_baseline(const FuncApprox& domain, std::string family, int degree, const Coefficients& about_c, double c) {
  std::vector<Program> forms = horner_forms(domain, about_c, c);
  Program plain = std::move(forms[0]);
  if (forms.size() == 1) return {family + " " + std::to_string(degree), family, degree, std::move(plain)};
  Program shifted = std::move(forms[1]);
  const Measured a = measure(domain, plain), b = measure(domain, shifted);
  // The shifted form costs one more op; take it only when rounding the coefficients in x
  // costs more than a tenth of the error.
  const bool use_shifted = b.valid && (!a.valid || a.error > 1.1 * b.error);
  if (!use_shifted) return {family + " " + std::to_string(degree), family, degree, std::move(plain)};
  return {family + " " + std::to_string(degree) + " in (x - " + decimal(c) + ")", family, degree,
          std::move(shifted)};
}

}  // namespace

Coefficients taylor_coefficients(const Target& target, long double c, int degree) {
  const Series x = series_variable(c, degree + 1);
  const std::string_view name = target.name;
  if (name == "exp2") return series_exp(kLn2 * x);
  if (name == "exp") return series_exp(x);
  if (name == "log2") return (1 / kLn2) * series_log(x);
  if (name == "log") return series_log(x);
  if (name == "sin" || name == "cos") {
    Series s, co;
    series_sincos(x, s, co);
    return name == "sin" ? s : co;
  }
  if (name == "tanh") return tanh_series(x);
  if (name == "sigmoid") return sigmoid_series(x);
  if (name == "log1p" || name == "log2p1") {
    Series l = series_log(1.0L + x);
    l[0] = log1pl(c);  // keeps the digits 1 + c would drop near c = 0
    return name == "log1p" ? l : (1 / kLn2) * l;
  }
  if (name == "erf") return series_integrate(kTwoOverSqrtPi * series_exp(-1.0L * (x * x)), erfl(c));
  throw std::logic_error("no power series for target " + std::string(name));
}

Program horner_program(const Signature* sig, const Coefficients& a, double shift) {
  Program p;
  p.sig = sig;
  auto emit = [&](Op op, Reg a0, Reg a1, Reg a2, double imm) {
    Instr in;
    in.op = op;
    in.args = {a0, a1, a2};
    in.imm = a0 == kImm || a1 == kImm || a2 == kImm ? imm : 0.0;
    p.code.push_back(in);
    return p.reg_of(p.code.size() - 1);
  };
  Reg u = 0;  // x
  if (shift != 0) u = emit(Op::sub, 0, kImm, 0, shift);
  const std::size_t n = a.size() - 1;
  auto coef = [&](std::size_t k) { return static_cast<double>(a[k]); };
  if (n == 0) {
    p.outputs = {emit(Op::const_, kImm, 0, 0, coef(0))};
    return p;
  }
  // The first step multiplies by a_n and adds a_{n-1}: one fma with a_{n-1} named by a
  // const (an instruction holds one number); each later step is fma(acc, u, a_k), or a
  // plain mul where a_k is an exact zero.
  Reg acc = coef(n - 1) == 0 ? emit(Op::mul, u, kImm, 0, coef(n))
                             : emit(Op::fma, u, kImm, emit(Op::const_, kImm, 0, 0, coef(n - 1)), coef(n));
  for (std::size_t k = n - 1; k-- > 0;)
    acc = coef(k) == 0 ? emit(Op::mul, acc, u, 0, 0.0) : emit(Op::fma, acc, u, kImm, coef(k));
  p.outputs = {acc};
  return p;
}

std::vector<Baseline> polynomial_baselines(const FuncApprox& domain, int min_degree, int max_degree) {
  const double c = midpoint(domain);
  std::vector<Baseline> out;
  for (int d = min_degree; d <= max_degree; ++d) {
    out.push_back(as_baseline(domain, "taylor", d, taylor_coefficients(domain.target(), c, d), c));
    out.push_back(as_baseline(domain, "minimax", d, minimax_of(domain, d).about(c), c));
  }
  return out;
}

std::vector<Program> minimax_forms(const FuncApprox& domain, int degree) {
  const double c = midpoint(domain);
  return horner_forms(domain, minimax_of(domain, degree).about(c), c);
}

std::vector<Baseline> FuncApprox::baselines(int min_degree, int max_degree) const {
  return polynomial_baselines(*this, min_degree, max_degree);
}

}  // namespace evo::funcapprox
