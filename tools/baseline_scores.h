// A domain's baselines scored as candidates are: evaluate() one by one, then together
// (e.g. timed in one run), plus the structural objectives (e.g. op cost). `evo baselines`
// prints them; `evo report` plots them beside the run's front.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "search/domain.h"

namespace evo::cli {

struct ScoredBaseline {
  Baseline baseline;
  Evaluation ev;
  std::vector<std::pair<std::string, std::optional<double>>> values;  // objectives() order; nullopt when invalid
};

std::vector<ScoredBaseline> score_baselines(const Domain& domain, std::vector<Baseline> baselines);

}  // namespace evo::cli
