// Trains a task's parameters with an update rule: each step computes the gradient, runs
// the rule over the parameter vector in the block interpreter (float64), and sets
// w <- w - u. Training stops early, marked diverged, when the training loss or any update
// is not finite or the loss grows beyond 1e3 times its start (and above 1).
#pragma once

#include <limits>

#include "evaluators/optimizer/tasks.h"
#include "search/program.h"

namespace evo::optimizer {

struct TrainResult {
  bool diverged = false;
  double validation = std::numeric_limits<double>::infinity();  // at the end of the budget
  double test = std::numeric_limits<double>::infinity();
  // First step (checked every steps/20) at which the validation loss reached `target`;
  // -1 if it never did.
  int steps_to_target = -1;
};

struct TrainOptions {
  double lr = 1e-3;
  double wd = 0.0;
  double target = -std::numeric_limits<double>::infinity();  // for steps_to_target
  bool test = false;                                         // also compute the test loss
};

TrainResult train(const Program& rule, const Task& task, const TrainOptions& opt);

}  // namespace evo::optimizer
