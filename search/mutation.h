// Mutation of straight-line programs. Every mutation keeps the program valid (SSA, args
// defined before use, at most one immediate per instruction) and leaves no dead code.
#pragma once

#include <string_view>
#include <vector>

#include "search/program.h"
#include "search/rng.h"

namespace evo {

// The arithmetic that constant subexpressions are folded in (the domain's evaluation
// type, or double where that is wider than the stored constants), or none. Folding in the
// evaluation type computes exactly what the interpreter would, so it never changes a
// program's results; folding in double for a wider type rounds each folded op to double,
// and the folded program is the one evaluated. It keeps programs short and readable, and
// mutations on the instructions that matter.
enum class FoldPrecision { none, float32, float64 };

// What a domain lets mutation build.
struct MutationSpace {
  FoldPrecision fold = FoldPrecision::none;
  std::vector<Op> ops;            // ops new or changed instructions may use
  int max_instructions = 32;      // programs never grow beyond this
  double immediate_chance = 0.3;  // chance a new argument is an immediate
  double immediate_min = -2.0, immediate_max = 2.0;  // range of fresh immediates
};

// `simplify` is never drawn: it marks a candidate made by `evo simplify`.
// `level_switch` is a domain's own (Domain::mutate: one layer's level up, another's down).
enum class MutationKind { insert, remove, change_op, rewire, perturb_constant, none, simplify, level_switch };

std::string_view mutation_name(MutationKind k);

// Applies one random mutation to `p` (in place) and returns which one it applied.
// Falls back to another kind when the drawn one is impossible (e.g. nothing to remove).
MutationKind mutate(Program& p, const MutationSpace& space, Rng& rng);

// The individual mutations, exposed for tests. Each returns false when it cannot apply.
bool mutate_insert(Program& p, const MutationSpace& space, Rng& rng);
bool mutate_remove(Program& p, Rng& rng);
// Deletes instruction i; its readers read `replacement` (a register before it) instead.
// Dead code left behind is removed too.
void remove_instruction(Program& p, std::size_t i, Reg replacement);
bool mutate_change_op(Program& p, const MutationSpace& space, Rng& rng);
bool mutate_rewire(Program& p, const MutationSpace& space, Rng& rng);
bool mutate_perturb_constant(Program& p, Rng& rng);

// Replaces every instruction computed from immediates alone by const(value), then drops
// what became dead.
void fold_constants(Program& p, FoldPrecision precision);

// A fresh immediate or a nudge of an existing one (multi-scale, so fine tuning happens).
double random_immediate(const MutationSpace& space, Rng& rng);
double perturb(double v, Rng& rng);

}  // namespace evo
