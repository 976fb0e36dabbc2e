// A child while its batch is being made (shared by engine.cc and elitist.cc).
#pragma once

#include <optional>
#include <vector>

#include "search/engine.h"

namespace evo {

struct Engine::Child {
  CandidateRecord rec;
  std::optional<CachedResult> cached;  // the cache's answer when the pass began
  double check_draw = 1.0;             // evaluate a cache hit anyway when below collision_check
  std::vector<double> structural;
  bool evaluated = false;
  CachedResult fresh;  // its own evaluation, when it had one
  bool reusable = true;  // fresh may answer later children with the same function
  Member member;       // what joins the population
};

}  // namespace evo
