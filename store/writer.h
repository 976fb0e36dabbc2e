// The one writer of a run: each batch (candidates, objectives, new FEC entries, hit
// counts, checkpoint and the run's counters) is one transaction, so a crash at any
// instant loses at most the batch being written.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include "search/batch.h"

namespace evo {

// The id of a domain configuration in the configs table (added when new).
std::int64_t config_id(SQLite::Database& db, const std::string& fingerprint);

class StoreWriter final : public BatchSink {
 public:
  StoreWriter(SQLite::Database& db, std::int64_t run_id, std::string fingerprint,
              std::vector<std::string> objective_names);
  void commit(BatchRecord batch) override;

 private:
  std::string objectives_json(const std::vector<double>& values) const;
  SQLite::Database& db_;
  std::int64_t run_id_;
  std::int64_t config_id_;
  std::vector<std::string> names_;
  SQLite::Statement insert_candidate_, insert_objective_, insert_cache_, add_hits_, save_checkpoint_, update_run_;
};

}  // namespace evo
