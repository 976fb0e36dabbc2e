#include "store/measurements.h"

#include <cmath>
#include <limits>

#include <SQLiteCpp/SQLiteCpp.h>

#include "store/runs.h"
#include "store/schema.h"

namespace evo {
namespace {

bool has_table(SQLite::Database& db) {
  SQLite::Statement q(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'measurements'");
  return q.executeStep();
}

}  // namespace

void save_measurements(SQLite::Database& db, std::int64_t candidate_id, const std::vector<Measurement>& m) {
  SQLite::Transaction tx(db);
  db.exec(kMeasurementsSql);
  SQLite::Statement put(db, "INSERT OR REPLACE INTO measurements VALUES (?, ?, ?, ?, ?)");
  const std::string now = now_utc();
  for (const auto& x : m) {
    put.bind(1, candidate_id);
    put.bind(2, x.name);
    if (std::isfinite(x.value))
      put.bind(3, x.value);
    else
      put.bind(3);  // NULL: SQLite has no infinity literal that survives every client
    put.bind(4, x.detail);
    put.bind(5, now);
    put.exec();
    put.reset();
  }
  tx.commit();
}

std::vector<Measurement> get_measurements(SQLite::Database& db, std::int64_t candidate_id) {
  std::vector<Measurement> out;
  if (!has_table(db)) return out;
  SQLite::Statement q(db, "SELECT name, value, detail FROM measurements WHERE candidate_id = ? ORDER BY name");
  q.bind(1, candidate_id);
  while (q.executeStep()) {
    const double v = q.getColumn(1).isNull() ? std::numeric_limits<double>::infinity() : q.getColumn(1).getDouble();
    out.push_back({q.getColumn(0).getString(), v, q.getColumn(2).getString()});
  }
  return out;
}

}  // namespace evo
