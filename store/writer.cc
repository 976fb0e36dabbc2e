#include "store/writer.h"

#include <cmath>

#include <charconv>
#include <unordered_set>

#include <SQLiteCpp/Transaction.h>

#include "search/program_text.h"
#include "store/checkpoint.h"
#include "store/queries.h"
#include "store/runs.h"
#include "store/schema.h"

namespace evo {

std::int64_t config_id(SQLite::Database& db, const std::string& fingerprint) {
  SQLite::Statement ins(db, "INSERT OR IGNORE INTO configs(fingerprint) VALUES (?)");
  ins.bind(1, fingerprint);
  ins.exec();
  SQLite::Statement q(db, "SELECT id FROM configs WHERE fingerprint = ?");
  q.bind(1, fingerprint);
  q.executeStep();
  return q.getColumn(0).getInt64();
}

// Creates the progress table when the database predates it; returns the next session number.
static std::int64_t start_session(SQLite::Database& db, std::int64_t run_id) {
  db.exec(kProgressSql);
  SQLite::Statement q(db, "SELECT coalesce(max(session), 0) + 1 FROM progress WHERE run_id = ?");
  q.bind(1, run_id);
  q.executeStep();
  return q.getColumn(0).getInt64();
}

StoreWriter::StoreWriter(SQLite::Database& db, std::int64_t run_id, std::string fingerprint,
                         std::vector<std::string> objective_names, std::size_t keep_programs)
    : db_(db),
      run_id_(run_id),
      config_id_(config_id(db, fingerprint)),
      names_(std::move(objective_names)),
      session_(start_session(db, run_id)),
      session_start_(std::chrono::steady_clock::now()),
      insert_candidate_(db,
                        "INSERT INTO candidates(id, run_id, birth, parent_id, mutation, program, ops, structural_hash, "
                        "functional_hash, valid, invalid_reason, cache_hit, objectives) "
                        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)"),
      insert_objective_(db, "INSERT INTO objectives(run_id, name, value, candidate_id) VALUES (?,?,?,?)"),
      // An entry the in-memory cache had let go and now holds again becomes the newest, in
      // the database too, so a resume reloads the same entries (fec_cache.h).
      insert_cache_(db,
                    "INSERT INTO fec_cache(config_id, functional_hash, valid, invalid_reason, objectives, "
                    "eval_seconds, hits, seq) VALUES (?1,?2,?3,?4,?5,?6,0,"
                    " (SELECT coalesce(max(seq), 0) + 1 FROM fec_cache WHERE config_id = ?1)) "
                    "ON CONFLICT(config_id, functional_hash) DO UPDATE SET valid = excluded.valid, "
                    "invalid_reason = excluded.invalid_reason, objectives = excluded.objectives, "
                    "eval_seconds = excluded.eval_seconds, seq = excluded.seq"),
      add_hits_(db, "UPDATE fec_cache SET hits = hits + ? WHERE config_id = ? AND functional_hash = ?"),
      save_checkpoint_(db, "INSERT OR REPLACE INTO checkpoints(run_id, births, state, written_at) VALUES (?,?,?,?)"),
      update_run_(db,
                  "UPDATE runs SET evaluations = ?, best_candidate = ?, best_value = ?, stats = ?, updated_at = ? "
                  "WHERE id = ?"),
      insert_kept_(db, "INSERT INTO kept_programs(candidate_id, program) VALUES (?, ?)"),
      drop_kept_(db, "DELETE FROM kept_programs WHERE candidate_id = ?"),
      insert_progress_(db,
                       "INSERT OR REPLACE INTO progress(run_id, births, session, seconds, evaluations, evaluated, "
                       "cache_hits, invalid, eval_seconds, best_value, population, distinct_functions, written_at) "
                       "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)") {
  if (keep_programs == 0) return;
  keeper_.emplace(keep_programs, objective_directions(db, run_id), objective_directions(db, run_id, true));
  for (const CandidateRow& r : candidates_with_programs(db, run_id))
    keeper_->admit(r.id, r.valid ? r.objectives : ProgramKeeper::Values{});
}

std::string StoreWriter::objectives_json(const std::vector<double>& values) const {
  // {"error":1.2345678901234567e-07,"cost":10}: 17 significant digits round-trip exactly.
  // An infinite value (an objective left unmeasured, the worst there is) is written null.
  std::string out = "{";
  char buf[40];
  for (std::size_t k = 0; k < values.size() && k < names_.size(); ++k) {
    if (k) out += ',';
    out += '"';
    out += names_[k];
    out += "\":";
    if (!std::isfinite(values[k])) {  // not measured (e.g. untimed): JSON has no infinity
      out += "null";
      continue;
    }
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, values[k]);
    out.append(buf, ec == std::errc() ? end : buf);
  }
  out += '}';
  return out;
}

// keep_programs: which programs stop being needed with this batch (new ones among them
// are never written).
std::unordered_set<std::int64_t> StoreWriter::released(const BatchRecord& batch) {
  if (!keeper_) return {};
  for (const CandidateRecord& c : batch.candidates) {
    ProgramKeeper::Values values;
    for (std::size_t k = 0; c.valid && k < c.objectives.size() && k < names_.size(); ++k)
      values.emplace_back(names_[k], c.objectives[k]);
    keeper_->admit(c.id, values);
  }
  std::vector<std::int64_t> members = batch.state.population;
  members.insert(members.end(), batch.state.pending.begin(), batch.state.pending.end());
  const auto ids = keeper_->release(members);
  return {ids.begin(), ids.end()};
}

