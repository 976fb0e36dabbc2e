// Canonical form of a program, and the structural hash computed from it.
//
// Two programs that differ only by dead code, register names, the order of the arguments
// of commutative ops, or the order of independent instructions have the same canonical
// form. It is built by:
//  1. giving every register a content hash (Merkle style: op, immediate bits and the
//     hashes of its arguments, commutative arguments sorted), so equal subexpressions
//     hash equal wherever they sit;
//  2. emitting the instructions reachable from the outputs (then the state updates) in
//     depth-first post-order, visiting the arguments of commutative ops in hash order;
//  3. numbering registers in that order of definition.
// Canonicalising never changes what a program computes, bit for bit.
#pragma once

#include <cstdint>

#include "search/program.h"

namespace evo {

Program canonicalize(const Program& p);

// xxh3-64 of the canonical form's encoding. Call on a canonical program.
std::uint64_t structural_hash(const Program& canonical);

}  // namespace evo
