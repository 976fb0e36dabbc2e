// Rows of the runs table.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <SQLiteCpp/Database.h>

#include "search/batch.h"

namespace evo {

struct RunInfo {
  std::int64_t id = 0;
  std::string name, domain;
  nlohmann::json settings = nlohmann::json::object();
  nlohmann::json engine = nlohmann::json::object();
  nlohmann::json objectives = nlohmann::json::array();
  std::string fingerprint;
  std::uint64_t seed = 0, budget = 0;
  std::string status, stop_reason;
  std::int64_t evaluations = 0;
  std::optional<std::int64_t> best_candidate;
  std::optional<double> best_value;
  nlohmann::json stats = nlohmann::json::object();
  std::int64_t pid = 0;
  std::string host, created_at, updated_at;
};

std::string now_utc();  // ISO 8601, seconds
std::string this_host();

std::int64_t create_run(SQLite::Database& db, const RunInfo& run);
// The run's configuration file text (tools/run_config.h); none for runs made before evo kept it.
void save_run_config(SQLite::Database& db, std::int64_t run_id, const std::string& config);
std::optional<std::string> get_run_config(SQLite::Database& db, std::int64_t run_id);
std::optional<RunInfo> get_run(SQLite::Database& db, std::int64_t id);
std::vector<RunInfo> list_runs(SQLite::Database& db);
void set_run_status(SQLite::Database& db, std::int64_t id, const std::string& status, const std::string& stop_reason);
// Marks a run as written by this process (for resume) with a new budget.
void claim_run(SQLite::Database& db, std::int64_t id, std::uint64_t budget);
// True when the run says it is running and its process is alive on this host.
bool run_is_live(const RunInfo& run);

nlohmann::json stats_json(const RunStats& s);

}  // namespace evo
