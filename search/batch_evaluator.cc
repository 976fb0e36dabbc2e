#include "search/batch_evaluator.h"

#include <chrono>
#include <unordered_map>

#include <tbb/parallel_for.h>

#include "search/parallel.h"

namespace evo {

Workers::Workers(int threads) : threads_(threads < 1 ? 1 : threads) {
  if (threads_ > 1) arena_ = std::make_unique<tbb::task_arena>(threads_);
}

void Workers::for_each(std::size_t n, const std::function<void(std::size_t)>& f) {
#ifdef EVO_STD_THREADS
  return parallel_for(n, f, threads_);
#endif
  if (!arena_ || n < 2) {
    for (std::size_t i = 0; i < n; ++i) f(i);
    return;
  }
  arena_->execute([&] {
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, n), [&](const tbb::blocked_range<std::size_t>& r) {
      for (std::size_t i = r.begin(); i != r.end(); ++i) f(i);
    });
  });
}

BatchPlan plan_batch(const std::vector<EvalJob>& jobs) {
  BatchPlan plan;
  plan.twin_of.assign(jobs.size(), kNoTwin);
  std::unordered_map<Hash128, std::size_t> first;
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    if (!jobs[i].program) continue;
    if (jobs[i].same_function) {
      const auto [it, fresh] = first.emplace(*jobs[i].same_function, i);
      if (!fresh) {
        plan.twin_of[i] = it->second;
        ++plan.shared;
        continue;
      }
    }
    plan.to_evaluate.push_back(i);
  }
  return plan;
}

// Two passes: make every child, then evaluate each function once and finish. (A single
// pass could not know, while a child is evaluated, whether an earlier child of the batch
// computes the same function.)
void ThreadEvaluator::run(const Domain& domain, std::size_t n, const Make& make, const Finish& finish,
                          const Breeding* /*breeding*/) {
  std::vector<EvalJob> jobs(n);
  workers_.for_each(n, [&](std::size_t i) { jobs[i] = make(i); });
  const BatchPlan plan = plan_batch(jobs);
  std::vector<std::optional<TimedEvaluation>> results(n);
  std::vector<char> evaluated(n, 0);
  for (std::size_t i : plan.to_evaluate) evaluated[i] = 1;
  // Jobs with nothing to evaluate finish in the same pass as the evaluations.
  std::vector<std::size_t> order = plan.to_evaluate;
  for (std::size_t i = 0; i < n; ++i)
    if (!evaluated[i] && plan.twin_of[i] == kNoTwin) order.push_back(i);
  workers_.for_each(order.size(), [&](std::size_t k) {
    const std::size_t i = order[k];
    if (evaluated[i]) {
      const auto t0 = std::chrono::steady_clock::now();
      TimedEvaluation t;
      t.result = domain.evaluate(*jobs[i].program);
      t.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      results[i] = std::move(t);
      // A twin's leader keeps its result until the twins have copied it.
      if (plan.shared) return finish(i, results[i]);
    }
    finish(i, std::move(results[i]));
  });
  if (!plan.shared) return;
  for (std::size_t i = 0; i < n; ++i)
    if (plan.twin_of[i] != kNoTwin) finish(i, TimedEvaluation{results[plan.twin_of[i]]->result, 0.0});
}

std::vector<double> ThreadEvaluator::screen(const Domain& domain, const std::vector<const Program*>& programs,
                                            std::size_t stage, std::uint64_t draw) {
  std::vector<double> score(programs.size());
  workers_.for_each(programs.size(), [&](std::size_t k) { score[k] = domain.screen(*programs[k], stage, draw); });
  return score;
}

}  // namespace evo
