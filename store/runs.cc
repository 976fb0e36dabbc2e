#include "store/runs.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>
#include <fstream>

#include <SQLiteCpp/Statement.h>

#include "store/schema.h"

namespace evo {

std::string now_utc() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string this_host() {
  char buf[256] = {};
  gethostname(buf, sizeof buf - 1);
  return buf;
}

nlohmann::json stats_json(const RunStats& s) {
  return {{"evaluations", s.evaluations},
          {"evaluated", s.evaluated},
          {"cache_hits", s.cache_hits},
          {"hit_rate", s.hit_rate()},
          {"invalid", s.invalid},
          {"screened_out", s.screened_out},
          {"collision_checks", s.collision_checks},
          {"collisions", s.collisions},
          {"eval_seconds", s.eval_seconds},
          {"saved_seconds", s.saved_seconds()}};
}

std::int64_t create_run(SQLite::Database& db, const RunInfo& r) {
  SQLite::Statement q(db,
                      "INSERT INTO runs(name, domain, settings, engine, objectives, fingerprint, seed, budget, status, "
                      "evaluations, stats, pid, host, created_at, updated_at) "
                      "VALUES (?,?,?,?,?,?,?,?,'running',0,'{}',?,?,?,?)");
  const std::string now = now_utc();
  q.bind(1, r.name);
  q.bind(2, r.domain);
  q.bind(3, r.settings.dump());
  q.bind(4, r.engine.dump());
  q.bind(5, r.objectives.dump());
  q.bind(6, r.fingerprint);
  q.bind(7, static_cast<std::int64_t>(r.seed));
  q.bind(8, static_cast<std::int64_t>(r.budget));
  q.bind(9, static_cast<std::int64_t>(getpid()));
  q.bind(10, this_host());
  q.bind(11, now);
  q.bind(12, now);
  q.exec();
  return db.getLastInsertRowid();
}

namespace {

RunInfo read_run(SQLite::Statement& q) {
  RunInfo r;
  r.id = q.getColumn(0).getInt64();
  r.name = q.getColumn(1).getString();
  r.domain = q.getColumn(2).getString();
  r.settings = nlohmann::json::parse(q.getColumn(3).getString(), nullptr, false);
  r.engine = nlohmann::json::parse(q.getColumn(4).getString(), nullptr, false);
  r.objectives = nlohmann::json::parse(q.getColumn(5).getString(), nullptr, false);
  r.fingerprint = q.getColumn(6).getString();
  r.seed = static_cast<std::uint64_t>(q.getColumn(7).getInt64());
  r.budget = static_cast<std::uint64_t>(q.getColumn(8).getInt64());
  r.status = q.getColumn(9).getString();
  r.stop_reason = q.getColumn(10).isNull() ? "" : q.getColumn(10).getString();
  r.evaluations = q.getColumn(11).getInt64();
  if (!q.getColumn(12).isNull()) r.best_candidate = q.getColumn(12).getInt64();
  if (!q.getColumn(13).isNull()) r.best_value = q.getColumn(13).getDouble();
  r.stats = nlohmann::json::parse(q.getColumn(14).isNull() ? "{}" : q.getColumn(14).getString(), nullptr, false);
  r.pid = q.getColumn(15).isNull() ? 0 : q.getColumn(15).getInt64();
  r.host = q.getColumn(16).isNull() ? "" : q.getColumn(16).getString();
  r.created_at = q.getColumn(17).getString();
  r.updated_at = q.getColumn(18).getString();
  return r;
}

constexpr const char* kRunColumns =
    "SELECT id, name, domain, settings, engine, objectives, fingerprint, seed, budget, status, stop_reason, "
    "evaluations, best_candidate, best_value, stats, pid, host, created_at, updated_at FROM runs";

}  // namespace

void save_run_config(SQLite::Database& db, std::int64_t run_id, const std::string& config) {
  db.exec(kRunConfigsSql);
  SQLite::Statement q(db, "INSERT OR REPLACE INTO run_configs(run_id, config) VALUES (?, ?)");
  q.bind(1, run_id);
  q.bind(2, config);
  q.exec();
}

std::optional<std::string> get_run_config(SQLite::Database& db, std::int64_t run_id) {
  if (!db.tableExists("run_configs")) return std::nullopt;
  SQLite::Statement q(db, "SELECT config FROM run_configs WHERE run_id = ?");
  q.bind(1, run_id);
  if (!q.executeStep()) return std::nullopt;
  return q.getColumn(0).getString();
}

std::optional<RunInfo> get_run(SQLite::Database& db, std::int64_t id) {
  SQLite::Statement q(db, std::string(kRunColumns) + " WHERE id = ?");
  q.bind(1, static_cast<std::int64_t>(id));
  if (!q.executeStep()) return std::nullopt;
  return read_run(q);
}

std::vector<RunInfo> list_runs(SQLite::Database& db) {
  SQLite::Statement q(db, std::string(kRunColumns) + " ORDER BY id");
  std::vector<RunInfo> runs;
  while (q.executeStep()) runs.push_back(read_run(q));
  return runs;
}

void set_run_status(SQLite::Database& db, std::int64_t id, const std::string& status, const std::string& stop_reason) {
  SQLite::Statement q(db, "UPDATE runs SET status = ?, stop_reason = ?, pid = NULL, updated_at = ? WHERE id = ?");
  q.bind(1, status);
  q.bind(2, stop_reason);
  q.bind(3, now_utc());
  q.bind(4, static_cast<std::int64_t>(id));
  q.exec();
}

void claim_run(SQLite::Database& db, std::int64_t id, std::uint64_t budget) {
  SQLite::Statement q(db,
                      "UPDATE runs SET status = 'running', stop_reason = NULL, pid = ?, host = ?, budget = ?, "
                      "updated_at = ? WHERE id = ?");
  q.bind(1, static_cast<std::int64_t>(getpid()));
  q.bind(2, this_host());
  q.bind(3, static_cast<std::int64_t>(budget));
  q.bind(4, now_utc());
  q.bind(5, static_cast<std::int64_t>(id));
  q.exec();
}

bool run_is_live(const RunInfo& run) {
  if (run.status != "running" || run.pid <= 0 || run.host != this_host()) return false;
  if (run.pid == getpid()) return false;
  if (!(::kill(static_cast<pid_t>(run.pid), 0) == 0 || errno == EPERM)) return false;
  // A zombie (dead, its parent not yet told -- e.g. a rank whose mpirun is gone) is not
  // writing; /proc says so on Linux.
  std::ifstream stat("/proc/" + std::to_string(run.pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return true;
  const auto close = line.rfind(')');  // the command name may hold spaces and parentheses
  if (close != std::string::npos && close + 2 < line.size() && line[close + 2] == 'Z') return false;
  // After a crash or a reboot the pid may belong to another program now: only a process of
  // the same name as this one (evo) can be the run's writer.
  auto command_of = [](const std::string& pid) {
    std::ifstream comm("/proc/" + pid + "/comm");
    std::string name;
    std::getline(comm, name);
    return name;
  };
  const std::string theirs = command_of(std::to_string(run.pid)), ours = command_of("self");
  return theirs.empty() || ours.empty() || theirs == ours;
}

}  // namespace evo
