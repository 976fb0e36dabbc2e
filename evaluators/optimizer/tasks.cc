#include "evaluators/optimizer/tasks.h"

#include <algorithm>
#include <cmath>

#include <Eigen/Dense>

#include "evaluators/optimizer/fashion_tasks.h"
#include "search/errors.h"
#include "search/rng.h"

namespace evo::optimizer {
namespace {

using Eigen::MatrixXd;
using Eigen::VectorXd;
using ConstMap = Eigen::Map<const VectorXd>;
using Map = Eigen::Map<VectorXd>;

constexpr std::uint64_t kTaskSeed = 20231123;

MatrixXd normal_matrix(int rows, int cols, Rng& rng) {
  MatrixXd a(rows, cols);
  for (int j = 0; j < cols; ++j)
    for (int i = 0; i < rows; ++i) a(i, j) = rng.normal();
  return a;
}

class Quadratic final : public Task {
 public:
  Quadratic() {
    Rng rng(kTaskSeed);
    const MatrixXd q = Eigen::HouseholderQR<MatrixXd>(normal_matrix(kDim, kDim, rng)).householderQ();
    VectorXd lambda(kDim);
    for (int i = 0; i < kDim; ++i) lambda[i] = std::pow(10.0, 3.0 * i / (kDim - 1));
    a_ = q * lambda.asDiagonal() * q.transpose();
    opt_ = normal_matrix(kDim, 1, rng).col(0);
  }
  std::string name() const override { return "quadratic"; }
  int dim() const override { return kDim; }
  int steps() const override { return 200; }
  std::vector<double> initial_weights() const override { return std::vector<double>(kDim, 0.0); }
  double gradient(std::span<const double> w, std::span<double> g, int step) const override {
    const VectorXd d = ConstMap(w.data(), kDim) - opt_;
    const VectorXd ad = a_ * d;
    Map gm(g.data(), kDim);
    Rng rng = Rng::stream(kTaskSeed, static_cast<std::uint64_t>(step), 1);
    for (int i = 0; i < kDim; ++i) gm[i] = ad[i] + kNoise * rng.normal();
    return 0.5 * d.dot(ad);
  }
  double validation_loss(std::span<const double> w) const override {
    const VectorXd d = ConstMap(w.data(), kDim) - opt_;
    return 0.5 * d.dot(a_ * d);
  }
  double test_loss(std::span<const double> w) const override { return validation_loss(w); }

 private:
  static constexpr int kDim = 32;
  static constexpr double kNoise = 1.0;
  MatrixXd a_;
  VectorXd opt_;
};

class Rosenbrock final : public Task {
 public:
  std::string name() const override { return "rosenbrock"; }
  int dim() const override { return kDim; }
  int steps() const override { return 300; }
  std::vector<double> initial_weights() const override {
    std::vector<double> w(kDim);
    for (int i = 0; i < kDim; ++i) w[i] = i % 2 == 0 ? -1.2 : 1.0;
    return w;
  }
  double gradient(std::span<const double> w, std::span<double> g, int /*step*/) const override {
    return value(w, g.data());
  }
  double validation_loss(std::span<const double> w) const override { return value(w, nullptr); }
  double test_loss(std::span<const double> w) const override { return validation_loss(w); }

 private:
  // The function at w, and its gradient in g when g is given.
  static double value(std::span<const double> w, double* g) {
    double f = 0;
    if (g) std::fill(g, g + kDim, 0.0);
    for (int i = 0; i + 1 < kDim; ++i) {
      const double a = w[i + 1] - w[i] * w[i], b = 1 - w[i];
      f += 100 * a * a + b * b;
      if (g) g[i] += -400 * a * w[i] - 2 * b, g[i + 1] += 200 * a;
    }
    return f;
  }
  static constexpr int kDim = 10;
};

class Regression final : public Task {
 public:
  Regression() {
    Rng rng(kTaskSeed + 2);
    VectorXd scale(kDim);
    for (int j = 0; j < kDim; ++j) scale[j] = std::pow(10.0, -1.0 + 2.0 * j / (kDim - 1));
    const VectorXd beta = normal_matrix(kDim, 1, rng).col(0);
    auto make = [&](int rows, MatrixXd& x, VectorXd& y) {
      x = normal_matrix(rows, kDim, rng) * scale.asDiagonal();
      y = x * beta;
      for (int i = 0; i < rows; ++i) y[i] += kNoise * rng.normal();
    };
    make(kTrain, xtrain_, ytrain_);
    make(kHeldOut, xval_, yval_);
    make(kHeldOut, xtest_, ytest_);
  }
  std::string name() const override { return "regression"; }
  int dim() const override { return kDim; }
  int steps() const override { return 200; }
  std::vector<double> initial_weights() const override { return std::vector<double>(kDim, 0.0); }
  double gradient(std::span<const double> w, std::span<double> g, int step) const override {
    Rng rng = Rng::stream(kTaskSeed + 2, static_cast<std::uint64_t>(step), 1);
    MatrixXd xb(kBatch, kDim);
    VectorXd yb(kBatch);
    for (int i = 0; i < kBatch; ++i) {
      const int row = rng.below(kTrain);
      xb.row(i) = xtrain_.row(row);
      yb[i] = ytrain_[row];
    }
    const VectorXd r = xb * ConstMap(w.data(), kDim) - yb;
    Map(g.data(), kDim) = xb.transpose() * r / kBatch;
    return 0.5 * r.squaredNorm() / kBatch;
  }
  double validation_loss(std::span<const double> w) const override { return loss(xval_, yval_, w); }
  double test_loss(std::span<const double> w) const override { return loss(xtest_, ytest_, w); }

 private:
  static double loss(const MatrixXd& x, const VectorXd& y, std::span<const double> w) {
    return 0.5 * (x * ConstMap(w.data(), x.cols()) - y).squaredNorm() / static_cast<double>(x.rows());
  }
  static constexpr int kDim = 32, kTrain = 1024, kHeldOut = 256, kBatch = 32;
  static constexpr double kNoise = 0.5;
  MatrixXd xtrain_, xval_, xtest_;
  VectorXd ytrain_, yval_, ytest_;
};

}  // namespace

std::vector<std::string> small_task_names() {
  return {"quadratic", "rosenbrock", "regression", "fmnist_logreg", "fmnist_mlp"};
}

std::vector<std::string> task_names() {
  std::vector<std::string> names = {"quadratic", "rosenbrock", "regression"};
  for (auto& n : fashion_task_names()) names.push_back(n);
  return names;
}

std::unique_ptr<Task> make_task(const std::string& name) {
  if (name == "quadratic") return std::make_unique<Quadratic>();
  if (name == "rosenbrock") return std::make_unique<Rosenbrock>();
  if (name == "regression") return std::make_unique<Regression>();
  if (auto t = make_fashion_task(name)) return t;
  std::string known;
  for (const auto& n : task_names()) known.append(known.empty() ? "" : ", ").append(n);
  throw InputError("unknown task '" + name + "' (known: " + known + ")");
}

}  // namespace evo::optimizer
