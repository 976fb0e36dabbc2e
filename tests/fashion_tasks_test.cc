// The Fashion-MNIST tasks: the networks' gradients against finite differences, the splits'
// sizes and scaling, and that AdamW trains every task to a better validation loss.
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "evaluators/optimizer/fashion_data.h"
#include "evaluators/optimizer/fashion_tasks.h"
#include "evaluators/optimizer/networks.h"
#include "evaluators/optimizer/rules.h"
#include "evaluators/optimizer/trainer.h"
#include "search/rng.h"

namespace evo::optimizer {
namespace {

// Central differences on a sample of parameters; the loss is smooth almost everywhere (ReLU
// and max-pool kinks are met with probability ~0 at a random point).
void expect_gradient_matches(const Network& net, int inputs, int batch) {
  Rng rng(7);
  Eigen::MatrixXd x(inputs, batch);
  for (Eigen::Index j = 0; j < x.cols(); ++j)
    for (Eigen::Index i = 0; i < x.rows(); ++i) x(i, j) = rng.normal();
  std::vector<int> y(static_cast<std::size_t>(batch));
  for (auto& label : y) label = rng.below(10);
  std::vector<double> w = net.initial(3);
  for (auto& v : w) v += 0.05 * rng.normal();  // biases away from 0 too
  std::vector<double> g(w.size()), none;
  net.run(w, x, y, g);
  const int checks = std::min<int>(60, net.num_params());
  for (int c = 0; c < checks; ++c) {
    const std::size_t i = static_cast<std::size_t>(c == 0 ? 0 : rng.below(net.num_params()));
    const double h = 1e-6;
    std::vector<double> wp = w, wm = w;
    wp[i] += h, wm[i] -= h;
    const double fd = (net.run(wp, x, y, none).loss - net.run(wm, x, y, none).loss) / (2 * h);
    EXPECT_NEAR(g[i], fd, 1e-5 * (1 + std::fabs(fd))) << "parameter " << i;
  }
}

TEST(Networks, MlpGradientMatchesFiniteDifferences) {
  expect_gradient_matches(*make_mlp({12, 10}), 12, 5);
  expect_gradient_matches(*make_mlp({12, 9, 7, 10}), 12, 5);
}

TEST(Networks, CnnGradientMatchesFiniteDifferences) { expect_gradient_matches(*make_cnn(3), 784, 2); }

TEST(Networks, ParameterCountsAndChunkedEvaluation) {
  EXPECT_EQ(make_mlp({32, 10})->num_params(), 330);
  EXPECT_EQ(make_mlp({784, 64, 32, 10})->num_params(), 52650);
  EXPECT_EQ(make_cnn(8)->num_params(), 11738);
  EXPECT_EQ(make_mlp({12, 9, 10})->tensor_ends(), (std::vector<int>{108, 117, 207, 217}));
  EXPECT_EQ(make_cnn(8)->tensor_ends(), (std::vector<int>{200, 208, 11728, 11738}));
  // run_all over 450 columns (chunks of 200) equals one run over all of them.
  const auto net = make_mlp({6, 10});
  Rng rng(2);
  Eigen::MatrixXd x(6, 450);
  for (Eigen::Index j = 0; j < x.cols(); ++j)
    for (Eigen::Index i = 0; i < x.rows(); ++i) x(i, j) = rng.normal();
  std::vector<int> y(450);
  for (auto& label : y) label = rng.below(10);
  const auto w = net->initial(1);
  const BatchResult whole = net->run(w, x, y, {}), chunked = run_all(*net, w, x, y);
  EXPECT_NEAR(whole.loss, chunked.loss, 1e-12);
  EXPECT_NEAR(whole.accuracy, chunked.accuracy, 1e-12);
}

TEST(FashionData, SplitsHaveTheDocumentedSizesAndScaling) {
  const FashionData& d = fashion_data();
  EXPECT_EQ(d.train.x.cols(), 50000);
  EXPECT_EQ(d.validation.x.cols(), 10000);
  EXPECT_EQ(d.test.x.cols(), 10000);
  EXPECT_EQ(d.train.x.rows(), 784);
  EXPECT_NEAR(d.train.x.mean(), 0.0, 0.02);  // over the training file; the 50,000 are most of it
  const double var = d.train.x.array().square().mean();
  EXPECT_NEAR(var, 1.0, 0.05);
  std::vector<int> counts(10, 0);
  for (int label : d.validation.y) ++counts.at(static_cast<std::size_t>(label));
  for (int c : counts) EXPECT_GT(c, 850);  // a shuffled split: every class about 1,000 times
  const ImageSplit p = project(d.test, 32, 5);
  EXPECT_EQ(p.x.rows(), 32);
  EXPECT_EQ(p.x.cols(), 10000);
  EXPECT_EQ(p.y, d.test.y);
}

TEST(FashionTasks, AdamWLearnsEverySmallTask) {
  for (const std::string name : {"fmnist_logreg", "fmnist_mlp"}) {
    const auto task = make_fashion_task(name);
    ASSERT_TRUE(task) << name;
    const double before = task->validation_loss(task->initial_weights());
    const TrainResult r = train(seed_program("adamw"), *task, {0.003, 0.0, -1.0 / 0.0, true});
    ASSERT_FALSE(r.diverged) << name;
    EXPECT_LT(r.validation, 0.5 * before) << name;
    EXPECT_GT(r.test_accuracy, 0.6) << name;  // ten classes: chance is 0.1
    EXPECT_LT(r.test_accuracy, 1.0) << name;
  }
  EXPECT_EQ(make_fashion_task("fmnist_resnet"), nullptr);
}

}  // namespace
}  // namespace evo::optimizer
