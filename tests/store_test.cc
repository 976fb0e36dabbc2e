#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>

#include <SQLiteCpp/SQLiteCpp.h>
#include <xxhash.h>

#include "evaluators/registry.h"
#include "search/errors.h"
#include "search/program_text.h"
#include "search/async_sink.h"
#include "store/checkpoint.h"
#include "store/database.h"
#include "store/queries.h"
#include "store/runs.h"
#include "store/writer.h"
#include "tests/e2e_support.h"

namespace evo {

TEST(Store, BatchRoundTrip) {
  test::ScratchDir dir;
  const std::string path = dir.file("t.db");
  auto db = open_database(path, OpenMode::create);
  auto domain = make_domain("funcapprox", {});
  RunInfo run;
  run.name = "t";
  run.domain = "funcapprox";
  run.objectives = nlohmann::json::array({{{"name", "error"}, {"minimize", true}}, {{"name", "cost"}, {"minimize", true}}});
  run.fingerprint = domain->fingerprint();
  run.seed = 3;
  run.budget = 10;
  const auto run_id = create_run(*db, run);

  BatchRecord b;
  for (int i = 0; i < 3; ++i) {
    CandidateRecord c;
    c.id = i + 1;
    c.birth = i;
    c.parent = i ? 1 : 0;
    c.mutation = i ? MutationKind::insert : MutationKind::none;
    c.program = parse_program("input x\nr1 = mul(x, " + std::to_string(i + 1) + ")\noutput y = r1\n", domain->signature());
    c.ops = 1;
    c.functional_hash = Hash128{static_cast<std::uint64_t>(i), 7};
    c.valid = i != 2;
    c.reason = c.valid ? "" : "non-finite output";
    if (c.valid) c.objectives = {0.5 / (i + 1), 1.0};
    b.candidates.push_back(c);
  }
  CachedResult cr;
  cr.objectives = {0.25};
  cr.eval_seconds = 1e-6;
  b.new_cache_entries.emplace_back(Hash128{1, 7}, cr);
  b.cache_hits.emplace_back(Hash128{1, 7}, 4);
  b.state.births = 3;
  b.state.next_id = 4;
  b.state.population = {1, 2, 3};
  b.state.stats.evaluations = 3;
  b.state.stats.best_candidate = 2;
  b.state.stats.best_objectives = {0.25, 1.0};
  StoreWriter writer(*db, run_id, run.fingerprint, {"error", "cost"});
  writer.commit(b);

  const auto rows = run_candidates(*db, run_id);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[1].program, to_text(b.candidates[1].program));
  EXPECT_EQ(rows[1].parent, 1);
  EXPECT_FALSE(rows[0].parent.has_value());
  EXPECT_EQ(rows[1].objectives.size(), 2u);
  EXPECT_EQ(rows[1].objectives[0].first, "error");
  EXPECT_EQ(rows[1].objectives[0].second, 0.25);
  EXPECT_FALSE(rows[2].valid);
  EXPECT_EQ(rows[2].invalid_reason, "non-finite output");

  const auto best = best_candidates(*db, run_id, "error", true, 5);
  ASSERT_EQ(best.size(), 2u);  // invalid candidates have no objectives
  EXPECT_EQ(best[0].id, 2);

  FecCache cache;
  EXPECT_EQ(load_cache(*db, run.fingerprint, cache), 1u);
  auto hit = cache.find(Hash128{1, 7});
  ASSERT_TRUE(hit.has_value());
  EXPECT_EQ(hit->objectives, std::vector<double>{0.25});
  EXPECT_EQ(hit->hits, 4u);
  EXPECT_EQ(load_cache(*db, "another configuration", cache), 0u);

  auto state = load_checkpoint(*db, run_id);
  ASSERT_TRUE(state.has_value());
  EXPECT_EQ(state->births, 3u);
  EXPECT_EQ(state->population, (std::vector<std::int64_t>{1, 2, 3}));
  EXPECT_EQ(state->stats.best_objectives, (std::vector<double>{0.25, 1.0}));
  const auto members = load_members(*db, state->population, domain->signature(), {"error", "cost"});
  ASSERT_EQ(members.size(), 3u);
  EXPECT_EQ(members[1].program, b.candidates[1].program);
  EXPECT_EQ(rows[0].program, to_text(b.candidates[0].program));
  EXPECT_EQ(members[1].objectives, b.candidates[1].objectives);

