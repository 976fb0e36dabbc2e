// Update rules: programs over one parameter tensor, elementwise. Each step a rule reads the
// gradient g, the weights w, the learning rate lr, the step number t (1, 2, ...) and the
// weight decay wd (scalars are broadcast), and its state slots m and v as they were at the
// end of the previous step (0 before the first); it writes the update u and the new m and
// v. The trainer then sets w <- w - u.
//
// Known optimizers ship as named programs (seed_program): sgd, momentum, adam, adamw, lion.
#pragma once

#include <string>
#include <vector>

#include "search/program.h"

namespace evo::optimizer {

// inputs g, w, lr, t, wd; states m, v; output u.
const Signature* rule_signature();

enum RuleInput { kG = 0, kW, kLr, kT, kWd, kRuleInputs };

std::vector<std::string> seed_names();
// Throws InputError for an unknown name.
Program seed_program(const std::string& name);

// Hyper-parameters the seeds are written with (the usual defaults).
struct SeedConstants {
  static constexpr double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
  static constexpr double momentum = 0.9;
  static constexpr double lion_beta1 = 0.9, lion_beta2 = 0.99;
};

}  // namespace evo::optimizer
