#include "search/engine.h"

#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <set>

#include "evaluators/registry.h"
#include "search/errors.h"
#include "search/program_text.h"
#include "tests/engine_support.h"

namespace evo {
namespace {

std::unique_ptr<Domain> test_domain() {
  return make_domain("funcapprox", {{"target", "exp2"}, {"interval", "0:1"}, {"points", "128"}});
}

EngineConfig small_config(std::uint64_t budget) {
  EngineConfig cfg;
  cfg.seed = 11;
  cfg.budget = budget;
  cfg.population = 64;
  cfg.tournament = 5;
  cfg.batch = 32;
  return cfg;
}


}  // namespace

TEST(Engine, SameSeedSameCandidatesForAnyThreadCount) {
  auto d = test_domain();
  const auto one = run_engine(*d, small_config(3000), 1);
  const auto two = run_engine(*d, small_config(3000), 2);
  const auto four = run_engine(*d, small_config(3000), 4);
  ASSERT_EQ(one.size(), 3000u);
  EXPECT_EQ(fingerprint_of(one), fingerprint_of(two));
  EXPECT_EQ(fingerprint_of(one), fingerprint_of(four));
  EngineConfig other = small_config(3000);
  other.seed = 12;
  EXPECT_NE(fingerprint_of(one), fingerprint_of(run_engine(*d, other, 2)));
}

void expect_resume_equals_uninterrupted(bool nsga2, int islands = 1) {
  auto d = test_domain();
  auto small_config = [nsga2, islands](std::uint64_t budget) {
    EngineConfig cfg = evo::small_config(budget);
    cfg.nsga2 = nsga2;
    cfg.islands = islands;
    cfg.migrate_every = 2;
    return cfg;
  };
  const auto whole = run_engine(*d, small_config(2500), 2);

  // First part: stop after 1000 candidates.
  Workers workers(2);
  ThreadEvaluator eval(workers);
  FecCache cache;
  MemorySink first;
  Engine a(*d, small_config(1000), workers, eval, cache, first);
  a.start(1);
  a.run(nullptr, nullptr);

  // Second part: a new engine and a cache rebuilt from what was committed, as a resume does.
  FecCache warm;
  for (const auto& [h, r] : first.cache_entries) warm.insert(h, r);
  std::map<std::int64_t, const CandidateRecord*> by_id;
  for (const auto& c : first.candidates) by_id[c.id] = &c;
  auto members_of = [&](const std::vector<std::int64_t>& ids) {
    std::deque<Member> members;
    for (std::int64_t id : ids) {
      const CandidateRecord& c = *by_id.at(id);
      members.push_back(Member{c.id, c.birth, parse_program(c.text, d->signature()), c.functional_hash,
                               c.valid, c.objectives});
    }
    return members;
  };
  ASSERT_FALSE(first.last.pending.empty());  // 1000 is inside a batch of 32
  MemorySink second;
  Engine b(*d, small_config(2500), workers, eval, warm, second);
  b.restore(first.last, members_of(first.last.population), members_of(first.last.pending));
  b.run(nullptr, nullptr);

  std::vector<CandidateRecord> joined = first.candidates;
  joined.insert(joined.end(), second.candidates.begin(), second.candidates.end());
  const auto a_fp = fingerprint_of(joined), b_fp = fingerprint_of(whole);
  ASSERT_EQ(a_fp.size(), b_fp.size());
  for (std::size_t i = 0; i < a_fp.size(); ++i) ASSERT_EQ(a_fp[i], b_fp[i]) << "first difference at candidate " << i;
}

TEST(Engine, InterruptedAndRestoredRunEqualsUninterruptedRun) { expect_resume_equals_uninterrupted(false); }
TEST(Engine, InterruptedAndRestoredNsga2RunEqualsUninterruptedRun) { expect_resume_equals_uninterrupted(true); }
TEST(Engine, InterruptedAndRestoredIslandRunEqualsUninterruptedRun) { expect_resume_equals_uninterrupted(false, 3); }
TEST(Engine, InterruptedAndRestoredNsga2IslandRunEqualsUninterruptedRun) {
  expect_resume_equals_uninterrupted(true, 3);
}

// How many children have a parent from another island (child of birth b lives on island
// b mod islands).
std::size_t children_of_immigrants(const std::vector<CandidateRecord>& cs, int islands) {
  std::map<std::int64_t, std::int64_t> birth_of;
  for (const auto& c : cs) birth_of[c.id] = c.birth;
  std::size_t n = 0;
  for (const auto& c : cs)
    if (c.parent && birth_of.at(c.parent) % islands != c.birth % islands) ++n;
  return n;
}

TEST(Engine, IslandsBreedApartUntilMigrantsArriveAndAreDeterministic) {
  auto d = test_domain();
  EngineConfig apart = small_config(3000);
  apart.islands = 4;
  apart.migrate_every = 1000000;  // never
  const auto alone = run_engine(*d, apart, 2);
  ASSERT_EQ(alone.size(), 3000u);
  EXPECT_EQ(children_of_immigrants(alone, 4), 0u);

  EngineConfig ring = apart;
  ring.migrate_every = 2;
  const auto one = run_engine(*d, ring, 1);
  const auto three = run_engine(*d, ring, 3);
  EXPECT_EQ(fingerprint_of(one), fingerprint_of(three));
  EXPECT_GT(children_of_immigrants(one, 4), 0u);  // migrants' offspring
  EXPECT_NE(fingerprint_of(one), fingerprint_of(alone));
  EXPECT_NE(fingerprint_of(one), fingerprint_of(run_engine(*d, small_config(3000), 1)));

  // The checkpoint says which members live on which island.
  Workers workers(1);
  ThreadEvaluator eval(workers);
  FecCache cache;
  MemorySink sink;
  Engine e(*d, ring, workers, eval, cache, sink);
  e.start(1);
  e.run(nullptr, nullptr);
  ASSERT_EQ(sink.last.island_sizes.size(), 4u);
  for (auto n : sink.last.island_sizes) EXPECT_EQ(n, 16u);  // population 64 over 4 islands
  ASSERT_EQ(sink.last.population.size(), 64u);
  std::size_t at = 0;
  for (auto n : sink.last.island_sizes) {  // a migrant never joins an island twice
    std::set<std::int64_t> ids(sink.last.population.begin() + at, sink.last.population.begin() + at + n);
    EXPECT_EQ(ids.size(), n);
    at += n;
  }

  // A checkpoint whose island sizes do not add up is refused, however large they are.
  EngineState bad = sink.last;
  bad.island_sizes = {~std::uint64_t{0}, 1, 0, 0};
  std::deque<Member> members(64);
  Engine f(*d, ring, workers, eval, cache, sink);
  EXPECT_THROW(f.restore(bad, members, {}), InputError);
  bad.island_sizes = {16, 16, 16};  // three islands for a run of four
  EXPECT_THROW(f.restore(bad, members, {}), InputError);
}

TEST(Engine, IslandSettingsThatCannotWorkAreRefused) {
  EngineConfig cfg;
  auto settings = [](std::map<std::string, std::string> given) {
    return resolve_settings(engine_settings(), given, "the engine");
  };
  EXPECT_THROW(apply_engine_settings(settings({{"islands", "2"}, {"selection", "elitist"}}), cfg), InputError);
  EXPECT_THROW(apply_engine_settings(settings({{"islands", "6"}, {"population", "10"}}), cfg), InputError);
  EXPECT_THROW(apply_engine_settings(settings({{"islands", "0"}}), cfg), InputError);
  EXPECT_THROW(apply_engine_settings(settings({{"migrate_every", "0"}}), cfg), InputError);
  apply_engine_settings(settings({{"islands", "5"}, {"population", "10"}, {"migrate_every", "3"}}), cfg);
  EXPECT_EQ(cfg.islands, 5);
  EXPECT_EQ(cfg.migrate_every, 3);
}

TEST(Engine, Nsga2IsDeterministicAcrossThreadsAndKeepsAFront) {
  auto d = test_domain();
  EngineConfig cfg = small_config(3000);
  cfg.nsga2 = true;
  const auto one = run_engine(*d, cfg, 1);
  const auto two = run_engine(*d, cfg, 2);
  EXPECT_EQ(fingerprint_of(one), fingerprint_of(two));
  EXPECT_NE(fingerprint_of(one), fingerprint_of(run_engine(*d, small_config(3000), 1)));
  // Selection over (error, cost) keeps cheap programs alive beside accurate ones.
  std::map<double, double> best_error_at_cost;
  for (const auto& c : two)
    if (c.valid && c.birth > 2000) {
      auto [it, fresh] = best_error_at_cost.emplace(c.objectives[1], c.objectives[0]);
      if (!fresh) it->second = std::min(it->second, c.objectives[0]);
    }
  EXPECT_GE(best_error_at_cost.size(), 3u);
}

TEST(Engine, StopsOnBudgetTargetAndInterrupt) {
  auto d = test_domain();
  RunStats st;
  EXPECT_EQ(run_engine(*d, small_config(100), 1, &st).size(), 100u);  // budget not a multiple of the batch
  EXPECT_EQ(st.evaluations, 100u);

  Workers workers(1);
  ThreadEvaluator eval(workers);
  FecCache cache;
  MemorySink sink;
  EngineConfig cfg = small_config(1000000);
  cfg.stop_at = 0.2;  // y = x has error 0.5; anything decent reaches 0.2 quickly
  Engine e(*d, cfg, workers, eval, cache, sink);
  e.start(1);
  EXPECT_EQ(e.run(nullptr, nullptr), StopReason::target);
  EXPECT_LE(e.state().stats.best_objectives[0], 0.2);
  EXPECT_LT(e.state().births, 1000000u);

  MemorySink sink2;
  int calls = 0;
  Engine f(*d, small_config(1000000), workers, eval, cache, sink2);
  f.start(1);
  EXPECT_EQ(f.run([&] { return ++calls > 3; }, nullptr), StopReason::interrupted);
  EXPECT_EQ(sink2.batches, 3);  // stops between batches, after committing each one
}

TEST(Engine, CacheAnswersRepeatedFunctionsAndCountsThem) {
  auto d = test_domain();
  RunStats st;
  const auto cs = run_engine(*d, small_config(4000), 2, &st);
  EXPECT_GT(st.cache_hits, 0u);
  EXPECT_EQ(st.evaluations, 4000u);
  EXPECT_EQ(st.evaluated + st.cache_hits, st.evaluations);
  // Every cache hit carries the same objectives as the first candidate with that hash.
  std::map<std::string, std::vector<double>> first;
  for (const auto& c : cs) {
    auto [it, fresh] = first.emplace(c.functional_hash.hex(), c.objectives);
    if (!fresh && c.cache_hit) {
      ASSERT_EQ(it->second.size(), c.objectives.size());
      if (!c.objectives.empty()) {
        EXPECT_EQ(it->second[0], c.objectives[0]);
      }
    }
  }
}

TEST(Engine, SearchImprovesOnTheStartPopulation) {
  auto d = test_domain();
  RunStats st;
  const auto cs = run_engine(*d, small_config(6000), 2, &st);
  double best_start = 1e300;
  for (const auto& c : cs)
    if (c.birth < 64 && c.valid) best_start = std::min(best_start, c.objectives[0]);
  ASSERT_FALSE(st.best_objectives.empty());
  EXPECT_LT(st.best_objectives[0], best_start);
  EXPECT_LT(st.best_objectives[0], 0.05);  // better than y = x + c
}

}  // namespace evo

