// Making one child: a start program, or copies of its parent mutated until one computes
// something else, each polished, canonicalised and hashed. A pure function of the domain,
// the parent and the child's random stream, so any process -- an MPI rank too -- makes the
// same child (the engine keeps choosing parents and everything after).
#pragma once

#include <functional>

#include <boost/serialization/vector.hpp>

#include "hashing/hash128.h"
#include "search/domain.h"
#include "search/mutation.h"
#include "search/program.h"
#include "search/rng.h"

namespace evo {

struct Bred {
  Program program;
  Hash128 functional_hash;
  MutationKind mutation = MutationKind::none;
  double check_draw = 1.0;  // the child's draw for a collision check, after its making

  template <class Archive>
  void serialize(Archive& ar, unsigned /*version*/) {
    auto kind = static_cast<std::uint8_t>(mutation);
    ar& program& functional_hash& kind& check_draw;
    mutation = static_cast<MutationKind>(kind);
  }
};

// Mutates copies of `parent` (at most 1 + retries times) until `accept` takes the child's
// function. `out` holds the last admissible child either way (unchanged when none was).
bool mutate_until(const Domain& d, int retries, const Program& parent, Rng& rng, Bred& out,
                  const std::function<bool(const Hash128&)>& accept);

// The child that the stream `rng` (after the parent was chosen with it) makes of `parent`,
// or a start program when `parent` is null. `also_reject` names functions the child must
// not have besides its parent's (elitist runs: those met before); empty: none.
Bred breed(const Domain& d, int retries, const Program* parent, const Hash128& parent_hash, Rng rng,
           const std::function<bool(const Hash128&)>& also_reject = {});

}  // namespace evo