void StoreWriter::commit(BatchRecord batch) {
  SQLite::Transaction tx(db_);
  std::unordered_set<std::int64_t> gone = released(batch);
  for (const CandidateRecord& c : batch.candidates) {
    const std::string text = c.text.empty() ? to_text(c.program) : c.text;
    if (keeper_ && !gone.erase(c.id)) {
      insert_kept_.bind(1, static_cast<std::int64_t>(c.id));
      insert_kept_.bind(2, text);
      insert_kept_.exec();
      insert_kept_.reset();
    }
    auto& q = insert_candidate_;
    q.bind(1, static_cast<std::int64_t>(c.id));
    q.bind(2, static_cast<std::int64_t>(run_id_));
    q.bind(3, static_cast<std::int64_t>(c.birth));
    if (c.parent) q.bind(4, static_cast<std::int64_t>(c.parent));
    else q.bind(4);
    q.bind(5, std::string(mutation_name(c.mutation)));
    q.bind(6, keeper_ ? std::string() : text);  // a kept program is in kept_programs
    q.bind(7, c.ops);
    q.bind(8, hex64(c.structural_hash));
    q.bind(9, c.functional_hash.hex());
    q.bind(10, c.valid ? 1 : 0);
    if (c.valid) q.bind(11);
    else q.bind(11, c.reason);
    q.bind(12, c.cache_hit ? 1 : 0);
    if (c.valid) q.bind(13, objectives_json(c.objectives));
    else q.bind(13);
    q.exec();
    q.reset();
    for (std::size_t k = 0; k < c.objectives.size() && k < names_.size(); ++k) {
      auto& o = insert_objective_;
      o.bind(1, static_cast<std::int64_t>(run_id_));
      o.bind(2, names_[k]);
      o.bind(3, c.objectives[k]);
      o.bind(4, static_cast<std::int64_t>(c.id));
      o.exec();
      o.reset();
    }
  }
  for (std::int64_t id : gone) {  // programs written by earlier batches
    drop_kept_.bind(1, id);
    drop_kept_.exec();
    drop_kept_.reset();
  }
  for (const auto& [h, r] : batch.new_cache_entries) {
    auto& q = insert_cache_;
    const auto key = h.bytes();
    q.bind(1, static_cast<std::int64_t>(config_id_));
    q.bind(2, key.data(), static_cast<int>(key.size()));
    q.bind(3, r.valid ? 1 : 0);
    if (r.valid) q.bind(4);
    else q.bind(4, r.reason);
    q.bind(5, r.objectives.data(), static_cast<int>(r.objectives.size() * sizeof(double)));
    q.bind(6, r.eval_seconds);
    q.exec();
    q.reset();
  }
  for (const auto& [h, n] : batch.cache_hits) {
    auto& q = add_hits_;
    q.bind(1, static_cast<std::int64_t>(n));
    const auto key = h.bytes();
    q.bind(2, static_cast<std::int64_t>(config_id_));
    q.bind(3, key.data(), static_cast<int>(key.size()));
    q.exec();
    q.reset();
  }
  const std::string state = encode_state(batch.state);
  save_checkpoint_.bind(1, static_cast<std::int64_t>(run_id_));
  save_checkpoint_.bind(2, static_cast<std::int64_t>(batch.state.births));
  save_checkpoint_.bind(3, state.data(), static_cast<int>(state.size()));
  save_checkpoint_.bind(4, now_utc());
  save_checkpoint_.exec();
  save_checkpoint_.reset();

  const RunStats& st = batch.state.stats;
  update_run_.bind(1, static_cast<std::int64_t>(st.evaluations));
  if (st.best_candidate) {
    update_run_.bind(2, static_cast<std::int64_t>(st.best_candidate));
    update_run_.bind(3, st.best_objectives.empty() ? 0.0 : st.best_objectives[0]);
  } else {
    update_run_.bind(2);
    update_run_.bind(3);
  }
  update_run_.bind(4, stats_json(st).dump());
  update_run_.bind(5, now_utc());
  update_run_.bind(6, static_cast<std::int64_t>(run_id_));
  update_run_.exec();
  update_run_.reset();

  auto& p = insert_progress_;
  p.bind(1, static_cast<std::int64_t>(run_id_));
  p.bind(2, static_cast<std::int64_t>(batch.state.births));
  p.bind(3, session_);
  p.bind(4, std::chrono::duration<double>(std::chrono::steady_clock::now() - session_start_).count());
  p.bind(5, static_cast<std::int64_t>(st.evaluations));
  p.bind(6, static_cast<std::int64_t>(st.evaluated));
  p.bind(7, static_cast<std::int64_t>(st.cache_hits));
  p.bind(8, static_cast<std::int64_t>(st.invalid));
  p.bind(9, st.eval_seconds);
  if (st.best_candidate && !st.best_objectives.empty() && std::isfinite(st.best_objectives[0]))
    p.bind(10, st.best_objectives[0]);
  else
    p.bind(10);
  p.bind(11, static_cast<std::int64_t>(batch.population));
  p.bind(12, static_cast<std::int64_t>(batch.distinct_functions));
  p.bind(13, now_utc());
  p.exec();
  p.reset();
  tx.commit();
}

}  // namespace evo
