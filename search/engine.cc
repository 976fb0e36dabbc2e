#include "search/engine.h"

#include <unordered_map>
#include <unordered_set>

#include "hashing/canonical.h"
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
      objectives_(domain.objectives()) {
  for (const auto& o : objectives_)
    if (o.functional) {
      ++functional_count_;
      unmeasured_.push_back(!o.measured);
    }
}

void Engine::start(std::int64_t first_id) {
  state_ = EngineState{};
  state_.next_id = first_id;
  population_.clear();
  pending_.clear();
}

void Engine::restore(EngineState state, std::deque<Member> members, std::deque<Member> pending) {
  state_ = std::move(state);
  population_ = std::move(members);
  pending_ = std::move(pending);
  if (cfg_.nsga2) order_ = pareto_order(population_, objectives_);
}

MutationKind Engine::mutate_child(Program& p, Rng& rng) const {
  if (const auto own = domain_.mutate(p, rng)) return *own;
  return mutate(p, domain_.mutation_space(), rng);
}

bool Engine::mutate_until(const Program& parent, Rng& rng, CandidateRecord& rec,
                          const std::function<bool(const Hash128&)>& accept) const {
  for (int attempt = 0; attempt <= cfg_.retries; ++attempt) {
    Program child = parent;
    const MutationKind kind = mutate_child(child, rng);
    if (!domain_.admissible(child)) continue;
    domain_.polish(child, kind);
    child = canonicalize(child);
    rec.functional_hash = domain_.functional_hash(child);
    rec.program = std::move(child);
    rec.mutation = kind;
    if (accept(rec.functional_hash)) return true;
  }
  return false;
}

void Engine::make_child(Child& c, std::uint64_t birth) const {
  Rng rng = Rng::stream(cfg_.seed, birth);
  CandidateRecord& rec = c.rec;
  rec.birth = static_cast<std::int64_t>(birth);
  if ((!cfg_.elitist && birth < static_cast<std::uint64_t>(cfg_.population)) || population_.empty()) {
    rec.program = domain_.initial_program(rng);
    domain_.polish(rec.program, MutationKind::none);
    rec.program = canonicalize(rec.program);
    rec.functional_hash = domain_.functional_hash(rec.program);
  } else {
    const Member& parent = population_[cfg_.elitist ? 0
                                       : cfg_.nsga2 ? crowded_tournament(population_, order_, cfg_.tournament, rng)
                                                    : tournament(population_, cfg_.tournament, ranking_, rng)];
    rec.parent = parent.id;
    rec.program = parent.program;
    rec.functional_hash = parent.fhash;
    // Re-mutate until the child computes something else (bounded): a child equal to its
    // parent would only be a cache hit. Elitist runs also pass over functions met before.
    mutate_until(parent.program, rng, rec, [&](const Hash128& h) {
      return !(h == parent.fhash) && !(cfg_.elitist && seen_.count(h));
    });
  }
  describe_child(c);
  c.check_draw = rng.uniform();
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
    c.fresh.objectives = std::move(results[k].values);
    c.fresh.eval_seconds += share;
    fill_record(c, c.fresh);
  }
}

BatchRecord Engine::run_batch(std::size_t n) {
  // One parallel pass: make each child; evaluate it unless its function is cached (or it
  // was drawn for a collision check); fill in its record and population member. A child
  // that repeats an earlier child of this batch is evaluated too -- nothing knows that
  // until the pass is over -- and is then answered like a cache hit below, so the results
  // do not depend on the order of evaluation.
  std::vector<Child> kids(n);
  const std::uint64_t first_birth = state_.births;
  const std::int64_t first_id = state_.next_id;
  evaluator_.run(
      domain_, n,
      [&](std::size_t i) -> const Program* {
        Child& c = kids[i];
        make_child(c, first_birth + i);
        const bool check = c.cached && c.check_draw < cfg_.collision_check;
        return !c.cached || check ? &c.rec.program : nullptr;
      },
      [&](std::size_t i, std::optional<TimedEvaluation> t) {
        Child& c = kids[i];
        if (t) {
          c.evaluated = true;
          c.fresh.valid = t->result.valid;
          c.fresh.reason = std::move(t->result.reason);
          c.fresh.objectives = std::move(t->result.values);
          c.fresh.eval_seconds = t->seconds;
        }
        CandidateRecord& rec = c.rec;
        rec.id = first_id + static_cast<std::int64_t>(i);
        c.member = Member{rec.id, rec.birth, std::move(rec.program), rec.functional_hash, false, {}};
        fill_record(c, c.evaluated ? c.fresh : *c.cached);
      });
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
        if (cache_.insert(h, c.fresh)) batch.new_cache_entries.emplace_back(h, c.fresh);
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
    for (Member& m : pending_) {
      population_.push_back(std::move(m));
      if (!cfg_.nsga2 && population_.size() > static_cast<std::size_t>(cfg_.population)) population_.pop_front();
    }
    pending_.clear();
    if (cfg_.nsga2) {
      nsga2_survivors(population_, static_cast<std::size_t>(cfg_.population), objectives_);
      order_ = pareto_order(population_, objectives_);
    }
  }
  finish_state(batch);
  return batch;
}

void Engine::finish_state(BatchRecord& batch) {
  state_.population.clear();
  for (const Member& m : population_) state_.population.push_back(m.id);
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
      sink_.commit(population_.empty() ? run_start() : run_generation());
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