namespace evo {
namespace {

// funcapprox with a second objective that only evaluate_together() fills in: twice the
// error, so every record can be checked. Counts the calls and checks their programs.
class StagedDomain final : public Domain {
 public:
  StagedDomain() : base_(test_domain()) {}
  std::string name() const override { return base_->name(); }
  std::string describe() const override { return base_->describe(); }
  const Signature* signature() const override { return base_->signature(); }
  const MutationSpace& mutation_space() const override { return base_->mutation_space(); }
  std::vector<ObjectiveSpec> objectives() const override {
    auto o = base_->objectives();
    o.insert(o.begin() + 1, ObjectiveSpec{"twice", true, true, "2 x error, filled in per batch"});
    return o;
  }
  std::string fingerprint() const override { return base_->fingerprint() + " staged"; }
  Program initial_program(Rng& rng) const override { return base_->initial_program(rng); }
  bool admissible(const Program& p) const override { return base_->admissible(p); }
  void polish(Program& p, MutationKind k) const override { base_->polish(p, k); }
  Hash128 functional_hash(const Program& p) const override { return base_->functional_hash(p); }
  Evaluation evaluate(const Program& p) const override {
    {
      std::lock_guard lock(mutex);
      ++evaluations[functional_hash(p).hex()];
    }
    Evaluation ev = base_->evaluate(p);
    if (ev.valid) ev.values.push_back(-1);  // not yet known
    return ev;
  }
  void evaluate_together(std::span<const Program* const> programs, std::span<Evaluation> results) const override {
    ++calls;
    std::set<std::string> hashes;
    for (std::size_t i = 0; i < programs.size(); ++i) {
      duplicate_programs += !hashes.insert(functional_hash(*programs[i]).hex()).second;
      invalid_passed += !results[i].valid;
      if (results[i].valid) results[i].values[1] = 2 * results[i].values[0];
    }
  }
  std::vector<double> structural_objectives(const Program& p) const override { return base_->structural_objectives(p); }
  std::vector<std::string> languages() const override { return base_->languages(); }
  std::string render(const Program& p, std::string_view lang, const RenderContext& ctx) const override {
    return base_->render(p, lang, ctx);
  }
  mutable int calls = 0, duplicate_programs = 0, invalid_passed = 0;
  mutable std::mutex mutex;
  mutable std::map<std::string, int> evaluations;  // evaluate() calls per function

