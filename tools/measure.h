// The domain's expensive checks (Domain::measure) of stored candidates, written to the
// measurements table: run on the Pareto front when a run ends, and by `evo measure`.
#pragma once

#include <vector>

#include <SQLiteCpp/Database.h>

#include "search/domain.h"
#include "store/queries.h"

namespace evo::cli {

struct MeasuredCandidate {
  CandidateRow row;
  std::vector<Measurement> measurements;
};

// Measures `rows` (all of one run, programs parsed with the domain's signature) and stores
// the results. Candidates that already have measurements are measured again only when
// `again`; their stored values are returned otherwise. Empty when the domain makes none.
std::vector<MeasuredCandidate> measure_candidates(SQLite::Database& db, const Domain& domain,
                                                  const std::vector<CandidateRow>& rows, bool again);

}  // namespace evo::cli
