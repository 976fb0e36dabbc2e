// What `evo report` shows of a run, read from its database: the best objective over the
// evaluations, every valid candidate and the Pareto front, the progress of each committed
// batch (time, cache hits, diversity), and the lineage of the best candidate.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <SQLiteCpp/Database.h>

#include "store/queries.h"
#include "store/runs.h"

namespace evo::cli {

struct ObjectiveAxis {
  std::string name;
  bool minimize = true;
};

// One committed batch (the progress table); `run_seconds` adds up the sessions before it.
struct ProgressPoint {
  std::int64_t births = 0, session = 0, evaluations = 0, evaluated = 0, cache_hits = 0, invalid = 0;
  std::int64_t population = 0, distinct_functions = 0;
  double seconds = 0, run_seconds = 0, eval_seconds = 0;
  std::optional<double> best;
};

struct LineageStep {
  CandidateRow candidate;
  std::optional<double> primary, secondary;
};

struct ReportData {
  RunInfo run;
  ObjectiveAxis primary;
  std::optional<ObjectiveAxis> secondary;
  std::size_t steering = 0;  // objectives that steer the search  // the Pareto plot's x axis: the next objective that steers, or the next one
  std::vector<double> best_at, best_value;  // evaluations at which the best primary improved, and its value
  std::vector<double> all_primary, all_secondary;  // valid candidates (thinned to at most kMaxScatter)
  std::vector<std::int64_t> all_ids;
  std::vector<CandidateRow> front;
  std::vector<ProgressPoint> progress;  // empty for runs written before evo recorded progress
  std::vector<LineageStep> lineage;     // from the first ancestor to the best candidate
  std::int64_t valid = 0, invalid = 0;
};

inline constexpr std::size_t kMaxScatter = 4000;

ReportData read_report_data(SQLite::Database& db, const RunInfo& run);

// Wall-clock seconds the run's sessions spent, back to back (from the progress table); none
// for a run written before evo recorded progress.
std::optional<double> run_wall_seconds(SQLite::Database& db, std::int64_t run_id);

// The value of a named objective in a candidate row, if it has one.
std::optional<double> objective_value(const CandidateRow& c, const std::string& name);

}  // namespace evo::cli
