// Makes, evaluates and finishes a batch of children: on this process's TBB threads
// (ThreadEvaluator) or over MPI ranks (search/mpi/). The engine supplies `make(i)`, which
// builds child i and says what to evaluate (nothing when its function is cached), and
// `finish(i, result)`, which receives the evaluation (empty when none). The thread
// evaluator runs all three steps of a child in one pass over the batch, so a batch costs
// one parallel region. Every implementation gives the same results; only speed differs.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include <tbb/task_arena.h>

#include "search/breed.h"
#include "search/domain.h"
#include "search/rng.h"

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

// What make(i) asks of the evaluator.
struct EvalJob {
  const Program* program = nullptr;  // nullptr: nothing to evaluate
  // Jobs with equal keys compute the same function. An evaluator may evaluate only the
  // first of them (in index order) and finish the others with a copy of its result and
  // zero seconds. nullptr: this job must be evaluated itself (e.g. a collision check).
  const Hash128* same_function = nullptr;
};

// Each function of a batch evaluated once: the jobs to evaluate, in index order, and for
// every job whose function an earlier job of the batch computes, that job's index (kNoTwin
// otherwise). Index order makes the choice independent of which thread made which job.
inline constexpr std::size_t kNoTwin = static_cast<std::size_t>(-1);
struct BatchPlan {
  std::vector<std::size_t> to_evaluate;
  std::vector<std::size_t> twin_of;
  std::size_t shared = 0;  // jobs answered by a twin
};
BatchPlan plan_batch(const std::vector<EvalJob>& jobs);

// A child's making before its breeding (search/breed.h): its stream, after its parent was
// chosen with it, and that parent (none: a start program).
struct BreedTask {
  Rng rng{0};
  const Program* parent = nullptr;
  Hash128 parent_hash;
};

class BatchEvaluator {
 public:
  using Make = std::function<EvalJob(std::size_t)>;
  using Finish = std::function<void(std::size_t, std::optional<TimedEvaluation>)>;
  // make(i) in three parts: make(i) == adopt(i, breed(domain, retries, plan(i)...)).
  // Breeding is the costly, pure part, which an evaluator may do in another process.
  struct Breeding {
    int retries = 0;
    std::function<BreedTask(std::size_t)> plan;
    std::function<EvalJob(std::size_t, Bred)> adopt;
  };
  virtual ~BatchEvaluator() = default;
  // make(i) (or plan, then adopt) and then finish(i, ...) are called once per i, from any
  // thread; they must touch only child i's data. `breeding` may be null.
  virtual void run(const Domain& domain, std::size_t n, const Make& make, const Finish& finish,
                   const Breeding* breeding) = 0;
  // Multi-step selection (elitist runs): domain.screen(program, stage, draw) of each program.
  virtual std::vector<double> screen(const Domain& domain, const std::vector<const Program*>& programs,
                                     std::size_t stage, std::uint64_t draw) = 0;
};

class ThreadEvaluator final : public BatchEvaluator {
 public:
  explicit ThreadEvaluator(Workers& workers) : workers_(workers) {}
  void run(const Domain& domain, std::size_t n, const Make& make, const Finish& finish,
           const Breeding* breeding) override;  // makes children with make()
  std::vector<double> screen(const Domain& domain, const std::vector<const Program*>& programs, std::size_t stage,
                             std::uint64_t draw) override;

 private:
  Workers& workers_;
};

}  // namespace evo
