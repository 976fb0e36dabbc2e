// Opening an evo database: checks that the file is one (and not from a newer evo) before
// anything is written, creates the schema in a new file, and sets the pragmas every
// connection needs (WAL, busy timeout).
#pragma once

#include <memory>
#include <string>

#include <SQLiteCpp/Database.h>

namespace evo {

inline constexpr int kSchemaVersion = 2;  // 2: fec_cache.seq

enum class OpenMode {
  read_only,   // an existing evo database, for queries
  read_write,  // an existing evo database, for resume
  create,      // an existing evo database, or a new one made at that path
};

// Throws InputError (nothing written) when the path is missing (read modes), not a SQLite
// file, not an evo database, from a newer schema, or cannot be created. A database of an
// older schema is read as it is and upgraded when opened for writing.
std::unique_ptr<SQLite::Database> open_database(const std::string& path, OpenMode mode);

}  // namespace evo
