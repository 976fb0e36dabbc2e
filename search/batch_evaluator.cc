#include "search/batch_evaluator.h"

#include <chrono>

#include <tbb/parallel_for.h>

namespace evo {

Workers::Workers(int threads) : threads_(threads < 1 ? 1 : threads) {
  if (threads_ > 1) arena_ = std::make_unique<tbb::task_arena>(threads_);
}

void Workers::for_each(std::size_t n, const std::function<void(std::size_t)>& f) {
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

std::vector<TimedEvaluation> ThreadEvaluator::evaluate(const Domain& domain, std::span<const Program* const> programs) {
  std::vector<TimedEvaluation> out(programs.size());
  workers_.for_each(programs.size(), [&](std::size_t i) {
    const auto t0 = std::chrono::steady_clock::now();
    out[i].result = domain.evaluate(*programs[i]);
    out[i].seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  });
  return out;
}

}  // namespace evo
