// Runs a search for `evo run` and `evo resume`: the FEC cache warmed from the store, the
// engine, the background writer, signal handling, progress, and the final summary.
#pragma once

#include <deque>
#include <optional>
#include <string>

#include <SQLiteCpp/Database.h>

#include "search/domain.h"
#include "search/engine.h"
#include "store/runs.h"

namespace evo::cli {

struct SessionOptions {
  int threads = 1;
  bool quiet = false;
  bool measure = true;  // run the domain's expensive checks on the final Pareto front
  bool mpi = false;      // evaluate on the ranks of the MPI job (tools/distributed.h)
  double rank_timeout = 600;
};

// Where a resumed run continues: its checkpoint and the candidates it names, read before
// anything is written, so a damaged run is refused with the database untouched.
struct ResumePoint {
  EngineState state;
  std::deque<Member> population, pending;
  std::vector<Hash128> seen;  // functions the run has met (elitist runs skip them)
};
std::optional<ResumePoint> load_resume_point(SQLite::Database& db, const RunInfo& run, const Domain& domain);

// Refuses (InputError) when another live process is writing to this database: one writer
// at a time keeps candidate ids unique. Call inside a BEGIN IMMEDIATE transaction.
void require_no_live_writer(SQLite::Database& db, const std::string& path);

// Returns the process exit code: 0 when the run stopped on its budget, target or time
// limit; 130/143 when SIGINT/SIGTERM stopped it (after committing the batch in flight).
int run_session(SQLite::Database& db, const std::string& db_path, const RunInfo& run, const Domain& domain,
                const EngineConfig& cfg, const SessionOptions& opts, std::optional<ResumePoint> resume);

// Engine settings as stored in runs.engine, and back.
nlohmann::json engine_json(const Settings& engine_settings);
EngineConfig engine_from_json(const nlohmann::json& j, std::uint64_t seed, std::uint64_t budget);

}  // namespace evo::cli
