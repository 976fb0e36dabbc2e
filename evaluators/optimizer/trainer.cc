#include "evaluators/optimizer/trainer.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "evaluators/optimizer/rules.h"
#include "search/interpreter.h"
#include "search/whole_array.h"

namespace evo::optimizer {

RuleStepper::RuleStepper(std::span<const double> weights, double lr, double wd, std::vector<int> tensor_ends)
    : g_(weights.size()),
      w_(weights.begin(), weights.end()),
      lr_(w_.size(), lr),
      t_(w_.size()),
      wd_(w_.size(), wd),
      m_(w_.size()),
      v_(w_.size()),
      u_(w_.size()),
      ends_(std::move(tensor_ends)) {
  if (ends_.empty()) ends_.push_back(static_cast<int>(w_.size()));
}

double RuleStepper::step(const Program& rule, int t) {
  thread_local Interpreter<double> interp;
  const double* inputs[kRuleInputs] = {g_.data(), w_.data(), lr_.data(), t_.data(), wd_.data()};
  const double* states[2] = {m_.data(), v_.data()};
  double* next[2] = {m_.data(), v_.data()};
  double* outputs[1] = {u_.data()};
  std::fill(t_.begin(), t_.end(), static_cast<double>(t));
  if (!has_reduction(rule)) {
    interp.run(rule, inputs, states, outputs, next, w_.size());
  } else {
    for (std::size_t k = 0, begin = 0; k < ends_.size(); begin = static_cast<std::size_t>(ends_[k++])) {
      const std::size_t len = static_cast<std::size_t>(ends_[k]) - begin;
      const double* in[kRuleInputs] = {g_.data() + begin, w_.data() + begin, lr_.data() + begin, t_.data() + begin,
                                       wd_.data() + begin};
      const double* st[2] = {m_.data() + begin, v_.data() + begin};
      double* nx[2] = {m_.data() + begin, v_.data() + begin};
      double* out[1] = {u_.data() + begin};
      run_whole_arrays(rule, in, st, out, nx, len);
    }
  }
  double largest = 0;
  for (double u : u_) {
    if (!std::isfinite(u)) return std::numeric_limits<double>::quiet_NaN();
    largest = std::max(largest, std::fabs(u));
  }
  for (std::size_t i = 0; i < w_.size(); ++i) w_[i] -= u_[i];
  return largest;
}

TrainResult train(const Program& rule, const Task& task, const TrainOptions& opt) {
  RuleStepper s(task.initial_weights(), opt.lr, opt.wd, task.tensor_ends());
  TrainResult r;
  const int check_every = std::max(1, task.steps() / 20);
  double start_loss = 0;
  for (int step = 0; step < task.steps(); ++step) {
    const double loss = task.gradient(s.weights(), s.gradient(), step);
    if (step == 0) start_loss = loss;
    if (!std::isfinite(loss) || loss > 1e3 * std::max(start_loss, 1.0) || std::isnan(s.step(rule, step + 1))) {
      r.diverged = true;
      return r;
    }
    if (r.steps_to_target < 0 && std::isfinite(opt.target) && (step + 1) % check_every == 0 &&
        task.validation_loss(s.weights()) <= opt.target)
      r.steps_to_target = step + 1;
  }
  r.validation = task.validation_loss(s.weights());
  if (!std::isfinite(r.validation)) r.diverged = true, r.validation = std::numeric_limits<double>::infinity();
  if (opt.test) r.test = task.test_loss(s.weights()), r.test_accuracy = task.test_accuracy(s.weights());
  return r;
}

}  // namespace evo::optimizer
