// Makes, evaluates and finishes a batch of children: serially, on TBB threads, or (later)
// over MPI ranks. The engine supplies `make(i)`, which builds child i and returns the
// program to evaluate, or nullptr when the child needs no evaluation (its function is
// cached), and `finish(i, result)`, which receives the evaluation (empty when none). All
// three steps of a child run in one pass over the batch, so a batch costs one parallel
// region. Every implementation gives the same results; only speed differs.
#pragma once

#include <functional>
#include <memory>
#include <optional>
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
  using Make = std::function<const Program*(std::size_t)>;
  using Finish = std::function<void(std::size_t, std::optional<TimedEvaluation>)>;
  virtual ~BatchEvaluator() = default;
  // make(i) and then finish(i, ...) are called once per i, from any thread; they must
  // touch only child i's data.
  virtual void run(const Domain& domain, std::size_t n, const Make& make, const Finish& finish) = 0;
};

class ThreadEvaluator final : public BatchEvaluator {
 public:
  explicit ThreadEvaluator(Workers& workers) : workers_(workers) {}
  void run(const Domain& domain, std::size_t n, const Make& make, const Finish& finish) override;

 private:
  Workers& workers_;
};

}  // namespace evo