 private:
  std::unique_ptr<Domain> base_;
};

}  // namespace

TEST(Engine, EvaluateTogetherCompletesEveryRecordOncePerBatch) {
  StagedDomain d;
  EngineConfig cfg = small_config(640);
  cfg.collision_check = 0;
  RunStats st;
  const auto cs = run_engine(d, cfg, 2, &st);
  EXPECT_EQ(d.calls, 20);  // 640 / 32 batches, each with something new to evaluate
  EXPECT_EQ(d.duplicate_programs, 0);
  EXPECT_EQ(d.invalid_passed, 0);
  int valid = 0;
  for (const auto& c : cs) {
    if (!c.valid) continue;
    ++valid;
    ASSERT_EQ(c.objectives.size(), 3u);
    EXPECT_EQ(c.objectives[1], 2 * c.objectives[0]) << "candidate " << c.id << (c.cache_hit ? " (hit)" : "");
  }
  EXPECT_GT(valid, 500);
  EXPECT_GT(st.cache_hits, 0u);

  StagedDomain d1;
  EXPECT_EQ(fingerprint_of(run_engine(d1, cfg, 1)), fingerprint_of(cs));
}

}  // namespace evo

namespace evo {

// Children of one batch that compute the same function are evaluated once, whichever
// thread makes them first: with no collision checks, every function is evaluated once in
// the whole run (the cache answers later batches), and the candidates are the same.
TEST(Engine, TwinsInABatchAreEvaluatedOnceForAnyThreadCount) {
  std::vector<std::vector<CandidateRecord>> runs;
  for (int threads : {1, 2}) {
    StagedDomain d;
    EngineConfig cfg = small_config(2000);
    cfg.collision_check = 0;
    RunStats st;
    runs.push_back(run_engine(d, cfg, threads, &st));
    ASSERT_FALSE(d.evaluations.empty());
    int calls = 0;
    for (const auto& [hash, n] : d.evaluations) {
      EXPECT_EQ(n, 1) << hash << " evaluated " << n << " times with " << threads << " threads";
      calls += n;
    }
    EXPECT_EQ(static_cast<std::uint64_t>(calls), st.evaluated);
  }
  // Twins within a batch occurred (else the test shows nothing).
  std::size_t twins = 0;
  std::map<std::pair<std::uint64_t, std::string>, int> per_batch;
  for (const auto& c : runs[0]) twins += ++per_batch[{c.birth / 32, c.functional_hash.hex()}] == 2;
  EXPECT_GT(twins, 0u);
  ASSERT_EQ(runs[0].size(), runs[1].size());
  for (std::size_t i = 0; i < runs[0].size(); ++i) {
    ASSERT_EQ(runs[0][i].functional_hash, runs[1][i].functional_hash) << i;
    ASSERT_EQ(runs[0][i].objectives, runs[1][i].objectives) << i;
  }
}

}  // namespace evo
