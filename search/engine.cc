#include "search/engine.h"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "hashing/canonical.h"
#include "search/breed.h"
#include "search/errors.h"
#include "search/engine_child.h"
#include "search/program_text.h"

namespace evo {

std::vector<SettingSpec> engine_settings() {
  return {
      {"population", "500", "population size (regularized evolution retires the oldest)", integer_in(2, 10000000)},
      {"tournament", "10", "tournament size for parent selection", integer_in(1, 100000)},
      {"selection", "regularized",
       "regularized (ranked by the primary objective, the oldest retires), nsga2 (Pareto rank and crowding over "
       "all objectives) or elitist ((1+batch) from one parent with the domain's multi-step screening; runs end on "
       "whole generations)",
       one_of({"regularized", "nsga2", "elitist"})},
      {"batch", "64", "children made and evaluated together (part of the seeded result)", integer_in(1, 1000000)},
      {"retries", "10", "re-mutations until a child computes something other than its parent", integer_in(0, 10000)},
      {"collision_check", "0.01", "fraction of cache hits evaluated anyway to measure hash collisions",
       real_in(0.0, 1.0)},
      {"cache_size", "1000000",
       "most results the functional-hash cache holds in memory (about 165 bytes each); the oldest leave first, "
       "the database keeps them all",
       integer_in(1, 1'000'000'000'000)},
      {"keep_programs", "0",
       "keep the program text of only the best K candidates, the Pareto front and the population (0: all); "
       "the others keep their hashes and objectives",
       integer_in(0, 1'000'000'000)},
      {"islands", "1",
       "sub-populations searched side by side (selection regularized or nsga2); the child of birth b belongs to "
       "island b mod islands",
       integer_in(1, static_cast<long long>(kMaxIslands))},
      {"migrate_every", "10", "with islands > 1: every this many batches each island's best joins the next island",
       integer_in(1, 1'000'000'000)},
  };
}

void apply_engine_settings(const Settings& s, EngineConfig& cfg) {
  cfg.population = static_cast<int>(s.integer("population"));
  cfg.tournament = static_cast<int>(s.integer("tournament"));
  cfg.nsga2 = s.str("selection") == "nsga2";
  cfg.elitist = s.str("selection") == "elitist";
  cfg.batch = static_cast<int>(s.integer("batch"));
  cfg.retries = static_cast<int>(s.integer("retries"));
  cfg.collision_check = s.real("collision_check");
  cfg.cache_size = static_cast<std::size_t>(s.integer("cache_size"));
  cfg.keep_programs = static_cast<std::size_t>(s.integer("keep_programs"));
  cfg.islands = static_cast<int>(s.integer("islands"));
  cfg.migrate_every = static_cast<int>(s.integer("migrate_every"));
  if (cfg.islands > 1 && cfg.elitist)
    throw InputError("islands apply to selection=regularized or nsga2, not elitist (one parent)");
  if (cfg.population < 2 * cfg.islands)
    throw InputError("population " + std::to_string(cfg.population) + " is too small for " +
                     std::to_string(cfg.islands) + " islands (at least 2 members each)");
}

std::string_view stop_reason_name(StopReason r) {
  switch (r) {
    case StopReason::budget: return "budget";
    case StopReason::target: return "target";
    case StopReason::time_limit: return "time_limit";
    case StopReason::interrupted: return "interrupted";
  }
  return "?";
}

Engine::Engine(const Domain& domain, EngineConfig cfg, Workers& workers, BatchEvaluator& evaluator, FecCache& cache,
               BatchSink& sink)
    : domain_(domain),
      cfg_(cfg),
      workers_(workers),
      evaluator_(evaluator),
      cache_(cache),
      sink_(sink),
      ranking_(domain.objectives()),
      objectives_(domain.objectives()),
      islands_(static_cast<std::size_t>(std::max(1, cfg_.islands))),
      orders_(islands_.size()) {
  for (const auto& o : objectives_)
    if (o.functional) {
      ++functional_count_;
      unmeasured_.push_back(!o.measured);
    }
}

void Engine::start(std::int64_t first_id) {
  state_ = EngineState{};
  state_.next_id = first_id;
  for (auto& island : islands_) island.clear();
  pending_.clear();
}

void Engine::restore(EngineState state, std::deque<Member> members, std::deque<Member> pending) {
  state_ = std::move(state);
  std::vector<std::uint64_t> sizes = state_.island_sizes;
  if (sizes.empty()) sizes = {members.size()};  // a checkpoint of one population
  std::uint64_t total = 0;
  for (auto n : sizes) total += std::min<std::uint64_t>(n, members.size() + 1);  // no overflow
  if (sizes.size() != islands_.size() || total != members.size())
    throw InputError("the checkpoint holds " + std::to_string(sizes.size()) + " island(s) of " +
                     std::to_string(members.size()) + " members; the run has " + std::to_string(islands_.size()));
  for (std::size_t k = 0; k < islands_.size(); ++k) {
    islands_[k].clear();
    for (std::uint64_t j = 0; j < sizes[k]; ++j) {
      islands_[k].push_back(std::move(members.front()));
      members.pop_front();
    }
    if (cfg_.nsga2) orders_[k] = pareto_order(islands_[k], objectives_);
  }
  pending_ = std::move(pending);
}

std::size_t Engine::island_capacity(std::size_t k) const {
  const std::size_t pop = static_cast<std::size_t>(cfg_.population), n = islands_.size();
  return pop / n + (k < pop % n ? 1 : 0);
}

void Engine::survive(std::size_t k) {
  std::deque<Member>& island = islands_[k];
  if (cfg_.nsga2) {
    nsga2_survivors(island, island_capacity(k), objectives_);
    orders_[k] = pareto_order(island, objectives_);
  } else {
    while (island.size() > island_capacity(k)) island.pop_front();
  }
}

void Engine::migrate() {
  // Every island's emigrant is chosen before any arrives, so the ring's order does not
  // matter. The emigrant is a copy: it stays home too.
  std::vector<std::optional<Member>> best(islands_.size());
  for (std::size_t k = 0; k < islands_.size(); ++k)
    for (const Member& m : islands_[k])
      if (!best[k] || ranking_.better(m, *best[k])) best[k] = m;
  for (std::size_t k = 0; k < islands_.size(); ++k) {
    if (!best[k]) continue;
    const std::size_t to = (k + 1) % islands_.size();
    // An island does not take a member it already has (a migrant back from the ring).
    const bool there = std::any_of(islands_[to].begin(), islands_[to].end(),
                                   [&](const Member& m) { return m.id == best[k]->id; });
    if (there) continue;
    islands_[to].push_back(std::move(*best[k]));
    survive(to);
  }
}

BreedTask Engine::plan_child(Child& c, std::uint64_t birth) const {
  BreedTask task{Rng::stream(cfg_.seed, birth), nullptr, {}};
  c.rec.birth = static_cast<std::int64_t>(birth);
  const std::size_t k = island_of(birth);
  const std::deque<Member>& population = islands_[k];
  if ((!cfg_.elitist && birth < static_cast<std::uint64_t>(cfg_.population)) || population.empty()) return task;
  const Member& parent =
      population[cfg_.elitist ? 0
                 : cfg_.nsga2 ? crowded_tournament(population, orders_[k], cfg_.tournament, task.rng)
                              : tournament(population, cfg_.tournament, ranking_, task.rng)];
  c.rec.parent = parent.id;
  task.parent = &parent.program;
  task.parent_hash = parent.fhash;
  return task;
}

void Engine::adopt_child(Child& c, Bred bred) const {
  c.rec.program = std::move(bred.program);
  c.rec.functional_hash = bred.functional_hash;
  c.rec.mutation = bred.mutation;
  c.check_draw = bred.check_draw;
  describe_child(c);
}

void Engine::make_child(Child& c, std::uint64_t birth) const {
  const BreedTask task = plan_child(c, birth);
  std::function<bool(const Hash128&)> met;  // elitist runs pass over functions met before
  if (cfg_.elitist) met = [this](const Hash128& h) { return seen_.count(h) > 0; };
  adopt_child(c, breed(domain_, cfg_.retries, task.parent, task.parent_hash, task.rng, met));
}

void Engine::describe_child(Child& c) const {
  CandidateRecord& rec = c.rec;
  rec.text = to_text(rec.program);  // here, in parallel, rather than in the writer
  rec.ops = op_count(rec.program);
  rec.structural_hash = structural_hash(rec.program);
  c.structural = domain_.structural_objectives(rec.program);
  c.cached = cache_.find(rec.functional_hash);
}

void Engine::fill_record(Child& c, const CachedResult& outcome) const {
  CandidateRecord& rec = c.rec;
  rec.valid = outcome.valid && outcome.objectives.size() == functional_count_;
  rec.reason = outcome.valid ? std::string() : outcome.reason;
  rec.objectives.clear();
  if (rec.valid) {
    rec.objectives = outcome.objectives;
    rec.objectives.insert(rec.objectives.end(), c.structural.begin(), c.structural.end());
  }
  c.member.valid = rec.valid;
  c.member.objectives = rec.objectives;
}

// The domain's batch stage (Domain::evaluate_together), for the children whose own
// evaluation will count: valid so far, and not a twin of an earlier child of the batch
// (which answers it below) unless drawn for a collision check.
void Engine::evaluate_together(std::vector<Child>& kids) const {
  std::vector<std::size_t> which;
  std::unordered_set<Hash128> seen;
  for (std::size_t i = 0; i < kids.size(); ++i) {
    const Child& c = kids[i];
    const bool twin = !c.cached && !seen.insert(c.rec.functional_hash).second;
    if (!c.evaluated || !c.fresh.valid || (twin && !(c.check_draw < cfg_.collision_check))) continue;
    which.push_back(i);
  }
  if (which.empty()) return;
  std::vector<const Program*> programs;
  std::vector<Evaluation> results;
  for (std::size_t i : which) {
    programs.push_back(&kids[i].member.program);
    results.push_back(Evaluation{true, {}, kids[i].fresh.objectives});
  }
  const auto t0 = std::chrono::steady_clock::now();
  domain_.evaluate_together(programs, results);
  const double share = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() / which.size();
  for (std::size_t k = 0; k < which.size(); ++k) {
    Child& c = kids[which[k]];
    c.fresh.valid = results[k].valid;
    c.fresh.reason = std::move(results[k].reason);
    c.reusable = c.reusable && results[k].reusable;
    c.fresh.objectives = std::move(results[k].values);
    c.fresh.eval_seconds += share;
    fill_record(c, c.fresh);
  }
}

BatchRecord Engine::run_batch(std::size_t n) {
  // One parallel pass: make each child; evaluate it unless its function is cached (or it
  // was drawn for a collision check); fill in its record and population member. A child
  // that repeats an earlier child of this batch may be evaluated too (the thread evaluator
  // cannot know until the pass is over; the MPI one shares the earlier evaluation) and is
  // answered like a cache hit below either way, so the results do not depend on which.
  std::vector<Child> kids(n);
  const std::uint64_t first_birth = state_.births;
  const std::int64_t first_id = state_.next_id;
  auto job_of = [&](const Child& c) -> EvalJob {
    const bool check = c.check_draw < cfg_.collision_check;
    if (c.cached && !check) return {};
    // A child drawn for a check is evaluated itself; the others may share the evaluation
    // of an earlier twin, which answers them below anyway.
    return {&c.rec.program, check ? nullptr : &c.rec.functional_hash};
  };
  // The same making in two parts, for evaluators that breed elsewhere (elitist runs
  // reject functions met before, which only this process knows).
  BatchEvaluator::Breeding breeding{cfg_.retries,
                                    [&](std::size_t i) { return plan_child(kids[i], first_birth + i); },
                                    [&](std::size_t i, Bred b) {
                                      adopt_child(kids[i], std::move(b));
                                      return job_of(kids[i]);
                                    }};
  evaluator_.run(
      domain_, n,
      [&](std::size_t i) -> EvalJob {
        make_child(kids[i], first_birth + i);
        return job_of(kids[i]);
      },
      [&](std::size_t i, std::optional<TimedEvaluation> t) {
        Child& c = kids[i];
        if (t) {
          c.evaluated = true;
          c.fresh.valid = t->result.valid;
          c.fresh.reason = std::move(t->result.reason);
          c.reusable = t->result.reusable;
          c.fresh.objectives = std::move(t->result.values);
          c.fresh.eval_seconds = t->seconds;
        }
        CandidateRecord& rec = c.rec;
        rec.id = first_id + static_cast<std::int64_t>(i);
        c.member = Member{rec.id, rec.birth, std::move(rec.program), rec.functional_hash, false, {}};
        fill_record(c, c.evaluated ? c.fresh : *c.cached);
      },
      cfg_.elitist ? nullptr : &breeding);
  evaluate_together(kids);

  // In birth order: hits, statistics, new cache entries. A child is a hit when its
  // function is in the cache or an earlier child of the batch has it; a hit evaluated
  // anyway (collision check) is compared with the known answer and keeps its own.
  BatchRecord batch;
  RunStats& st = state_.stats;
  std::unordered_map<Hash128, std::size_t> first_in_batch;
  std::vector<const CachedResult*> known(n, nullptr);  // what a hit is answered with
  std::unordered_map<Hash128, std::uint64_t> hits;
  for (std::size_t i = 0; i < n; ++i) {
    Child& c = kids[i];
    const Hash128& h = c.rec.functional_hash;
    bool twin = false;
    if (c.cached) {
      known[i] = &*c.cached;
    } else if (auto it = first_in_batch.find(h); it != first_in_batch.end()) {
      known[i] = known[it->second];
      twin = true;
    } else {
      first_in_batch.emplace(h, i);
    }
    const bool check = known[i] && c.check_draw < cfg_.collision_check;
    if (!known[i] || check) {
      ++st.evaluated;
      st.eval_seconds += c.fresh.eval_seconds;
      if (check) {
        ++st.collision_checks;
        if (!c.fresh.same_outcome(*known[i], 1e-9, unmeasured_)) ++st.collisions;
      } else {
        known[i] = &c.fresh;
        if (c.reusable && cache_.insert(h, c.fresh)) batch.new_cache_entries.emplace_back(h, c.fresh);
      }
      c.rec.cache_hit = false;
    } else {
      ++st.cache_hits;
      ++hits[h];
      c.rec.cache_hit = true;
      if (twin) fill_record(c, *known[i]);  // answered by its twin, not by its own evaluation
    }
  }

  for (std::size_t i = 0; i < n; ++i) {
    CandidateRecord& rec = kids[i].rec;
    ++st.evaluations;
    if (!rec.valid) ++st.invalid;
    if (rec.valid && (st.best_candidate == 0 || ranking_.better(true, rec.objectives, true, st.best_objectives))) {
      st.best_candidate = rec.id;
      st.best_objectives = rec.objectives;
    }
    pending_.push_back(std::move(kids[i].member));
    batch.candidates.push_back(std::move(rec));
  }
  state_.next_id = first_id + static_cast<std::int64_t>(n);
  for (const auto& [h, count] : hits) {
    cache_.add_hits(h, count);
    batch.cache_hits.emplace_back(h, count);
  }
  state_.births += n;
  if (state_.births % static_cast<std::uint64_t>(cfg_.batch) == 0) {  // the batch is complete: children join
    std::vector<bool> joined(islands_.size(), false);
    for (Member& m : pending_) {
      const std::size_t k = island_of(static_cast<std::uint64_t>(m.birth));
      islands_[k].push_back(std::move(m));
      joined[k] = true;
      if (!cfg_.nsga2) survive(k);  // one by one: the oldest retire as each child joins
    }
    pending_.clear();
    if (cfg_.nsga2)
      for (std::size_t k = 0; k < islands_.size(); ++k)
        if (joined[k]) survive(k);
    const std::uint64_t batches = state_.births / static_cast<std::uint64_t>(cfg_.batch);
    if (islands_.size() > 1 && batches % static_cast<std::uint64_t>(cfg_.migrate_every) == 0) migrate();
  }
  finish_state(batch);
  return batch;
}

void Engine::finish_state(BatchRecord& batch) {
  state_.population.clear();
  state_.island_sizes.clear();
  std::unordered_set<Hash128> functions;
  for (const auto& island : islands_) {
    for (const Member& m : island) {
      state_.population.push_back(m.id);
      functions.insert(m.fhash);
    }
    if (islands_.size() > 1) state_.island_sizes.push_back(island.size());
  }
  batch.population = state_.population.size();
  batch.distinct_functions = functions.size();
  state_.pending.clear();
  for (const Member& m : pending_) state_.pending.push_back(m.id);
  batch.state = state_;
}

StopReason Engine::run(const std::function<bool()>& interrupted, const Progress& progress) {
  const auto t0 = std::chrono::steady_clock::now();
  const bool minimize_primary = objectives_.empty() || objectives_[0].minimize;
  auto target_reached = [&] {
    if (!cfg_.stop_at || state_.stats.best_candidate == 0) return false;
    const double best = state_.stats.best_objectives[0];
    return minimize_primary ? best <= *cfg_.stop_at : best >= *cfg_.stop_at;
  };
  while (true) {
    if (state_.births >= cfg_.budget) return StopReason::budget;
    if (target_reached()) return StopReason::target;
    if (cfg_.time_limit > 0 &&
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() >= cfg_.time_limit)
      return StopReason::time_limit;
    if (interrupted && interrupted()) return StopReason::interrupted;
    if (cfg_.elitist) {
      sink_.commit(islands_[0].empty() ? run_start() : run_generation());
    } else {
      // Batches start at multiples of the batch size, whatever the budget, so a run cut
      // short and resumed makes the same batches as one that never stopped.
      const std::uint64_t to_boundary = cfg_.batch - state_.births % static_cast<std::uint64_t>(cfg_.batch);
      const std::size_t n = std::min<std::uint64_t>(to_boundary, cfg_.budget - state_.births);
      sink_.commit(run_batch(n));
    }
    if (progress) progress(state_.stats);
  }
}

}  // namespace evo
