// Trains a task's parameters with an update rule: each step computes the gradient, runs
// the rule over the parameter vector in the block interpreter (float64), and sets
// w <- w - u. Training stops early, marked diverged, when the training loss or any update
// is not finite or the loss grows beyond 1e3 times its start (and above 1).
#pragma once

#include <cstddef>
#include <limits>
#include <new>
#include <span>
#include <vector>

#include "evaluators/optimizer/tasks.h"
#include "search/program.h"

namespace evo::optimizer {

// Parameter-shaped arrays start on a 64-byte boundary. Eigen's vectorised reductions over a
// Map begin where the data is aligned, so the order of a sum, and its rounding, would
// otherwise depend on where the allocator put the array, which differs between threads.
template <class T>
struct CacheLineAllocator {
  using value_type = T;
  CacheLineAllocator() = default;
  template <class U>
  CacheLineAllocator(const CacheLineAllocator<U>&) {}
  T* allocate(std::size_t n) { return static_cast<T*>(::operator new(n * sizeof(T), std::align_val_t{64})); }
  void deallocate(T* p, std::size_t) { ::operator delete(p, std::align_val_t{64}); }
  bool operator==(const CacheLineAllocator&) const { return true; }
};
using ParamVector = std::vector<double, CacheLineAllocator<double>>;

// One parameter vector under a rule: the weights, the rule's state slots and its other
// inputs, advanced one step at a time by the block interpreter (float64).
class RuleStepper {
 public:
  // `tensor_ends`: where each parameter tensor ends (reductions stay within one); empty
  // means one tensor.
  RuleStepper(std::span<const double> weights, double lr, double wd, std::vector<int> tensor_ends = {});

  std::span<double> gradient() { return g_; }  // set before each step()
  std::span<const double> weights() const { return w_; }
  std::span<const double> update() const { return u_; }
  std::span<const double> state(int slot) const { return slot == 0 ? m_ : v_; }

  // Runs the rule for step t (1, 2, ...) and sets w <- w - u. Returns the largest |u|, or
  // NaN when an update is not finite (the weights are then left as they were).
  double step(const Program& rule, int t);

 private:
  ParamVector g_, w_, lr_, t_, wd_, m_, v_, u_;
  std::vector<int> ends_;
};

struct TrainResult {
  bool diverged = false;
  double validation = std::numeric_limits<double>::infinity();  // at the end of the budget
  double test = std::numeric_limits<double>::infinity();
  double test_accuracy = std::numeric_limits<double>::quiet_NaN();  // classifiers only
  // First step (checked every steps/20) at which the validation loss reached `target`;
  // -1 if it never did.
  int steps_to_target = -1;
};

struct TrainOptions {
  double lr = 1e-3;
  double wd = 0.0;
  double target = -std::numeric_limits<double>::infinity();  // for steps_to_target
  bool test = false;                                         // also compute the test loss
};

TrainResult train(const Program& rule, const Task& task, const TrainOptions& opt);

}  // namespace evo::optimizer
