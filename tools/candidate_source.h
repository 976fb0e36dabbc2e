// A stored candidate with its run and a domain built from the run's settings: what
// `evo show`, `evo export` and `evo eval --candidate` start from.
#pragma once

#include <memory>
#include <string>

#include "search/domain.h"
#include "store/queries.h"
#include "store/runs.h"

namespace evo::cli {

struct StoredCandidate {
  CandidateRow row;
  RunInfo run;
  std::unique_ptr<Domain> domain;
  Program program;
  RenderContext context() const;
};

// InputError when the candidate does not exist.
StoredCandidate load_candidate(SQLite::Database& db, std::int64_t id, const std::string& path);

}  // namespace evo::cli
