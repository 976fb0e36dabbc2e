#include "evaluators/funcapprox/targets.h"

#include <cmath>
#include <limits>

namespace evo::funcapprox {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

long double ref_exp2(long double x) { return exp2l(x); }
long double ref_exp(long double x) { return expl(x); }
long double ref_log2(long double x) { return log2l(x); }
long double ref_log(long double x) { return logl(x); }
long double ref_sin(long double x) { return sinl(x); }
long double ref_cos(long double x) { return cosl(x); }
long double ref_tanh(long double x) { return tanhl(x); }
long double ref_sigmoid(long double x) { return 1.0L / (1.0L + expl(-x)); }
long double ref_erf(long double x) { return erfl(x); }
// log(1+t) and log2(1+t): the cores of the log scaffolds, relative-accurate near t = 0.
long double ref_log1p(long double x) { return log1pl(x); }
long double ref_log2p1(long double x) { return log1pl(x) / 0.693147180559945309417232121458176568L; }

}  // namespace

const std::vector<Target>& targets() {
  static const std::vector<Target> all = {
      {"exp2", ref_exp2, "2^x", -kInf, kInf, false},
      {"exp", ref_exp, "e^x", -kInf, kInf, false},
      {"log2", ref_log2, "log2(x)", 0.0, kInf, true},
      {"log", ref_log, "ln(x)", 0.0, kInf, true},
      {"sin", ref_sin, "sin(x)", -kInf, kInf, false},
      {"cos", ref_cos, "cos(x)", -kInf, kInf, false},
      {"tanh", ref_tanh, "tanh(x)", -kInf, kInf, false},
      {"sigmoid", ref_sigmoid, "1/(1+e^-x)", -kInf, kInf, false},
      {"erf", ref_erf, "erf(x)", -kInf, kInf, false},
      {"log1p", ref_log1p, "ln(1+x)", -1.0, kInf, true},
      {"log2p1", ref_log2p1, "log2(1+x)", -1.0, kInf, true},
  };
  return all;
}

const Target* find_target(std::string_view name) {
  for (const auto& t : targets())
    if (t.name == name) return &t;
  return nullptr;
}

std::vector<std::string> target_names() {
  std::vector<std::string> names;
  for (const auto& t : targets()) names.emplace_back(t.name);
  return names;
}

}  // namespace evo::funcapprox