  auto info = get_run(*db, run_id);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->evaluations, 3);
  EXPECT_EQ(info->best_candidate, 2);
  EXPECT_EQ(next_candidate_id(*db), 4);
}

// The store keeps every cache entry with its insertion order; load_cache hands a bounded
// cache the newest entries, oldest first, which is what the cache of an uninterrupted run
// holds. An entry inserted again (the bounded cache had let it go) becomes the newest.
TEST(Store, BoundedCacheLoadsTheNewestEntriesInInsertionOrder) {
  test::ScratchDir dir;
  auto db = open_database(dir.file("c.db"), OpenMode::create);
  auto domain = make_domain("funcapprox", {});
  RunInfo run;
  run.name = "c";
  run.domain = "funcapprox";
  run.objectives = nlohmann::json::array({{{"name", "error"}, {"minimize", true}}});
  run.fingerprint = domain->fingerprint();
  const auto run_id = create_run(*db, run);
  StoreWriter writer(*db, run_id, run.fingerprint, {"error"});
  auto commit = [&](std::vector<std::uint64_t> keys, std::int64_t births) {
    BatchRecord b;
    for (auto k : keys) {
      CachedResult r;
      r.objectives = {static_cast<double>(k) + births};
      b.new_cache_entries.emplace_back(Hash128{k, 0}, r);
    }
    b.state.births = static_cast<std::uint64_t>(births);
    writer.commit(b);
  };
  commit({5, 1, 9}, 0);
  commit({3, 7}, 1);
  commit({1}, 2);  // again: now the newest, with its new result

  FecCache all;
  EXPECT_EQ(load_cache(*db, run.fingerprint, all), 5u);
  FecCache last3(3);
  EXPECT_EQ(load_cache(*db, run.fingerprint, last3), 3u);
  EXPECT_TRUE(last3.find(Hash128{3, 0}).has_value());
  EXPECT_TRUE(last3.find(Hash128{7, 0}).has_value());
  ASSERT_TRUE(last3.find(Hash128{1, 0}).has_value());
  EXPECT_EQ(last3.find(Hash128{1, 0})->objectives, std::vector<double>{3.0});
  // Loaded oldest first: the next insertion pushes out 3, the oldest of the three.
  last3.insert(Hash128{42, 0}, CachedResult{});
  EXPECT_FALSE(last3.find(Hash128{3, 0}).has_value());
  EXPECT_TRUE(last3.find(Hash128{7, 0}).has_value());
}

// A schema-1 database (before the cache kept its insertion order) is read as it is and
// upgraded, with its cache entries kept, when opened for writing.
TEST(Store, SchemaOneDatabasesAreUpgradedForWriting) {
  test::ScratchDir dir;
  const std::string path = dir.file("old.db");
  {
    auto db = open_database(path, OpenMode::create);
    db->exec("INSERT INTO configs(id, fingerprint) VALUES (1, 'f')");
    db->exec("INSERT INTO fec_cache(config_id, functional_hash, valid, eval_seconds) VALUES (1, x'00112233445566778899aabbccddeeff', 1, 0)");
    db->exec("DROP TABLE kept_programs");
    db->exec("DROP INDEX fec_cache_by_seq");
    db->exec("ALTER TABLE fec_cache DROP COLUMN seq");
    db->exec("UPDATE schema_version SET version = 1");
  }
  auto version = [](SQLite::Database& db) { return db.execAndGet("SELECT version FROM schema_version").getInt(); };
  {
    auto reader = open_database(path, OpenMode::read_only);
    EXPECT_EQ(version(*reader), 1);
  }
  auto writer = open_database(path, OpenMode::read_write);
  EXPECT_EQ(version(*writer), 2);
  EXPECT_TRUE(writer->tableExists("kept_programs"));
  FecCache cache(10);
  EXPECT_EQ(load_cache(*writer, "f", cache), 1u);
}

TEST(Store, CheckpointEncodingRoundTripsAndRejectsGarbage) {
  EngineState s;
  s.births = 12345;
  s.next_id = 99;
  s.population = {5, 6, 7};
  s.stats.cache_hits = 17;
  s.stats.best_objectives = {1e-9, 8};
  const EngineState t = decode_state(encode_state(s));
  EXPECT_EQ(t.births, s.births);
  EXPECT_EQ(t.next_id, s.next_id);
  EXPECT_EQ(t.population, s.population);
  EXPECT_EQ(t.stats.cache_hits, 17u);
  EXPECT_EQ(t.stats.best_objectives, s.stats.best_objectives);
  EXPECT_THROW(decode_state("not a checkpoint"), InputError);
  std::string truncated = encode_state(s);
  truncated.resize(truncated.size() / 2);
  EXPECT_THROW(decode_state(truncated), InputError);
}

