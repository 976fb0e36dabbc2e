// Native speed of update rules: each rule's C++ export (float) compiled by the system
// compiler into a kernel that takes a gradient array and updates a weight array in place,
// keeping its state slots in arrays of its own; timed by the shared harness
// (native/timing.h) in interleaved rounds beside SGD, Lion and AdamW compiled the same way.
// Reported in ns per parameter and as a ratio to AdamW's time in the same rounds.
#pragma once

#include <vector>

#include "search/domain.h"

namespace evo::optimizer {

// One `ns_per_param` measurement per rule; its detail has the quartiles, the ratio to
// AdamW, the baselines' times and the compiler flags.
std::vector<std::vector<Measurement>> measure_update_speed(const std::vector<Program>& rules);

}  // namespace evo::optimizer
