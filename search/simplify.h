// Simplification of a found program: instructions are removed one at a time (each removed
// instruction's readers read one of its register arguments instead) for as long as the
// primary objective stays within a tolerance of the original's. Greedy and deterministic:
// instructions are tried first to last, arguments in order, and the scan starts again
// after every removal until a whole scan removes nothing.
#pragma once

#include <functional>

#include "search/program.h"

namespace evo {

struct SimplifyResult {
  Program program;
  double value = 0;  // its primary objective
  int removed = 0;   // instructions removed (dead code swept along included)
  int tried = 0;     // programs scored
};

// `score` gives a program's primary objective (infinite when invalid). A removal is kept
// when the score is no worse than original * (1 + tolerance) for a minimised objective
// (original * (1 - tolerance) for a maximised one), original being the score of `p`.
SimplifyResult simplify(const Program& p, const std::function<double(const Program&)>& score, bool minimize,
                        double tolerance);

}  // namespace evo