// A checkpoint whose checksum is right but whose list length is absurd (a bug, or a
// hand-made file) is refused before anything that size is allocated.
TEST(Store, CheckpointWithAnAbsurdListLengthIsRefused) {
  EngineState s;
  s.population = {11, 22, 33};
  std::string bytes = encode_state(s);
  // The population is stored as its count (8 bytes) and then its elements.
  std::string pattern(8, '\0');
  pattern[0] = 3;
  for (std::int64_t v : s.population) pattern.append(reinterpret_cast<const char*>(&v), 8);
  const auto at = bytes.find(pattern);
  ASSERT_NE(at, std::string::npos);
  const std::uint64_t huge = std::uint64_t{1} << 40;
  bytes.replace(at, 8, reinterpret_cast<const char*>(&huge), 8);
  const std::uint64_t sum = XXH3_64bits(bytes.data() + 16, bytes.size() - 16);
  bytes.replace(8, 8, reinterpret_cast<const char*>(&sum), 8);
  try {
    decode_state(bytes);
    FAIL() << "decoded a checkpoint with a population of 2^40";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("entries"), std::string::npos) << e.what();
  }
}

TEST(Store, RefusesFilesThatAreNotEvoDatabasesWithoutTouchingThem) {
  test::ScratchDir dir;
  const std::string text = dir.file("notes.txt");
  test::write_file(text, "hello, this is not a database\n");
  const std::string before = test::file_digest(text);
  EXPECT_THROW(open_database(text, OpenMode::create), InputError);
  EXPECT_THROW(open_database(text, OpenMode::read_only), InputError);
  EXPECT_EQ(test::file_digest(text), before);

  const std::string other = dir.file("other.db");
  {
    SQLite::Database db(other, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db.exec("CREATE TABLE foo(x)");
  }
  const std::string other_before = test::file_digest(other);
  EXPECT_THROW(open_database(other, OpenMode::create), InputError);
  EXPECT_EQ(test::file_digest(other), other_before);

  const std::string newer = dir.file("newer.db");
  open_database(newer, OpenMode::create).reset();
  {
    SQLite::Database db(newer, SQLite::OPEN_READWRITE);
    db.exec("UPDATE schema_version SET version = 999");
  }
  const std::string newer_before = test::file_digest(newer);
  try {
    open_database(newer, OpenMode::read_only);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("newer"), std::string::npos);
  }
  EXPECT_EQ(test::file_digest(newer), newer_before);

  EXPECT_THROW(open_database(dir.file("missing.db"), OpenMode::read_only), InputError);
  EXPECT_FALSE(test::file_exists(dir.file("missing.db")));
  EXPECT_THROW(open_database("/nonexistent_dir/x.db", OpenMode::create), InputError);
  for (const auto& [path, said] : {std::pair{dir.path(), "is a directory"}, std::pair{std::string("/dev/null"), "not a regular file"}}) {
    try {
      open_database(path, OpenMode::create);
      ADD_FAILURE() << path << " is not a database file";
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find(said), std::string::npos) << e.what();
    }
  }
}

// A new database whose creation was cut short (a kill between turning it to WAL and making
// the tables) holds no tables: it is as good as an empty file, so a run may be made in it,
// and a reader says there is no evo database rather than a damaged one.
TEST(Store, AnSQLiteFileWithNoTablesIsTakenAsEmpty) {
  test::ScratchDir dir;
  const std::string path = dir.file("cut.db");
  {
    SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db.exec("PRAGMA journal_mode = WAL");
  }
  try {
    open_database(path, OpenMode::read_only);
    FAIL() << "no tables: nothing to read";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("no evo database"), std::string::npos) << e.what();
  }
  auto db = open_database(path, OpenMode::create);
  SQLite::Statement q(*db, "SELECT version FROM schema_version");
  ASSERT_TRUE(q.executeStep());
}

