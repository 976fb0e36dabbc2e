#include "search/breed.h"

#include "hashing/canonical.h"

namespace evo {

bool mutate_until(const Domain& d, int retries, const Program& parent, Rng& rng, Bred& out,
                  const std::function<bool(const Hash128&)>& accept) {
  for (int attempt = 0; attempt <= retries; ++attempt) {
    Program child = parent;
    MutationKind kind;
    if (const auto own = d.mutate(child, rng)) {
      kind = *own;
    } else {
      kind = mutate(child, d.mutation_space(), rng);
    }
    if (!d.admissible(child)) continue;
    d.polish(child, kind);
    child = canonicalize(child);
    out.functional_hash = d.functional_hash(child);
    out.program = std::move(child);
    out.mutation = kind;
    if (accept(out.functional_hash)) return true;
  }
  return false;
}

Bred breed(const Domain& d, int retries, const Program* parent, const Hash128& parent_hash, Rng rng,
           const std::function<bool(const Hash128&)>& also_reject) {
  Bred b;
  if (!parent) {
    b.program = d.initial_program(rng);
    d.polish(b.program, MutationKind::none);
    b.program = canonicalize(b.program);
    b.functional_hash = d.functional_hash(b.program);
  } else {
    b.program = *parent;
    b.functional_hash = parent_hash;
    // Re-mutate until the child computes something else (bounded): a child equal to its
    // parent would only be a cache hit.
    mutate_until(d, retries, *parent, rng, b, [&](const Hash128& h) {
      return !(h == parent_hash) && !(also_reject && also_reject(h));
    });
  }
  b.check_draw = rng.uniform();
  return b;
}

}  // namespace evo
