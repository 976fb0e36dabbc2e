// Rows of the measurements table: expensive checks of finished candidates (Domain::measure).
// Databases made before the table existed get it on their first write of a measurement, and
// read as having none until then.
#pragma once

#include <cstdint>
#include <vector>

#include <SQLiteCpp/Database.h>

#include "search/domain.h"

namespace evo {

// Replaces the candidate's measurements of the same names, in one transaction.
void save_measurements(SQLite::Database& db, std::int64_t candidate_id, const std::vector<Measurement>& m);
// In name order; an infinite or NaN value reads back as infinity (its detail says which).
std::vector<Measurement> get_measurements(SQLite::Database& db, std::int64_t candidate_id);

}  // namespace evo
