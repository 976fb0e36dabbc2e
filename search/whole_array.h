// Evaluation of a program over whole arrays, one instruction at a time across all n
// elements, so the reductions of the op table (rms, mean) see the whole array. The block
// interpreter is faster and gives the same values for programs without reductions; this
// is for the ones with them (update rules that normalise by a tensor's norm or mean).
#pragma once

#include <cstddef>
#include <span>

#include "search/program.h"

namespace evo {

bool is_reduction(Op op);
bool has_reduction(const Program& p);

// Same contract as Interpreter::run: inputs and states are read, outputs and next states
// written (a next-state array may be the state array it replaces). Sums run in element
// order, so the result does not depend on threads or alignment.
void run_whole_arrays(const Program& p, std::span<const double* const> inputs, std::span<const double* const> states,
                      std::span<double* const> outputs, std::span<double* const> next, std::size_t n);

}  // namespace evo
