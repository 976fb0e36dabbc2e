// The one writer of a run: each batch (candidates, objectives, new FEC entries, hit
// counts, checkpoint and the run's counters) is one transaction, so a crash at any
// instant loses at most the batch being written.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include "search/batch.h"
#include "store/program_keeper.h"

namespace evo {

// The id of a domain configuration in the configs table (added when new).
std::int64_t config_id(SQLite::Database& db, const std::string& fingerprint);

class StoreWriter final : public BatchSink {
 public:
  // keep_programs > 0: only those programs are kept (store/program_keeper.h), in the
  // kept_programs table, where rows come and go; the candidates' own column stays empty.
  StoreWriter(SQLite::Database& db, std::int64_t run_id, std::string fingerprint,
              std::vector<std::string> objective_names, std::size_t keep_programs = 0);
  void commit(BatchRecord batch) override;

 private:
  std::string objectives_json(const std::vector<double>& values) const;
  SQLite::Database& db_;
  std::int64_t run_id_;
  std::int64_t config_id_;
  std::vector<std::string> names_;
  std::int64_t session_;  // this process's session of the run (progress table)
  std::chrono::steady_clock::time_point session_start_;
  std::unordered_set<std::int64_t> released(const BatchRecord& batch);
  SQLite::Statement insert_candidate_, insert_objective_, insert_cache_, add_hits_, save_checkpoint_, update_run_,
      insert_kept_, drop_kept_, insert_progress_;
  std::optional<ProgramKeeper> keeper_;
};

}  // namespace evo
