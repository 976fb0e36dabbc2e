#include "evaluators/funcapprox/constant_fit.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <nlopt.hpp>

#include "search/interpreter.h"

namespace evo::funcapprox {
namespace {

struct Objective {
  Program* p;
  const FitProblem* problem;
  std::vector<double*> slots;
  Interpreter<long double> interp;
  std::vector<long double> y;
  double best = std::numeric_limits<double>::infinity();
  std::vector<double> best_x;

  double operator()(const std::vector<double>& c) {
    for (std::size_t k = 0; k < slots.size(); ++k) *slots[k] = c[k];
    interp.run(*p, problem->x.data(), y.data(), y.size());
    long double worst = 0;
    for (std::size_t i = 0; i < y.size(); ++i) {
      const long double e = std::fabs(y[i] - problem->ref[i]) * problem->inv_scale[i];
      if (!(e <= std::numeric_limits<long double>::max())) return std::numeric_limits<double>::max();
      worst = e > worst ? e : worst;
    }
    const double w = static_cast<double>(worst);
    if (w < best) best = w, best_x = c;
    return w;
  }
};

double trampoline(const std::vector<double>& x, std::vector<double>& /*grad*/, void* data) {
  return (*static_cast<Objective*>(data))(x);
}

}  // namespace

bool fit_constants(Program& p, const FitProblem& problem) {
  Objective obj;
  obj.p = &p;
  obj.problem = &problem;
  for (Instr& in : p.code)
    if (in.imm_position() >= 0) obj.slots.push_back(&in.imm);
  if (obj.slots.empty() || problem.x.empty()) return false;
  obj.y.resize(problem.x.size());
  std::vector<double> x0;
  for (double* s : obj.slots) x0.push_back(*s);
  const double start = obj(x0);

  std::vector<double> x = x0;
  double fx = 0;
  try {
    nlopt::opt opt(nlopt::LN_SBPLX, static_cast<unsigned>(x0.size()));
    std::vector<double> step;
    for (double c : x0) step.push_back(c != 0.0 ? std::max(std::fabs(c) * 1e-2, 1e-300) : 1e-3);
    opt.set_initial_step(step);
    opt.set_min_objective(trampoline, &obj);
    opt.set_maxeval(problem.max_evals);
    opt.set_xtol_rel(1e-16);
    opt.optimize(x, fx);
  } catch (const std::exception&) {
    // Round-off limits and the like end the fit early; the best point seen still counts.
  }
  const bool improved = obj.best < start && std::isfinite(obj.best);
  const std::vector<double>& keep = improved ? obj.best_x : x0;
  for (std::size_t k = 0; k < obj.slots.size(); ++k) *obj.slots[k] = std::isfinite(keep[k]) ? keep[k] : x0[k];
  return improved;
}

}  // namespace evo::funcapprox
