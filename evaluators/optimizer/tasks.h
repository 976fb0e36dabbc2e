// Proxy tasks an update rule is trained on: a differentiable loss over a flat parameter
// vector, with a fixed seed, a training budget, and separate validation and test losses.
// The search reads training gradients and validation losses only; test losses are for
// reports (`evo eval`).
//
//   quadratic   ill-conditioned quadratic (dimension 32, curvatures 1..1000 in a random
//               basis) with gradient noise; no data, so its test loss is its validation loss
//   rosenbrock  the chained Rosenbrock function in 10 dimensions from (-1.2, 1, ...);
//               deterministic, test loss = validation loss
//   regression  noisy linear regression, 32 features of scales 0.1..10, minibatches of 32
//               from 1,024 training rows; 256 validation and 256 test rows
//   fmnist_*    Fashion-MNIST classifiers (fashion_tasks.h)
#pragma once

#include <limits>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace evo::optimizer {

class Task {
 public:
  virtual ~Task() = default;
  virtual std::string name() const = 0;
  virtual int dim() const = 0;
  virtual int steps() const = 0;  // training budget
  virtual std::vector<double> initial_weights() const = 0;
  // Where each parameter tensor ends in the flat vector (the last is dim()): a rule's
  // reductions (rms, mean) run over one tensor at a time, as an optimizer in a framework
  // sees them. The default: one tensor.
  virtual std::vector<int> tensor_ends() const { return {dim()}; }
  // Training loss at w, and its (stochastic) gradient in g; the minibatch or noise is fixed
  // by the task's seed and `step`, so every rule sees the same sequence.
  virtual double gradient(std::span<const double> w, std::span<double> g, int step) const = 0;
  virtual double validation_loss(std::span<const double> w) const = 0;
  virtual double test_loss(std::span<const double> w) const = 0;
  // Fraction of test examples classified right; NaN for a task that is not a classifier.
  virtual double test_accuracy(std::span<const double> /*w*/) const { return std::numeric_limits<double>::quiet_NaN(); }
};

// Every task; small_task_names() are those cheap enough for the search's first stage.
std::vector<std::string> task_names();
std::vector<std::string> small_task_names();
// Throws InputError for an unknown name. Thread-safe to use once built (all methods const).
std::unique_ptr<Task> make_task(const std::string& name);

}  // namespace evo::optimizer
