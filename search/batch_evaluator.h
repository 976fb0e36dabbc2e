// Evaluates a batch of programs: serially, on TBB threads, or (later) over MPI ranks.
// Every implementation returns the same results in the same order; only speed differs.
#pragma once

#include <functional>
#include <memory>
#include <span>
#include <vector>

#include <tbb/task_arena.h>

#include "search/domain.h"

namespace evo {

struct TimedEvaluation {
  Evaluation result;
  double seconds = 0;  // wall-clock cost of evaluating it (statistics only)
};

// A fixed set of worker threads for data-parallel loops.
class Workers {
 public:
  explicit Workers(int threads);
  int threads() const { return threads_; }
  // Calls f(i) for every i in [0, n), spread over the threads.
  void for_each(std::size_t n, const std::function<void(std::size_t)>& f);

 private:
  int threads_;
  std::unique_ptr<tbb::task_arena> arena_;
};

class BatchEvaluator {
 public:
  virtual ~BatchEvaluator() = default;
  virtual std::vector<TimedEvaluation> evaluate(const Domain& domain, std::span<const Program* const> programs) = 0;
};

class ThreadEvaluator final : public BatchEvaluator {
 public:
  explicit ThreadEvaluator(Workers& workers) : workers_(workers) {}
  std::vector<TimedEvaluation> evaluate(const Domain& domain, std::span<const Program* const> programs) override;

 private:
  Workers& workers_;
};

}  // namespace evo