// A process killed in the middle of a transaction in rollback-journal mode (a new database
// before it turns to WAL) leaves a hot journal. A reader changes nothing and says so; the
// next open that will write rolls it back, as SQLite does for any connection that may
// write, instead of failing to read the file.
TEST(Store, AHotJournalIsRolledBack) {
  test::ScratchDir dir;
  const std::string live = dir.file("live.db"), path = dir.file("hot.db");
  {
    // A transaction larger than a tiny page cache spills to the file before it commits;
    // the journal then holds the file's old state. A copy of both files taken now is what
    // a kill at this moment leaves: a hot journal that no process holds a lock on.
    SQLite::Database db(live, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db.exec("PRAGMA cache_size = 1");
    db.exec("BEGIN");
    db.exec("CREATE TABLE filler(x)");
    for (int i = 0; i < 200; ++i) db.exec("INSERT INTO filler VALUES (randomblob(4000))");
    ASSERT_TRUE(test::file_exists(live + "-journal")) << "no journal: nothing is tested";
    test::write_file(path, test::read_file(live));
    test::write_file(path + "-journal", test::read_file(live + "-journal"));
  }
  const std::string before = test::file_digest(path), journal = test::file_digest(path + "-journal");
  try {
    open_database(path, OpenMode::read_only);
    FAIL() << "a reader cannot roll the journal back";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("cut short"), std::string::npos) << e.what();
  }
  EXPECT_EQ(test::file_digest(path), before);
  EXPECT_EQ(test::file_digest(path + "-journal"), journal);
  auto db = open_database(path, OpenMode::create);  // rolled back to empty, then made an evo database
  SQLite::Statement q(*db, "SELECT count(*) FROM sqlite_master WHERE name = 'filler'");
  ASSERT_TRUE(q.executeStep());
  EXPECT_EQ(q.getColumn(0).getInt(), 0);
}

// A run's log is checkpointed and restarted before it holds much more than 64 MiB: 110
// transactions of 1 MiB each leave it far below their sum.
TEST(Store, TheWriteAheadLogStaysBounded) {
  test::ScratchDir dir;
  const std::string path = dir.file("log.db");
  auto db = open_database(path, OpenMode::create);
  db->exec("CREATE TABLE filler(x)");
  for (int i = 0; i < 110; ++i) db->exec("INSERT INTO filler VALUES (randomblob(1048576))");
  SQLite::Statement q(*db, "SELECT sum(length(x)) FROM filler");
  ASSERT_TRUE(q.executeStep());
  ASSERT_EQ(q.getColumn(0).getInt64(), 110LL << 20);
  EXPECT_LT(std::filesystem::file_size(path + "-wal"), 80u << 20);
}

// A query on a database no run is writing leaves the directory as it found it: no -wal or
// -shm file stays behind, and the file's bytes are the same.
TEST(Store, AReaderLeavesNothingBesideAQuietDatabase) {
  test::ScratchDir dir;
  const std::string path = dir.file("quiet.db");
  open_database(path, OpenMode::create);
  ASSERT_FALSE(test::file_exists(path + "-wal"));
  const std::string before = test::file_digest(path);
  {
    auto db = open_database(path, OpenMode::read_only);
    SQLite::Statement q(*db, "SELECT count(*) FROM runs");
    ASSERT_TRUE(q.executeStep());
    EXPECT_THROW(db->exec("CREATE TABLE t(x)"), SQLite::Exception);  // a reader writes nothing
  }
  EXPECT_FALSE(test::file_exists(path + "-wal"));
  EXPECT_FALSE(test::file_exists(path + "-shm"));
  EXPECT_EQ(test::file_digest(path), before);
}

