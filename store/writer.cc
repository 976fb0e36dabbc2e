#include "store/writer.h"

#include <SQLiteCpp/Transaction.h>

#include "search/program_text.h"
#include "store/checkpoint.h"
#include "store/runs.h"

namespace evo {

StoreWriter::StoreWriter(SQLite::Database& db, std::int64_t run_id, std::string fingerprint,
                         std::vector<std::string> objective_names)
    : db_(db),
      run_id_(run_id),
      fingerprint_(std::move(fingerprint)),
      names_(std::move(objective_names)),
      insert_candidate_(db,
                        "INSERT INTO candidates(id, run_id, birth, parent_id, mutation, program, ops, structural_hash, "
                        "functional_hash, valid, invalid_reason, cache_hit) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)"),
      insert_objective_(db, "INSERT INTO objectives(candidate_id, run_id, name, value) VALUES (?,?,?,?)"),
      insert_cache_(db,
                    "INSERT OR IGNORE INTO fec_cache(fingerprint, functional_hash, valid, invalid_reason, objectives, "
                    "eval_seconds, hits) VALUES (?,?,?,?,?,?,0)"),
      add_hits_(db, "UPDATE fec_cache SET hits = hits + ? WHERE fingerprint = ? AND functional_hash = ?"),
      save_checkpoint_(db, "INSERT OR REPLACE INTO checkpoints(run_id, births, state, written_at) VALUES (?,?,?,?)"),
      update_run_(db,
                  "UPDATE runs SET evaluations = ?, best_candidate = ?, best_value = ?, stats = ?, updated_at = ? "
                  "WHERE id = ?") {}

void StoreWriter::commit(BatchRecord batch) {
  SQLite::Transaction tx(db_);
  for (const CandidateRecord& c : batch.candidates) {
    auto& q = insert_candidate_;
    q.bind(1, static_cast<std::int64_t>(c.id));
    q.bind(2, static_cast<std::int64_t>(run_id_));
    q.bind(3, static_cast<std::int64_t>(c.birth));
    if (c.parent) q.bind(4, static_cast<std::int64_t>(c.parent));
    else q.bind(4);
    q.bind(5, std::string(mutation_name(c.mutation)));
    q.bind(6, to_text(c.program));
    q.bind(7, c.ops);
    q.bind(8, hex64(c.structural_hash));
    q.bind(9, c.functional_hash.hex());
    q.bind(10, c.valid ? 1 : 0);
    if (c.valid) q.bind(11);
    else q.bind(11, c.reason);
    q.bind(12, c.cache_hit ? 1 : 0);
    q.exec();
    q.reset();
    for (std::size_t k = 0; k < c.objectives.size() && k < names_.size(); ++k) {
      auto& o = insert_objective_;
      o.bind(1, static_cast<std::int64_t>(c.id));
      o.bind(2, static_cast<std::int64_t>(run_id_));
      o.bind(3, names_[k]);
      o.bind(4, c.objectives[k]);
      o.exec();
      o.reset();
    }
  }
  for (const auto& [h, r] : batch.new_cache_entries) {
    auto& q = insert_cache_;
    q.bind(1, fingerprint_);
    q.bind(2, h.hex());
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
    q.bind(2, fingerprint_);
    q.bind(3, h.hex());
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
  tx.commit();
}

}  // namespace evo
