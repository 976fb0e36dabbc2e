#include "tools/report_data.h"

#include <cmath>

#include <SQLiteCpp/Statement.h>

namespace evo::cli {
namespace {

constexpr std::size_t kMaxLineage = 100000;  // ancestors followed back from the best candidate

bool has_table(SQLite::Database& db, const std::string& name) {
  SQLite::Statement q(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?");
  q.bind(1, name);
  return q.executeStep();
}

// json_extract path for an objective name (quoted: names are identifiers, but say so).
std::string json_path(const std::string& name) { return "$.\"" + name + "\""; }

std::optional<double> column_value(SQLite::Statement& q, int k) {
  if (q.getColumn(k).isNull()) return std::nullopt;
  return q.getColumn(k).getDouble();
}

void read_candidates(SQLite::Database& db, ReportData& r) {
  SQLite::Statement count(db, "SELECT sum(valid), count(*) - sum(valid) FROM candidates WHERE run_id = ?");
  count.bind(1, r.run.id);
  if (count.executeStep() && !count.getColumn(0).isNull()) {
    r.valid = count.getColumn(0).getInt64();
    r.invalid = count.getColumn(1).getInt64();
  }
  const std::size_t stride = r.valid > static_cast<std::int64_t>(kMaxScatter)
                                 ? static_cast<std::size_t>((r.valid + kMaxScatter - 1) / kMaxScatter)
                                 : 1;
  SQLite::Statement q(db,
                      "SELECT birth, id, json_extract(objectives, ?), json_extract(objectives, ?) FROM candidates "
                      "WHERE run_id = ? AND valid = 1 ORDER BY birth");
  q.bind(1, json_path(r.primary.name));
  q.bind(2, json_path(r.secondary ? r.secondary->name : r.primary.name));
  q.bind(3, r.run.id);
  std::optional<double> best;
  std::size_t k = 0;
  while (q.executeStep()) {
    const auto birth = q.getColumn(0).getInt64();
    const auto p = column_value(q, 2);  // null: unmeasured, the worst value
    if (p && std::isfinite(*p) && (!best || (r.primary.minimize ? *p < *best : *p > *best))) {
      best = p;
      r.best_at.push_back(static_cast<double>(birth + 1));
      r.best_value.push_back(*p);
    }
    if (k++ % stride) continue;
    r.all_ids.push_back(q.getColumn(1).getInt64());
    r.all_primary.push_back(p.value_or(NAN));
    r.all_secondary.push_back(column_value(q, 3).value_or(NAN));
  }
}

void read_progress(SQLite::Database& db, ReportData& r) {
  if (!has_table(db, "progress")) return;
  SQLite::Statement q(db,
                      "SELECT births, session, seconds, evaluations, evaluated, cache_hits, invalid, eval_seconds, "
                      "best_value, population, distinct_functions FROM progress WHERE run_id = ? ORDER BY births");
  q.bind(1, r.run.id);
  double offset = 0, session_end = 0;
  std::int64_t session = 0;
  while (q.executeStep()) {
    ProgressPoint p;
    p.births = q.getColumn(0).getInt64();
    p.session = q.getColumn(1).getInt64();
    p.seconds = q.getColumn(2).getDouble();
    p.evaluations = q.getColumn(3).getInt64();
    p.evaluated = q.getColumn(4).getInt64();
    p.cache_hits = q.getColumn(5).getInt64();
    p.invalid = q.getColumn(6).getInt64();
    p.eval_seconds = q.getColumn(7).getDouble();
    p.best = column_value(q, 8);
    p.population = q.getColumn(9).getInt64();
    p.distinct_functions = q.getColumn(10).getInt64();
    if (p.session != session) {  // a resumed session's clock starts again at 0
      offset += session_end;
      session = p.session;
    }
    session_end = p.seconds;
    p.run_seconds = offset + p.seconds;
    r.progress.push_back(p);
  }
}

void read_lineage(SQLite::Database& db, ReportData& r) {
  if (!r.run.best_candidate) return;
  std::vector<LineageStep> back;
  std::optional<std::int64_t> id = r.run.best_candidate;
  while (id && back.size() < kMaxLineage) {
    auto c = get_candidate(db, *id);
    if (!c || c->run_id != r.run.id) break;
    LineageStep step;
    step.primary = objective_value(*c, r.primary.name);
    if (r.secondary) step.secondary = objective_value(*c, r.secondary->name);
    id = c->parent;
    step.candidate = std::move(*c);
    back.push_back(std::move(step));
  }
  r.lineage.assign(std::make_move_iterator(back.rbegin()), std::make_move_iterator(back.rend()));
}

}  // namespace

std::optional<double> run_wall_seconds(SQLite::Database& db, std::int64_t run_id) {
  if (!has_table(db, "progress")) return std::nullopt;
  SQLite::Statement q(db,
                      "SELECT count(*), sum(s) FROM (SELECT max(seconds) AS s FROM progress WHERE run_id = ? "
                      "GROUP BY session)");
  q.bind(1, run_id);
  if (!q.executeStep() || q.getColumn(0).getInt64() == 0) return std::nullopt;
  return q.getColumn(1).getDouble();
}

std::optional<double> objective_value(const CandidateRow& c, const std::string& name) {
  for (const auto& [n, v] : c.objectives)
    if (n == name) return v;
  return std::nullopt;
}

ReportData read_report_data(SQLite::Database& db, const RunInfo& run) {
  ReportData r;
  r.run = run;
  const auto all = objective_directions(db, run.id);
  const auto steering = objective_directions(db, run.id, true);
  r.steering = steering.size();
  if (!all.empty()) r.primary = {all[0].first, all[0].second};
  for (const auto& list : {steering, all}) {
    for (const auto& [name, minimize] : list)
      if (name != r.primary.name && !r.secondary) r.secondary = ObjectiveAxis{name, minimize};
  }
  read_candidates(db, r);
  r.front = pareto_front(db, run.id);
  read_progress(db, r);
  read_lineage(db, r);
  return r;
}

}  // namespace evo::cli