// A process killed while it checkpoints copies the log's pages into the file in page
// order: page 1, with the new page count in its header, lands before the pages that make
// the file that long. The log still holds every page, and the next open replays it; the
// file is not truncated and must not be called so.
TEST(Store, ACheckpointCutShortIsRecoveredFromTheLog) {
  test::ScratchDir dir;
  const std::string live = dir.file("live.db"), path = dir.file("cut.db");
  open_database(live, OpenMode::create);
  {
    SQLite::Database db(live, SQLite::OPEN_READWRITE);
    db.exec("PRAGMA wal_autocheckpoint = 0");
    db.exec("CREATE TABLE filler(x)");
    for (int i = 0; i < 40; ++i) db.exec("INSERT INTO filler VALUES (randomblob(4000))");
    const std::string before = test::read_file(live);
    db.exec("PRAGMA wal_checkpoint(PASSIVE)");  // copies, and leaves the log as it is
    // What a kill just after the checkpoint wrote page 1 leaves (copies taken while the
    // connection is open): the log, and the old file with the new first page, which
    // says the file is longer than it is.
    const std::string after = test::read_file(live);
    ASSERT_GT(after.size(), before.size()) << "the checkpoint did not grow the file: nothing is tested";
    test::write_file(path, after.substr(0, 65536) + before.substr(65536));
    test::write_file(path + "-wal", test::read_file(live + "-wal"));
  }
  // Through a symbolic link from another directory too: SQLite keeps the log beside the
  // file the link names, and that is where evo looks for it.
  std::filesystem::create_directory(dir.file("elsewhere"));
  const std::string link = dir.file("elsewhere/link.db");
  std::filesystem::create_symlink(path, link);
  for (const std::string& name : {link, path})
    for (const OpenMode mode : {OpenMode::read_only, OpenMode::read_write}) {
      auto db = open_database(name, mode);
      SQLite::Statement q(*db, "SELECT count(*) FROM filler");
      ASSERT_TRUE(q.executeStep()) << name;
      EXPECT_EQ(q.getColumn(0).getInt(), 40) << name;
    }
}

}  // namespace evo

namespace evo {

TEST(Store, UnmeasuredObjectivesRoundTripAsInfinityAndOnlySteeringOnesMakeTheFront) {
  test::ScratchDir dir;
  auto db = open_database(dir.file("t.db"), OpenMode::create);
  auto domain = make_domain("funcapprox", {});
  RunInfo run;
  run.name = "t";
  run.domain = "funcapprox";
  run.objectives = nlohmann::json::array({{{"name", "error"}, {"minimize", true}},
                                          {{"name", "time"}, {"minimize", true}},
                                          {{"name", "cost"}, {"minimize", true}, {"steers", false}}});
  run.fingerprint = domain->fingerprint();
  run.budget = 3;
  const auto run_id = create_run(*db, run);
  const double inf = std::numeric_limits<double>::infinity();
  const std::vector<std::vector<double>> objectives = {{0.1, inf, 0}, {1e-3, 2.0, 9}, {1e-2, 1.0, 1}};
  BatchRecord b;
  for (int i = 0; i < 3; ++i) {
    CandidateRecord c;
    c.id = i + 1;
    c.birth = i;
    c.program = parse_program("input x\nr1 = mul(x, " + std::to_string(i + 1) + ")\noutput y = r1\n", domain->signature());
    c.functional_hash = Hash128{static_cast<std::uint64_t>(i), 9};
    c.objectives = objectives[i];
    b.candidates.push_back(c);
  }
  b.state.births = 3;
  b.state.next_id = 4;
  b.state.population = {1, 2, 3};
  StoreWriter(*db, run_id, run.fingerprint, {"error", "time", "cost"}).commit(b);

  const auto members = load_members(*db, {1, 2, 3}, domain->signature(), {"error", "time", "cost"});
  ASSERT_EQ(members.size(), 3u);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(members[i].objectives, objectives[i]) << "candidate " << i + 1;
  // Candidate 1 is cheapest in cost, which does not steer; on error and time candidate 3
  // dominates it.
  std::vector<std::int64_t> front;
  for (const auto& r : pareto_front(*db, run_id)) front.push_back(r.id);
  EXPECT_EQ(front, (std::vector<std::int64_t>{2, 3}));
}

}  // namespace evo

// Batches the writer takes together commit as one: their candidates in order, the newest
// state, and the population figures after the newest batch (the progress row).
TEST(Store, MergedBatchesKeepTheNewestStateAndPopulation) {
  evo::BatchRecord a, b;
  a.candidates.resize(2);
  a.candidates[0].id = 1;
  a.candidates[1].id = 2;
  a.state.births = 2;
  a.population = 10;
  a.distinct_functions = 7;
  b.candidates.resize(1);
  b.candidates[0].id = 3;
  b.state.births = 3;
  b.population = 11;
  b.distinct_functions = 9;
  evo::merge_batches(a, std::move(b));
  ASSERT_EQ(a.candidates.size(), 3u);
  EXPECT_EQ(a.candidates[2].id, 3);
  EXPECT_EQ(a.state.births, 3u);
  EXPECT_EQ(a.population, 11u);
  EXPECT_EQ(a.distinct_functions, 9u);
}
