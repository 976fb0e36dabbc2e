#include "evaluators/optimizer/fashion_tasks.h"

#include "evaluators/optimizer/fashion_data.h"
#include "evaluators/optimizer/networks.h"
#include "search/rng.h"

namespace evo::optimizer {
namespace {

constexpr std::uint64_t kTaskSeed = 0xfa5411;
constexpr int kProjected = 32;

struct Recipe {
  const char* name;
  bool projected;
  std::vector<int> widths;  // empty: the convolutional net
  int batch, steps, validation_rows;
};

const std::vector<Recipe>& recipes() {
  static const std::vector<Recipe> r = {
      {"fmnist_logreg", true, {kProjected, 10}, 32, 200, 2000},
      {"fmnist_mlp", true, {kProjected, 32, 10}, 32, 200, 2000},
      {"fmnist_mlp_deep", false, {784, 64, 32, 10}, 64, 300, 5000},
      {"fmnist_cnn", false, {}, 32, 300, 5000},
  };
  return r;
}

class FashionTask final : public Task {
 public:
  FashionTask(const Recipe& r, std::uint64_t seed) : recipe_(r), seed_(seed) {
    const FashionData& d = fashion_data();
    if (r.projected) {
      projected_ = {project(d.train, kProjected, seed), project(d.validation, kProjected, seed),
                    project(d.test, kProjected, seed)};
    }
    const FashionData& use = r.projected ? projected_ : d;
    train_ = &use.train;
    test_ = &use.test;
    validation_ = {use.validation.x.leftCols(r.validation_rows),
                   std::vector<int>(use.validation.y.begin(), use.validation.y.begin() + r.validation_rows)};
    net_ = r.widths.empty() ? make_cnn(8) : make_mlp(r.widths);
  }
  std::string name() const override { return recipe_.name; }
  int dim() const override { return net_->num_params(); }
  int steps() const override { return recipe_.steps; }
  std::vector<double> initial_weights() const override { return net_->initial(seed_); }
  std::vector<int> tensor_ends() const override { return net_->tensor_ends(); }
  double gradient(std::span<const double> w, std::span<double> g, int step) const override {
    Rng rng = Rng::stream(seed_, static_cast<std::uint64_t>(step), 1);
    Eigen::MatrixXd xb(train_->x.rows(), recipe_.batch);
    std::vector<int> yb(static_cast<std::size_t>(recipe_.batch));
    for (int i = 0; i < recipe_.batch; ++i) {
      const int row = rng.below(static_cast<int>(train_->y.size()));
      xb.col(i) = train_->x.col(row);
      yb[static_cast<std::size_t>(i)] = train_->y[static_cast<std::size_t>(row)];
    }
    return net_->run(w, xb, yb, g).loss;
  }
  double validation_loss(std::span<const double> w) const override {
    return run_all(*net_, w, validation_.x, validation_.y).loss;
  }
  double test_loss(std::span<const double> w) const override { return run_all(*net_, w, test_->x, test_->y).loss; }
  double test_accuracy(std::span<const double> w) const override {
    return run_all(*net_, w, test_->x, test_->y).accuracy;
  }

 private:
  Recipe recipe_;
  std::uint64_t seed_;
  FashionData projected_;  // the projected splits (small tasks only)
  const ImageSplit* train_;
  const ImageSplit* test_;
  ImageSplit validation_;  // the first validation_rows images
  std::unique_ptr<Network> net_;
};

}  // namespace

std::vector<std::string> fashion_task_names() {
  std::vector<std::string> names;
  for (const auto& r : recipes()) names.emplace_back(r.name);
  return names;
}

std::unique_ptr<Task> make_fashion_task(const std::string& name) {
  const auto& all = recipes();
  for (std::size_t k = 0; k < all.size(); ++k)
    if (name == all[k].name) return std::make_unique<FashionTask>(all[k], kTaskSeed + k);
  return nullptr;
}

}  // namespace evo::optimizer
