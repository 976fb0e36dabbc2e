// Runs a search for `evo run` and `evo resume`: the FEC cache warmed from the store, the
// engine, the background writer, signal handling, progress, and the final summary.
#pragma once

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
};

// Returns the process exit code: 0 when the run stopped on its budget, target or time
// limit; 130/143 when SIGINT/SIGTERM stopped it (after committing the batch in flight).
int run_session(SQLite::Database& db, const std::string& db_path, const RunInfo& run, const Domain& domain,
                const EngineConfig& cfg, const SessionOptions& opts, bool resume);

// Engine settings as stored in runs.engine, and back.
nlohmann::json engine_json(const Settings& engine_settings);
EngineConfig engine_from_json(const nlohmann::json& j, std::uint64_t seed, std::uint64_t budget);

}  // namespace evo::cli
