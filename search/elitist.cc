// (1+λ) elitist search with multi-step selection, as EvoPress searches compression
// layouts. One parent; each generation (one batch of λ = batch children):
//   1. λ children of the parent, each from its own stream; a child whose function the
//      run has met before, or that an earlier child of the generation has, is mutated
//      again (bounded by `retries`), so no function is scored twice;
//   2. the domain's screening stages: the children still in the running are scored on a
//      fresh draw of data (drawn from (seed, generation, stage)) and the best `keep` go on;
//   3. the survivors are evaluated in full (the FEC cache answers known functions), and
//      the best becomes the parent if it beats the parent.
// Every child is stored; those dropped by a screening stage are recorded as invalid with
// the stage, their score and rank. Generations are whole: the run ends on a boundary.
#include <algorithm>
#include <chrono>
#include <numeric>
#include <unordered_set>

#include "search/breed.h"
#include "search/engine.h"
#include "search/engine_child.h"

namespace evo {

BatchRecord Engine::run_start() {
  BatchRecord batch = run_batch(1);  // the start program, evaluated in full
  for (Member& m : pending_) islands_[0].push_back(std::move(m));
  pending_.clear();
  for (const auto& c : batch.candidates) seen_.insert(c.functional_hash);
  finish_state(batch);
  return batch;
}

BatchRecord Engine::run_generation() {
  const std::size_t n = static_cast<std::size_t>(cfg_.batch);
  const std::uint64_t first_birth = state_.births;
  const std::int64_t first_id = state_.next_id;
  const std::uint64_t generation = (first_birth - 1) / n;
  const Member& parent = islands_[0].front();
  std::vector<Child> kids(n);
  workers_.for_each(n, [&](std::size_t i) { make_child(kids[i], first_birth + i); });

  // Twins within the generation, in birth order, from a second stream of each child.
  std::unordered_set<Hash128> generation_seen;
  auto is_new = [&](const Hash128& h) {
    return !(h == parent.fhash) && !seen_.count(h) && !generation_seen.count(h);
  };
  std::vector<char> duplicate(n, 0);
  for (std::size_t i = 0; i < n; ++i) {
    Child& c = kids[i];
    if (!is_new(c.rec.functional_hash)) {
      Rng rng = Rng::stream(cfg_.seed, first_birth + i, 1);
      Bred again{c.rec.program, c.rec.functional_hash, c.rec.mutation, c.check_draw};
      if (mutate_until(domain_, cfg_.retries, parent.program, rng, again, is_new)) {
        c.rec.program = std::move(again.program);
        c.rec.functional_hash = again.functional_hash;
        c.rec.mutation = again.mutation;
        describe_child(c);
      }
    }
    if (is_new(c.rec.functional_hash)) generation_seen.insert(c.rec.functional_hash);
    else duplicate[i] = 1;
  }

  // Screening stages.
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<std::size_t> alive;
  for (std::size_t i = 0; i < n; ++i)
    if (!duplicate[i]) alive.push_back(i);
  std::vector<std::string> dropped(n);
  const auto stages = domain_.screen_stages();
  for (std::size_t s = 0; s < stages.size(); ++s) {
    const std::size_t keep = static_cast<std::size_t>(stages[s].keep);
    if (alive.size() <= keep) continue;
    const std::uint64_t draw = Rng::stream(cfg_.seed, generation, 1000 + s).next();
    std::vector<const Program*> programs;
    for (std::size_t i : alive) programs.push_back(&kids[i].rec.program);
    const std::vector<double> score = evaluator_.screen(domain_, programs, s, draw);
    std::vector<std::size_t> order(alive.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return score[a] < score[b]; });
    std::vector<std::size_t> next;
    for (std::size_t r = 0; r < order.size(); ++r) {
      const std::size_t i = alive[order[r]];
      if (r < keep) {
        next.push_back(i);
        continue;
      }
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.6g", score[order[r]]);
      dropped[i] = "screened out at stage " + std::to_string(s + 1) + " of " + std::to_string(stages.size() + 1) +
                   " (" + stages[s].describe + "): " + buf + ", rank " + std::to_string(r + 1) + " of " +
                   std::to_string(order.size());
    }
    std::sort(next.begin(), next.end());
    alive = std::move(next);
  }
  const double screen_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  // The survivors, in full.
  evaluator_.run(
      domain_, alive.size(),
      [&](std::size_t k) -> EvalJob {
        const Child& c = kids[alive[k]];
        return {c.cached ? nullptr : &c.rec.program, nullptr};
      },
      [&](std::size_t k, std::optional<TimedEvaluation> t) {
        Child& c = kids[alive[k]];
        if (!t) return;
        c.evaluated = true;
        c.fresh.valid = t->result.valid;
        c.fresh.reason = std::move(t->result.reason);
        c.reusable = t->result.reusable;
        c.fresh.objectives = std::move(t->result.values);
        c.fresh.eval_seconds = t->seconds;
      },
      nullptr);
  for (std::size_t i : alive) {
    Child& c = kids[i];
    c.member = Member{0, c.rec.birth, c.rec.program, c.rec.functional_hash, false, {}};
    fill_record(c, c.evaluated ? c.fresh : *c.cached);
  }
  evaluate_together(kids);

  // Records in birth order; the best survivor replaces the parent if it beats it.
  BatchRecord batch;
  RunStats& st = state_.stats;
  st.eval_seconds += screen_seconds;
  std::vector<char> survivor(n, 0);
  for (std::size_t i : alive) survivor[i] = 1;
  std::optional<Member> winner;
  for (std::size_t i = 0; i < n; ++i) {
    Child& c = kids[i];
    CandidateRecord& rec = c.rec;
    rec.id = first_id + static_cast<std::int64_t>(i);
    ++st.evaluations;
    if (!survivor[i]) {
      rec.valid = false;
      rec.objectives.clear();
      rec.reason = duplicate[i] ? "no new function within " + std::to_string(cfg_.retries) + " re-mutations"
                                : dropped[i];
      if (duplicate[i]) ++st.invalid;
      else ++st.screened_out;
    } else {
      c.member.id = rec.id;
      rec.cache_hit = !c.evaluated;
      if (c.evaluated) {
        ++st.evaluated;
        st.eval_seconds += c.fresh.eval_seconds;
        if (c.reusable && cache_.insert(rec.functional_hash, c.fresh)) batch.new_cache_entries.emplace_back(rec.functional_hash, c.fresh);
      } else {
        ++st.cache_hits;
        cache_.add_hits(rec.functional_hash, 1);
        batch.cache_hits.emplace_back(rec.functional_hash, 1);
      }
      if (!rec.valid) ++st.invalid;
      if (rec.valid && (st.best_candidate == 0 || ranking_.better(true, rec.objectives, true, st.best_objectives))) {
        st.best_candidate = rec.id;
        st.best_objectives = rec.objectives;
      }
      if (rec.valid && (!winner || ranking_.better(c.member, *winner))) winner = c.member;
    }
    if (!duplicate[i]) seen_.insert(rec.functional_hash);
    batch.candidates.push_back(std::move(rec));
  }
  if (winner && ranking_.better(winner->valid, winner->objectives, parent.valid, parent.objectives))
    islands_[0].front() = std::move(*winner);
  state_.births += n;
  state_.next_id = first_id + static_cast<std::int64_t>(n);
  finish_state(batch);
  return batch;
}

}  // namespace evo
