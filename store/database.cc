#include "store/database.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <sqlite3.h>
#include <SQLiteCpp/SQLiteCpp.h>

#include "search/errors.h"
#include "store/schema.h"

namespace evo {
namespace {

bool file_size(const std::string& path, long long& size) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return false;
  size = st.st_size;
  return true;
}

// The file SQLite keeps its -wal, -shm and -journal files beside: the database's path with
// symbolic links resolved, as SQLite resolves them.
std::string resolved(const std::string& path) {
  std::error_code ec;
  const std::filesystem::path real = std::filesystem::weakly_canonical(path, ec);
  return ec ? path : real.string();
}

// Whether the database's file with this suffix ("-wal", "-shm", "-journal") exists.
bool beside_exists(const std::string& path, const char* suffix) {
  std::error_code ec;
  return std::filesystem::exists(resolved(path) + suffix, ec);
}

// Whether the database's -wal or -journal holds anything.
bool holds_anything(const std::string& path, const char* suffix) {
  long long size = 0;
  return file_size(resolved(path) + suffix, size) && size > 0;
}

// The directory SQLite writes the database's log and journal into.
std::string directory_of(const std::string& path) {
  const std::string dir = std::filesystem::path(resolved(path)).parent_path().string();
  return dir.empty() ? "." : dir;
}

void configure(SQLite::Database& db) { db.exec("PRAGMA busy_timeout = 10000"); }

// No run can be writing the database: we may not write its directory, and it has no
// write-ahead log with anything in it.
bool unwritable_and_quiet(const std::string& path) {
  return ::access(directory_of(path).c_str(), W_OK) != 0 && !holds_anything(path, "-wal");
}

// "file:" URI of a path, for SQLite's URI parameters.
std::string file_uri(const std::string& path) {
  std::string uri = "file:";
  for (unsigned char c : std::filesystem::absolute(path).string()) {
    if (std::isalnum(c) || c == '/' || c == '.' || c == '-' || c == '_' || c == '~') {
      uri += static_cast<char>(c);
    } else {
      char hex[4];
      std::snprintf(hex, sizeof hex, "%%%02X", c);
      uri += hex;
    }
  }
  return uri;
}

// A connection that reads the file alone, takes no locks and makes nothing beside it.
std::unique_ptr<SQLite::Database> open_immutable(const std::string& path) {
  auto db = std::make_unique<SQLite::Database>(file_uri(path) + "?immutable=1", SQLite::OPEN_READONLY | SQLite::OPEN_URI);
  configure(*db);
  return db;
}

// A reading connection. A WAL database on a read-only disk (or in another user's
// directory) cannot be opened the usual way, since SQLite must create its -shm file next
// to it; when no run can be writing it, it is opened as immutable instead.
// `roll_back`: whether a hot journal may be rolled back first (for an evo that is about to
// write the file anyway; a reader changes nothing).
std::unique_ptr<SQLite::Database> open_for_reading(const std::string& path, bool roll_back = false) {
  // A quiet database (nothing beside it) that we may write is opened as a writer would, with
  // writes refused: a read-only connection leaves the -wal and -shm files it had to create
  // behind it, where the last connection that can write removes them when it closes. Its
  // own log stays empty; if a run opens, commits and closes while it reads, the reader is
  // the last connection and copies that run's log into the file, committed data only, as
  // the run's next open would.
  const bool quiet = !beside_exists(path, "-wal") && !beside_exists(path, "-shm") && !beside_exists(path, "-journal");
  if (quiet && ::access(path.c_str(), W_OK) == 0 && ::access(directory_of(path).c_str(), W_OK) == 0) {
    try {
      auto db = std::make_unique<SQLite::Database>(path, SQLite::OPEN_READWRITE);
      configure(*db);
      db->exec("PRAGMA query_only = 1");
      SQLite::Statement probe(*db, "SELECT count(*) FROM sqlite_master");
      probe.executeStep();
      return db;
    } catch (const SQLite::Exception&) {
      // As a reader would fail, with the reasons below.
    }
  }
  // A quiet database we may not write (another user's): a read-only connection would leave
  // -wal and -shm files owned by us beside it, which its owner's next run cannot write, and
  // that run would fail. No connection has it open, so it is read as immutable.
  if (quiet && ::access(path.c_str(), W_OK) != 0) return open_immutable(path);
  auto db = std::make_unique<SQLite::Database>(path, SQLite::OPEN_READONLY);
  configure(*db);
  try {
    SQLite::Statement probe(*db, "SELECT count(*) FROM sqlite_master");
    probe.executeStep();
    return db;
  } catch (const SQLite::Exception& e) {
    // A hot journal: a process died in the middle of a transaction in rollback mode (a new
    // database, before it turns to WAL). A reading connection cannot roll it back; one
    // writing connection does, as SQLite does on any open that may write, and then the
    // file reads as it was before that transaction.
    if (e.getExtendedErrorCode() == SQLITE_READONLY_ROLLBACK) {
      if (!roll_back || ::access(path.c_str(), W_OK) != 0)
        throw InputError(path + " holds a transaction a crash cut short; evo run or evo resume on it rolls it back");
      db.reset();
      SQLite::Database rw(path, SQLite::OPEN_READWRITE);
      configure(rw);
      rw.exec("SELECT count(*) FROM sqlite_master");
      return open_for_reading(path);
    }
    if ((e.getErrorCode() & 0xff) != SQLITE_READONLY || !unwritable_and_quiet(path)) throw;
  }
  return open_immutable(path);
}

int table_count(SQLite::Database& db) {
  SQLite::Statement q(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table'");
  return q.executeStep() ? q.getColumn(0).getInt() : 0;
}

// Throws InputError unless `path` holds an evo database this evo can read, or an SQLite file
// with no tables at all (a new database whose creation was cut short), for which it returns
// false: such a file is as good as an empty one.
bool check_existing(const std::string& path, bool roll_back) {
  try {
    const auto handle = open_for_reading(path, roll_back);
    SQLite::Database& db = *handle;
    if (table_count(db) == 0) return false;
    int version = 0;
    try {
      SQLite::Statement q(db, "SELECT version FROM schema_version");
      if (!q.executeStep()) throw InputError(path + " is not an evo database (empty schema_version)");
      version = q.getColumn(0).getInt();
    } catch (const SQLite::Exception& e) {
      if (e.getErrorCode() == SQLITE_NOTADB) throw InputError(path + " is not an SQLite database");
      if (e.getErrorCode() == SQLITE_BUSY || e.getErrorCode() == SQLITE_LOCKED) throw;
      if ((e.getErrorCode() & 0xff) == SQLITE_CORRUPT) throw InputError(path + " is damaged: " + e.what());
      throw InputError(path + " is not an evo database");
    }
    if (version > kSchemaVersion)
      throw InputError(path + " was written by a newer evo (schema " + std::to_string(version) +
                       "; this evo reads up to " + std::to_string(kSchemaVersion) + ")");
    SQLite::Statement tables(db,
                             "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN "
                             "('runs', 'candidates', 'objectives', 'configs', 'fec_cache', 'checkpoints')");
    if (!tables.executeStep() || tables.getColumn(0).getInt() != 6)
      throw InputError(path + " is not an evo database (tables missing)");
    return true;
  } catch (const SQLite::Exception& e) {
    if (e.getErrorCode() == SQLITE_NOTADB) throw InputError(path + " is not an SQLite database");
    if ((e.getErrorCode() & 0xff) == SQLITE_CORRUPT) throw InputError(path + " is damaged: " + e.what());
    throw InputError("cannot open " + path + ": " + e.what());
  }
}

// Throws InputError when the file is an SQLite database cut short: its header's page
// count (trusted when the two change counters agree, as SQLite trusts it) says it is
// longer than it is. The size is taken after the header, from the same handle, so a
// checkpoint that grows the file meanwhile does not make it look short.
void check_not_truncated(const std::string& path) {
  unsigned char h[100];
  std::ifstream f(path, std::ios::binary);
  if (!f.read(reinterpret_cast<char*>(h), sizeof h)) return;
  f.seekg(0, std::ios::end);
  const long long size = static_cast<long long>(f.tellg());
  if (std::memcmp(h, "SQLite format 3", 16) != 0) return;
  auto be32 = [&](int at) {
    return static_cast<long long>(h[at]) << 24 | static_cast<long long>(h[at + 1]) << 16 |
           static_cast<long long>(h[at + 2]) << 8 | static_cast<long long>(h[at + 3]);
  };
  long long page = static_cast<long long>(h[16]) << 8 | h[17];
  if (page == 1) page = 65536;
  if (be32(24) != be32(92)) return;
  const long long expected = be32(28) * page;
  if (size < expected)
    throw InputError(path + " is damaged: truncated (" + std::to_string(size) + " of " + std::to_string(expected) +
                     " bytes)");
}

// A writer checks the file's structure before it adds to it (`PRAGMA quick_check`: every
// page and record well formed), so a damaged database is refused rather than written to.
void check_intact(SQLite::Database& db, const std::string& path) {
  try {
    SQLite::Statement q(db, "PRAGMA quick_check(1)");
    if (q.executeStep()) {
      std::string result = q.getColumn(0).getString();
      if (result != "ok") {
        // One line: "*** in database main ***\nPage 9: ..." -> "Page 9: ...".
        if (const auto nl = result.rfind('\n'); nl != std::string::npos) result = result.substr(nl + 1);
        throw InputError(path + " is damaged: " + result);
      }
    }
  } catch (const SQLite::Exception& e) {
    throw InputError(path + " is damaged: " + e.what());
  }
}

int schema_version(SQLite::Database& db) {
  SQLite::Statement q(db, "SELECT version FROM schema_version");
  return q.executeStep() ? q.getColumn(0).getInt() : 0;
}

void upgrade_schema(SQLite::Database& db) {
  if (schema_version(db) >= kSchemaVersion) return;
  SQLite::Transaction tx(db);
  if (schema_version(db) == 1) db.exec(kSchema1To2Sql);
  tx.commit();
}

}  // namespace

std::unique_ptr<SQLite::Database> open_database(const std::string& path, OpenMode mode) {
  long long size = 0;
  const bool exists = file_size(path, size);
  if (exists) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) throw InputError(path + " is a directory, not a database file");
    if (!std::filesystem::is_regular_file(path, ec)) throw InputError(path + " is not a regular file");
  }
  bool fresh = !(exists && size > 0);
  if (!fresh) {
    // With a journal or a log beside it the header may describe a transaction or a
    // checkpoint cut short (page 1 written before the pages that make the file that
    // long); SQLite reads the missing pages from the log, or rolls the journal back.
    auto quiet = [&] { return !holds_anything(path, "-journal") && !holds_anything(path, "-wal"); };
    if (quiet()) {
      try {
        check_not_truncated(path);
      } catch (const InputError&) {
        if (quiet()) throw;  // else a run began a checkpoint after the first look
      }
    }
    fresh = !check_existing(path, mode != OpenMode::read_only);
  }
  if (fresh && mode != OpenMode::create) throw InputError("no evo database at " + path);
  try {
    if (mode == OpenMode::read_only) return open_for_reading(path);
    if (!fresh && ::access(path.c_str(), W_OK) != 0) throw InputError("cannot write " + path + " (read-only)");
    if (::access(directory_of(path).c_str(), W_OK) != 0) {
      const bool missing = errno == ENOENT;
      throw InputError("cannot write " + path + (missing ? ": its directory does not exist"
                                                         : ": its directory is not writable (a run keeps a log beside the file)"));
    }
    auto db = std::make_unique<SQLite::Database>(path, SQLite::OPEN_READWRITE | (mode == OpenMode::create ? SQLite::OPEN_CREATE : 0));
    configure(*db);
    if (sqlite3_db_readonly(db->getHandle(), "main") == 1) throw InputError("cannot write " + path + " (read-only)");
    if (fresh) {
      // Large pages: the writer appends long rows and inserts into two random-order
      // indexes (FEC cache, objective ranking); 64 KiB pages mean fewer splits and WAL
      // frames (end-to-end 50k -> 62k candidates/s in bench/RESULTS.md's search).
      db->exec("PRAGMA page_size = 65536");
      db->exec("PRAGMA journal_mode = WAL");
      // Another evo may be creating the same file: the first to take the write lock makes
      // the tables, and the other then checks them as it would any existing database.
      SQLite::Transaction tx(*db, SQLite::TransactionBehavior::IMMEDIATE);
      fresh = table_count(*db) == 0;
      if (fresh) {
        db->exec(kSchemaSql);
        db->exec(kMeasurementsSql);
        db->exec(kProgressSql);
        db->exec(kRunConfigsSql);
        db->exec("INSERT INTO schema_version(version) VALUES (" + std::to_string(kSchemaVersion) + ")");
      }
      tx.commit();
      if (!fresh) check_existing(path, false);
    }
    if (!fresh) {
      check_intact(*db, path);
      upgrade_schema(*db);
    }
    // WAL with synchronous=NORMAL: a process crash (kill -9) never loses a committed
    // transaction; only an OS crash or power loss can lose the last few.
    db->exec("PRAGMA synchronous = NORMAL");
    // Room for the indexes the writer touches.
    db->exec("PRAGMA cache_size = -131072");
    // A checkpoint once the log holds 64 MiB (the limit counts pages, and pages are 64 KiB),
    // and a log that grew past 128 MiB cut back to that after one. A batch rewrites whole
    // index pages, so the log grows many times faster than the file: at 8,192 pages it
    // reached about 540 MB beside a 29 MB database (bench/RESULTS.md).
    db->exec("PRAGMA wal_autocheckpoint = 1024");
    db->exec("PRAGMA journal_size_limit = 134217728");
    return db;
  } catch (const SQLite::Exception& e) {
    throw InputError("cannot " + std::string(mode == OpenMode::create && !exists ? "create" : "open") + " database " +
                     path + ": " + e.what());
  }
}

}  // namespace evo
