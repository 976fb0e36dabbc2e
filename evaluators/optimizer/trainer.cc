#include "evaluators/optimizer/trainer.h"

#include <algorithm>
#include <cmath>

#include "evaluators/optimizer/rules.h"
#include "search/interpreter.h"

namespace evo::optimizer {

TrainResult train(const Program& rule, const Task& task, const TrainOptions& opt) {
  thread_local Interpreter<double> interp;
  const int n = task.dim();
  const auto un = static_cast<std::size_t>(n);
  std::vector<double> w = task.initial_weights(), g(un), lr(un, opt.lr), t(un), wd(un, opt.wd), m(un), v(un),
                      u(un);
  const double* inputs[kRuleInputs] = {g.data(), w.data(), lr.data(), t.data(), wd.data()};
  const double* states[2] = {m.data(), v.data()};
  double* next[2] = {m.data(), v.data()};
  double* outputs[1] = {u.data()};

  TrainResult r;
  const int check_every = std::max(1, task.steps() / 20);
  double start_loss = 0;
  for (int step = 0; step < task.steps(); ++step) {
    const double loss = task.gradient(w, g, step);
    if (step == 0) start_loss = loss;
    if (!std::isfinite(loss) || loss > 1e3 * std::max(start_loss, 1.0)) {
      r.diverged = true;
      return r;
    }
    std::fill(t.begin(), t.end(), static_cast<double>(step + 1));
    interp.run(rule, inputs, states, outputs, next, un);
    for (int i = 0; i < n; ++i) {
      if (!std::isfinite(u[i])) {
        r.diverged = true;
        return r;
      }
      w[i] -= u[i];
    }
    if (r.steps_to_target < 0 && (step + 1) % check_every == 0 && task.validation_loss(w) <= opt.target)
      r.steps_to_target = step + 1;
  }
  r.validation = task.validation_loss(w);
  if (!std::isfinite(r.validation)) r.diverged = true, r.validation = std::numeric_limits<double>::infinity();
  if (opt.test) r.test = task.test_loss(w);
  return r;
}

}  // namespace evo::optimizer
