#include "store/queries.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <optional>
#include <map>

#include <nlohmann/json.hpp>
#include <SQLiteCpp/Statement.h>

#include "search/errors.h"
#include "search/program_text.h"

namespace evo {
namespace {

// The columns read_candidate reads. A run with keep_programs keeps its programs in
// kept_programs (schema 2) and leaves the candidate's own column empty.
std::string candidate_columns(SQLite::Database& db) {
  const char* program = db.tableExists("kept_programs")
                            ? "CASE WHEN c.program != '' THEN c.program ELSE coalesce((SELECT k.program FROM "
                              "kept_programs k WHERE k.candidate_id = c.id), '') END"
                            : "c.program";
  return std::string("SELECT c.id, c.run_id, c.birth, c.parent_id, c.mutation, ") + program +
         ", c.ops, c.structural_hash, c.functional_hash, c.valid, c.invalid_reason, c.cache_hit, c.objectives "
         "FROM candidates c";
}

CandidateRow read_candidate(SQLite::Statement& q) {
  CandidateRow r;
  r.id = q.getColumn(0).getInt64();
  r.run_id = q.getColumn(1).getInt64();
  r.birth = q.getColumn(2).getInt64();
  if (!q.getColumn(3).isNull()) r.parent = q.getColumn(3).getInt64();
  r.mutation = q.getColumn(4).getString();
  r.program = q.getColumn(5).getString();
  r.ops = q.getColumn(6).getInt();
  r.structural_hash = q.getColumn(7).getString();
  r.functional_hash = q.getColumn(8).getString();
  r.valid = q.getColumn(9).getInt() != 0;
  r.invalid_reason = q.getColumn(10).isNull() ? "" : q.getColumn(10).getString();
  r.cache_hit = q.getColumn(11).getInt() != 0;
  return r;
}

// An objective's stored value: a number, or null for one left unmeasured (infinite, the
// worst value; see StoreWriter::objectives_json).
std::optional<double> stored_value(const nlohmann::json& v) {
  if (v.is_number()) return v.get<double>();
  if (v.is_null()) return std::numeric_limits<double>::infinity();
  return std::nullopt;
}

void attach_objectives(SQLite::Statement& q, CandidateRow& r, const std::vector<std::string>& order) {
  if (q.getColumn(12).isNull()) return;
  const auto json = nlohmann::json::parse(q.getColumn(12).getString(), nullptr, false);
  if (!json.is_object()) return;
  for (const auto& name : order)
    if (auto it = json.find(name); it != json.end())
      if (auto v = stored_value(*it)) r.objectives.emplace_back(name, *v);
}

// Objectives of a run, in the run's declared order.
std::vector<std::string> objective_order(SQLite::Database& db, std::int64_t run_id) {
  SQLite::Statement q(db, "SELECT objectives FROM runs WHERE id = ?");
  q.bind(1, static_cast<std::int64_t>(run_id));
  std::vector<std::string> names;
  if (!q.executeStep()) return names;
  const auto json = nlohmann::json::parse(q.getColumn(0).getString(), nullptr, false);
  if (json.is_array())
    for (const auto& o : json)
      if (o.is_object() && o.contains("name") && o["name"].is_string()) names.push_back(o["name"]);
  return names;
}

}  // namespace

std::vector<std::pair<std::string, bool>> objective_directions(SQLite::Database& db, std::int64_t run_id,
                                                               bool steering_only) {
  SQLite::Statement q(db, "SELECT objectives FROM runs WHERE id = ?");
  q.bind(1, static_cast<std::int64_t>(run_id));
  std::vector<std::pair<std::string, bool>> out;
  if (!q.executeStep()) return out;
  const auto json = nlohmann::json::parse(q.getColumn(0).getString(), nullptr, false);
  if (json.is_array())
    for (const auto& o : json)
      if (o.is_object() && o.contains("name") && o["name"].is_string() &&
          !(steering_only && o.value("steers", true) == false))
        out.emplace_back(o["name"].get<std::string>(), !o.contains("minimize") || o["minimize"] != false);
  return out;
}

std::optional<CandidateRow> get_candidate(SQLite::Database& db, std::int64_t id) {
  SQLite::Statement q(db, candidate_columns(db) + " WHERE c.id = ?");
  q.bind(1, static_cast<std::int64_t>(id));
  if (!q.executeStep()) return std::nullopt;
  CandidateRow r = read_candidate(q);
  attach_objectives(q, r, objective_order(db, r.run_id));
  return r;
}

std::vector<CandidateRow> best_candidates(SQLite::Database& db, std::int64_t run_id, const std::string& objective,
                                          bool minimize, int k, const std::vector<ObjectiveBound>& bounds) {
  // Candidates come in the order of the objective's index; reading stops after k of them
  // and whatever ties the k-th, which are then ordered by the other objectives.
  std::string sql = candidate_columns(db);
  sql.insert(sql.find(" FROM candidates c"), ", o.value");  // column 13: the ranking value
  // A null value (left unmeasured, e.g. a rule that never entered a funnel's second stage)
  // is not ranked: in ascending order SQLite would put it first.
  sql += " JOIN objectives o ON o.candidate_id = c.id WHERE o.run_id = ? AND o.name = ? AND o.value IS NOT NULL";
  for (const auto& b : bounds) sql += std::string(" AND json_extract(c.objectives, ?) ") + (b.at_most ? "<= ?" : ">= ?");
  sql += std::string(" ORDER BY o.value ") + (minimize ? "ASC" : "DESC") + ", o.candidate_id";
  SQLite::Statement q(db, sql);
  int param = 1;
  q.bind(param++, static_cast<std::int64_t>(run_id));
  q.bind(param++, objective);
  for (const auto& b : bounds) {
    q.bind(param++, "$.\"" + b.name + "\"");
    q.bind(param++, b.value);
  }
  const auto order = objective_order(db, run_id);
  std::vector<CandidateRow> rows;
  double kth = 0;
  while (q.executeStep()) {
    const double value = q.getColumn(13).getDouble();
    if (static_cast<int>(rows.size()) >= k && value != kth) break;
    if (static_cast<int>(rows.size()) == k - 1) kth = value;
    rows.push_back(read_candidate(q));
    attach_objectives(q, rows.back(), order);
  }
  // Rank: the chosen objective first, then the others in the run's order (all minimised
  // unless the run says otherwise), then the older candidate.
  const auto directions = objective_directions(db, run_id);
  auto value_of = [](const CandidateRow& r, const std::string& name, double fallback) {
    for (const auto& [n, v] : r.objectives)
      if (n == name) return v;
    return fallback;
  };
  std::stable_sort(rows.begin(), rows.end(), [&](const CandidateRow& a, const CandidateRow& b) {
    const double va = value_of(a, objective, 0), vb = value_of(b, objective, 0);
    if (va != vb) return minimize ? va < vb : va > vb;
    for (const auto& [name, min] : directions) {
      if (name == objective) continue;
      const double xa = value_of(a, name, 0), xb = value_of(b, name, 0);
      if (xa != xb) return min ? xa < xb : xa > xb;
    }
    return a.id < b.id;
  });
  if (rows.size() > static_cast<std::size_t>(k)) rows.resize(static_cast<std::size_t>(k));
  return rows;
}

std::vector<CandidateRow> pareto_front(SQLite::Database& db, std::int64_t run_id) {
  const auto directions = objective_directions(db, run_id, true);
  struct Point {
    std::int64_t id;
    std::vector<double> v;  // oriented so that smaller is better
  };
  std::vector<Point> points;
  SQLite::Statement q(db, "SELECT id, objectives FROM candidates WHERE run_id = ? AND valid = 1 ORDER BY id");
  q.bind(1, static_cast<std::int64_t>(run_id));
  while (q.executeStep()) {
    if (q.getColumn(1).isNull()) continue;
    const auto json = nlohmann::json::parse(q.getColumn(1).getString(), nullptr, false);
    if (!json.is_object()) continue;
    Point p{q.getColumn(0).getInt64(), {}};
    bool complete = true;
    for (const auto& [name, minimize] : directions) {
      auto it = json.find(name);
      const auto v = it == json.end() ? std::nullopt : stored_value(*it);
      if (!v) {
        complete = false;
        break;
      }
      p.v.push_back(minimize ? *v : -*v);
    }
    if (complete) points.push_back(std::move(p));
  }
  // Sorted lexicographically (older first among equals), a point can only be dominated by
  // points before it, so one pass against the front so far finds the front.
  std::stable_sort(points.begin(), points.end(), [](const Point& a, const Point& b) { return a.v < b.v; });
  std::vector<const Point*> front;
  for (const Point& p : points) {
    bool dominated = false;
    for (const Point* f : front) {
      bool all_le = true;
      for (std::size_t k = 0; k < p.v.size() && all_le; ++k) all_le = f->v[k] <= p.v[k];
      if (all_le) {  // at least as good everywhere: dominates, or equal (an older twin)
        dominated = true;
        break;
      }
    }
    if (!dominated) front.push_back(&p);
  }
  std::vector<CandidateRow> rows;
  for (const Point* f : front)
    if (auto row = get_candidate(db, f->id)) rows.push_back(std::move(*row));
  return rows;
}

// The run's candidates, filtered and ordered by `rest` (SQL after "WHERE c.run_id = ?").
static std::vector<CandidateRow> select_candidates(SQLite::Database& db, std::int64_t run_id, const char* rest) {
  SQLite::Statement q(db, candidate_columns(db) + " WHERE c.run_id = ? " + rest);
  q.bind(1, static_cast<std::int64_t>(run_id));
  const auto order = objective_order(db, run_id);
  std::vector<CandidateRow> rows;
  while (q.executeStep()) {
    rows.push_back(read_candidate(q));
    attach_objectives(q, rows.back(), order);
  }
  return rows;
}

std::vector<CandidateRow> run_candidates(SQLite::Database& db, std::int64_t run_id) {
  return select_candidates(db, run_id, "ORDER BY c.birth");
}

std::vector<CandidateRow> candidates_with_programs(SQLite::Database& db, std::int64_t run_id) {
  return select_candidates(db, run_id,
                           "AND (c.program != '' OR c.id IN (SELECT candidate_id FROM kept_programs)) ORDER BY c.id");
}

std::int64_t next_candidate_id(SQLite::Database& db) {
  SQLite::Statement q(db, "SELECT COALESCE(MAX(id), 0) + 1 FROM candidates");
  q.executeStep();
  return q.getColumn(0).getInt64();
}

std::vector<Hash128> run_functional_hashes(SQLite::Database& db, std::int64_t run_id, std::uint64_t births) {
  SQLite::Statement q(db, "SELECT functional_hash FROM candidates WHERE run_id = ? AND birth < ? ORDER BY birth");
  q.bind(1, run_id);
  q.bind(2, static_cast<std::int64_t>(births));
  std::vector<Hash128> out;
  while (q.executeStep())
    if (auto h = Hash128::from_hex(q.getColumn(0).getString())) out.push_back(*h);
  return out;
}

std::size_t load_cache(SQLite::Database& db, const std::string& fingerprint, FecCache& cache) {
  // The newest `capacity` entries, inserted oldest first: what the cache of an uninterrupted
  // run holds at this point (fec_cache.h).
  SQLite::Statement q(db,
                      "SELECT functional_hash, valid, invalid_reason, objectives, eval_seconds, hits FROM ("
                      " SELECT f.* FROM fec_cache f JOIN configs c ON c.id = f.config_id WHERE c.fingerprint = ?"
                      " ORDER BY f.seq DESC, f.functional_hash DESC LIMIT ?) "
                      "ORDER BY seq, functional_hash");
  q.bind(1, fingerprint);
  q.bind(2, cache.capacity() > static_cast<std::size_t>(INT64_MAX) ? std::int64_t{-1}
                                                                  : static_cast<std::int64_t>(cache.capacity()));
  std::size_t n = 0;
  while (q.executeStep()) {
    const auto hash = q.getColumn(0);
    if (hash.getBytes() != 16) continue;
    auto key = std::optional<Hash128>(Hash128::from_bytes(static_cast<const unsigned char*>(hash.getBlob())));
    CachedResult r;
    r.valid = q.getColumn(1).getInt() != 0;
    r.reason = q.getColumn(2).isNull() ? "" : q.getColumn(2).getString();
    const auto blob = q.getColumn(3);
    r.objectives.resize(static_cast<std::size_t>(blob.getBytes()) / sizeof(double));
    if (!r.objectives.empty()) std::memcpy(r.objectives.data(), blob.getBlob(), r.objectives.size() * sizeof(double));
    r.eval_seconds = q.getColumn(4).getDouble();
    r.hits = static_cast<std::uint64_t>(q.getColumn(5).getInt64());
    n += cache.insert(*key, std::move(r));
  }
  return n;
}

std::deque<Member> load_members(SQLite::Database& db, const std::vector<std::int64_t>& ids,
                                const Signature* sig, const std::vector<std::string>& objective_names) {
  std::deque<Member> members;
  for (std::int64_t id : ids) {
    auto row = get_candidate(db, id);
    if (!row) throw InputError("checkpoint names candidate " + std::to_string(id) + ", which is not in the database");
    Member m;
    m.id = row->id;
    m.birth = row->birth;
    m.program = parse_program(row->program, sig);
    m.fhash = Hash128::from_hex(row->functional_hash).value_or(Hash128{});
    m.valid = row->valid;
    if (m.valid) {
      for (const auto& name : objective_names)
        for (const auto& [n, v] : row->objectives)
          if (n == name) m.objectives.push_back(v);
    }
    members.push_back(std::move(m));
  }
  return members;
}

}  // namespace evo
