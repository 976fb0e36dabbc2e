#include "search/batch_evaluator.h"

#include <chrono>

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

void ThreadEvaluator::run(const Domain& domain, std::size_t n, const Make& make, const Finish& finish,
                          const Breeding* /*breeding*/) {
  workers_.for_each(n, [&](std::size_t i) {
    const Program* p = make(i).program;
    if (!p) return finish(i, std::nullopt);
    const auto t0 = std::chrono::steady_clock::now();
    TimedEvaluation t;
    t.result = domain.evaluate(*p);
    t.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    finish(i, std::move(t));
  });
}

std::vector<double> ThreadEvaluator::screen(const Domain& domain, const std::vector<const Program*>& programs,
                                            std::size_t stage, std::uint64_t draw) {
  std::vector<double> score(programs.size());
  workers_.for_each(programs.size(), [&](std::size_t k) { score[k] = domain.screen(*programs[k], stage, draw); });
  return score;
}

}  // namespace evo
