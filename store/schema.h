// The database schema, version kSchemaVersion (store/database.h). Documented for users
// who query it with sqlite3 in README.md.
#pragma once

namespace evo {

// What a writer runs on a database of schema 1 to bring it to schema 2: the FEC cache's
// insertion order, which bounds the in-memory cache (entries already there count as
// oldest), and the table of programs kept by runs with keep_programs.
inline constexpr const char* kSchema1To2Sql = R"SQL(
ALTER TABLE fec_cache ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;
CREATE INDEX fec_cache_by_seq ON fec_cache(config_id, seq);
CREATE TABLE kept_programs (candidate_id INTEGER PRIMARY KEY, program TEXT NOT NULL);
UPDATE schema_version SET version = 2;
)SQL";

inline constexpr const char* kSchemaSql = R"SQL(
CREATE TABLE schema_version (version INTEGER NOT NULL);
CREATE TABLE runs (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  domain TEXT NOT NULL,
  settings TEXT NOT NULL,        -- JSON: the domain's settings, defaults filled in
  engine TEXT NOT NULL,          -- JSON: engine settings (population, tournament, batch, ...)
  objectives TEXT NOT NULL,      -- JSON: [{"name":..., "minimize":...}], primary first
  fingerprint TEXT NOT NULL,     -- domain configuration the FEC cache is keyed by
  seed INTEGER NOT NULL,
  budget INTEGER NOT NULL,
  status TEXT NOT NULL,          -- running | done | stopped | interrupted | failed
  stop_reason TEXT,              -- budget | target | time_limit | interrupted | error
  evaluations INTEGER NOT NULL DEFAULT 0,
  best_candidate INTEGER,
  best_value REAL,
  stats TEXT,                    -- JSON: cache hits, evaluated, time saved, ...
  pid INTEGER,                   -- process writing the run while status = running
  host TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE TABLE candidates (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL,
  birth INTEGER NOT NULL,        -- order of creation within the run, from 0
  parent_id INTEGER,             -- NULL for the start population
  mutation TEXT NOT NULL,
  program TEXT NOT NULL,         -- program text (canonical form)
  ops INTEGER NOT NULL,          -- ops that depend on the inputs
  structural_hash TEXT NOT NULL,
  functional_hash TEXT NOT NULL,
  valid INTEGER NOT NULL,
  invalid_reason TEXT,
  cache_hit INTEGER NOT NULL,    -- objectives came from the FEC cache
  objectives TEXT                -- JSON {"name": value, ...}; NULL when invalid
);
CREATE UNIQUE INDEX candidates_by_birth ON candidates(run_id, birth);
-- One row per valid candidate and objective, stored in ranking order: the best
-- candidates of a run by an objective are the first rows of (run_id, name).
CREATE TABLE objectives (
  run_id INTEGER NOT NULL,
  name TEXT NOT NULL,
  value REAL NOT NULL,
  candidate_id INTEGER NOT NULL,
  PRIMARY KEY (run_id, name, value, candidate_id)
) WITHOUT ROWID;
CREATE TABLE configs (           -- domain configurations the FEC cache is keyed by
  id INTEGER PRIMARY KEY,
  fingerprint TEXT NOT NULL UNIQUE
);
CREATE TABLE fec_cache (
  config_id INTEGER NOT NULL,    -- configs.id
  functional_hash BLOB NOT NULL, -- 16 bytes; lower(hex(functional_hash)) = candidates.functional_hash
  valid INTEGER NOT NULL,
  invalid_reason TEXT,
  objectives BLOB,               -- the functional objectives as little-endian float64s
  eval_seconds REAL NOT NULL,
  hits INTEGER NOT NULL DEFAULT 0,
  seq INTEGER NOT NULL DEFAULT 0,  -- insertion order within the configuration (newest highest)
  PRIMARY KEY (config_id, functional_hash)
) WITHOUT ROWID;
CREATE INDEX fec_cache_by_seq ON fec_cache(config_id, seq);
CREATE TABLE kept_programs (     -- runs with keep_programs: the programs they keep (rows come
  candidate_id INTEGER PRIMARY KEY, -- and go; the candidate's own program column stays empty)
  program TEXT NOT NULL
);
CREATE TABLE checkpoints (
  run_id INTEGER PRIMARY KEY,
  births INTEGER NOT NULL,
  state BLOB NOT NULL,           -- Boost.serialization of the engine state
  written_at TEXT NOT NULL
);
)SQL";

// Added after the first databases were made; store/measurements.cc creates it in older ones.
inline constexpr const char* kMeasurementsSql = R"SQL(
CREATE TABLE IF NOT EXISTS measurements (  -- expensive checks of finished candidates (evo measure)
  candidate_id INTEGER NOT NULL,
  name TEXT NOT NULL,            -- e.g. ulp_exhaustive
  value REAL,                    -- NULL for an infinite or NaN value (see detail)
  detail TEXT NOT NULL,          -- JSON object
  measured_at TEXT NOT NULL,
  PRIMARY KEY (candidate_id, name)
) WITHOUT ROWID;
)SQL";

// Added after the first databases were made; a run's writer creates it in older ones.
inline constexpr const char* kProgressSql = R"SQL(
CREATE TABLE IF NOT EXISTS progress (  -- one row per committed batch (evo report plots it)
  run_id INTEGER NOT NULL,
  births INTEGER NOT NULL,       -- candidates of the run after the batch
  session INTEGER NOT NULL,      -- 1 for the first process that recorded progress, 2 for its next resume, ...
  seconds REAL NOT NULL,         -- wall-clock seconds since the session's writer started (search time)
  evaluations INTEGER NOT NULL,  -- the run's statistics after the batch (runs.stats)
  evaluated INTEGER NOT NULL,
  cache_hits INTEGER NOT NULL,
  invalid INTEGER NOT NULL,
  eval_seconds REAL NOT NULL,
  best_value REAL,               -- the primary objective's best so far; NULL before a valid one
  population INTEGER NOT NULL,   -- members after the batch, all islands
  distinct_functions INTEGER NOT NULL,  -- distinct functional hashes among them
  written_at TEXT NOT NULL,
  PRIMARY KEY (run_id, births)
) WITHOUT ROWID;
)SQL";

// Added after the first databases were made; `evo run` creates it in older ones.
inline constexpr const char* kRunConfigsSql = R"SQL(
CREATE TABLE IF NOT EXISTS run_configs (  -- the effective configuration of each run, as TOML
  run_id INTEGER PRIMARY KEY,    -- runs.id
  config TEXT NOT NULL           -- what evo run --print-config printed; evo resume reads it back
);
)SQL";

}  // namespace evo
