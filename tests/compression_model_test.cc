// Dense models: safetensors round trip, shape checks on load, the training gradient
// against finite differences, and a short training run on Fashion-MNIST that must learn.
#include "evaluators/compression/model.h"

#include <gtest/gtest.h>

#include "tests/e2e_support.h"

#include <cmath>
#include <filesystem>
#include <random>

#include "evaluators/compression/safetensors.h"
#include "evaluators/compression/train_model.h"
#include "search/errors.h"
#include "search/rng.h"

namespace evo::compression {
namespace {

namespace fs = std::filesystem;

DenseModel tiny_model(std::uint64_t seed) {
  Rng rng = Rng::stream(seed, 0);
  auto layer = [&](int in, int out, bool residual) {
    DenseLayer l;
    l.weight = Eigen::MatrixXf(out, in);
    for (Eigen::Index i = 0; i < l.weight.size(); ++i) l.weight.data()[i] = static_cast<float>(rng.normal() * 0.7);
    l.bias = Eigen::VectorXf(out);
    for (Eigen::Index i = 0; i < out; ++i) l.bias[i] = static_cast<float>(rng.normal() * 0.1);
    l.residual = residual;
    return l;
  };
  DenseModel m;
  m.layers = {layer(5, 4, false), layer(4, 4, true), layer(4, 4, true), layer(4, 3, false)};
  return m;
}

Eigen::MatrixXf random_inputs(int rows, int cols, std::uint64_t seed) {
  Rng rng = Rng::stream(seed, 1);
  Eigen::MatrixXf x(rows, cols);
  for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = static_cast<float>(rng.normal());
  return x;
}

class ModelFileTest : public ::testing::Test {
 protected:
  std::string path(const std::string& name) const { return dir_.file(name); }
  test::ScratchDir dir_;
};

TEST_F(ModelFileTest, RoundTripKeepsWeightsResidualsAndMetadata) {
  DenseModel m = tiny_model(3);
  m.metadata = {{"test_accuracy", "0.5"}};
  save_model(path("m.safetensors"), m);
  const DenseModel back = load_model(path("m.safetensors"));
  ASSERT_EQ(back.layers.size(), m.layers.size());
  for (std::size_t i = 0; i < m.layers.size(); ++i) {
    EXPECT_EQ(back.layers[i].weight, m.layers[i].weight) << i;
    EXPECT_EQ(back.layers[i].bias, m.layers[i].bias) << i;
    EXPECT_EQ(back.layers[i].residual, m.layers[i].residual) << i;
  }
  EXPECT_EQ(back.metadata, m.metadata);
  const Eigen::MatrixXf x = random_inputs(5, 7, 3);
  EXPECT_EQ(back.forward(x), m.forward(x));
  // The file is plain safetensors: weights row-major, out x in.
  const TensorFile f = read_safetensors(path("m.safetensors"));
  EXPECT_EQ(f.at("layers.0.weight").shape, (std::vector<std::int64_t>{4, 5}));
  EXPECT_EQ(f.at("layers.0.weight").data[1], m.layers[0].weight(0, 1));
  EXPECT_EQ(f.metadata.at("residual"), "0,1,1,0");
}

TEST_F(ModelFileTest, ForwardIsResidualReluStack) {
  const DenseModel m = tiny_model(4);
  const Eigen::MatrixXf x = random_inputs(5, 3, 4);
  Eigen::MatrixXf h = x;
  for (std::size_t i = 0; i < m.layers.size(); ++i) {
    Eigen::MatrixXf z = m.layers[i].weight * h;
    z.colwise() += m.layers[i].bias;
    if (i + 1 < m.layers.size()) {
      Eigen::MatrixXf a = z.cwiseMax(0.0f);
      h = m.layers[i].residual ? Eigen::MatrixXf(a + h) : a;
    } else {
      h = z;
    }
  }
  EXPECT_TRUE(m.forward(x).isApprox(h, 1e-6f));
  const auto ins = m.layer_inputs(x);
  ASSERT_EQ(ins.size(), m.layers.size());
  EXPECT_EQ(ins[0], x);
  // From any layer's inputs on, the same logits, to the bit.
  for (std::size_t i = 0; i < m.layers.size(); ++i) EXPECT_EQ(m.forward_from(i, ins[i]), m.forward(x)) << i;
}

TEST_F(ModelFileTest, LoadRejectsInconsistentModels) {
  auto expect_rejected = [&](const TensorFile& f, const std::string& problem) {
    write_safetensors(path("bad.safetensors"), f);
    try {
      load_model(path("bad.safetensors"));
      ADD_FAILURE() << "accepted; expected " << problem;
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find(problem), std::string::npos) << e.what();
    }
  };
  auto tensor = [](std::vector<std::int64_t> shape) {
    Tensor t;
    t.shape = shape;
    t.data.assign(static_cast<std::size_t>(t.size()), 0.5f);
    return t;
  };
  expect_rejected(TensorFile{{{"w", tensor({2, 2})}}, {}}, "no tensor named layers.0.weight");
  expect_rejected(TensorFile{{{"layers.0.weight", tensor({2, 3})}}, {}}, "has no layers.0.bias");
  expect_rejected(TensorFile{{{"layers.0.weight", tensor({2, 3})}, {"layers.0.bias", tensor({3})}}, {}},
                  "does not match");
  expect_rejected(TensorFile{{{"layers.0.weight", tensor({2, 3})},
                              {"layers.0.bias", tensor({2})},
                              {"layers.1.weight", tensor({2, 4})},
                              {"layers.1.bias", tensor({2})}},
                             {}},
                  "takes 4 inputs but the layer before gives 2");
  expect_rejected(TensorFile{{{"layers.0.weight", tensor({2, 3})},
                              {"layers.0.bias", tensor({2})},
                              {"layers.1.weight", tensor({2, 2})},
                              {"layers.1.bias", tensor({2})}},
                             {{"residual", "1,0"}}},
                  "residual but not square");
  expect_rejected(TensorFile{{{"layers.0.weight", tensor({2, 2})}, {"layers.0.bias", tensor({2})}}, {{"residual", "1"}}},
                  "output layer cannot be residual");
  expect_rejected(TensorFile{{{"layers.0.weight", tensor({2, 2})}, {"layers.0.bias", tensor({2})}}, {{"residual", "x"}}},
                  "not a list of 0/1");
}

TEST(ModelTraining, GradientMatchesFiniteDifferences) {
  DenseModel m = tiny_model(5);
  const Eigen::MatrixXf x = random_inputs(5, 6, 5);
  const int labels[] = {0, 1, 2, 2, 1, 0};
  std::vector<Eigen::MatrixXf> gw;
  std::vector<Eigen::VectorXf> gb;
  cross_entropy_gradient(m, x, labels, gw, gb);
  std::vector<Eigen::MatrixXf> scratch_w;
  std::vector<Eigen::VectorXf> scratch_b;
  auto loss = [&] { return cross_entropy_gradient(m, x, labels, scratch_w, scratch_b); };
  const float h = 1e-3f;
  int checked = 0;
  for (std::size_t l = 0; l < m.layers.size(); ++l) {
    for (Eigen::Index k = 0; k < m.layers[l].weight.size(); k += 3) {
      float& w = m.layers[l].weight.data()[k];
      const float w0 = w;
      w = w0 + h;
      const double up = loss();
      w = w0 - h;
      const double down = loss();
      w = w0;
      EXPECT_NEAR((up - down) / (2 * h), gw[l].data()[k], 2e-3) << "layer " << l << " weight " << k;
      ++checked;
    }
    for (Eigen::Index k = 0; k < m.layers[l].bias.size(); ++k) {
      float& b = m.layers[l].bias[k];
      const float b0 = b;
      b = b0 + h;
      const double up = loss();
      b = b0 - h;
      const double down = loss();
      b = b0;
      EXPECT_NEAR((up - down) / (2 * h), gb[l][k], 2e-3) << "layer " << l << " bias " << k;
    }
  }
  EXPECT_GT(checked, 20);
}

TEST(ModelTraining, ShortRunLearnsAndIsDeterministic) {
  TrainOptions o;
  o.width = 32;
  o.blocks = 10;  // 12 linear layers, as compression's goal model has at least
  o.epochs = 2;
  o.train_size = 6000;
  o.batch = 32;
  o.lr = 0.003;
  int epochs_seen = 0;
  const TrainedModel a = train_fashion_model(o, [&](int, double loss, double) {
    ++epochs_seen;
    EXPECT_TRUE(std::isfinite(loss));
  });
  EXPECT_EQ(epochs_seen, 2);
  EXPECT_EQ(a.model.layers.size(), 12u);
  EXPECT_GT(a.validation_accuracy, 0.7);  // chance is 0.1
  EXPECT_GT(a.test_accuracy, 0.7);
  const TrainedModel b = train_fashion_model(o);
  EXPECT_EQ(b.test_accuracy, a.test_accuracy);
  EXPECT_EQ(b.model.layers[5].weight, a.model.layers[5].weight);
}

}  // namespace
}  // namespace evo::compression
