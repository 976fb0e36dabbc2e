// The per-layer level database: level sets are validated; level 0 of a sparsity set is the
// dense model (KL 0); KL grows with uniform sparsity, for either pruner; the database
// round-trips through its file and refuses another model's. (That SparseGPT's layers lose
// less than magnitude's is tested layer by layer in layer_compression_test.cc: on a whole
// model it is not guaranteed, each layer being fitted to the dense model's inputs.)
#include "evaluators/compression/levels.h"

#include "evaluators/compression/layer_compression.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <random>

#include "search/errors.h"
#include "search/rng.h"
#include "tests/compression_fixtures.h"
#include "tests/e2e_support.h"

namespace evo::compression {
namespace {

TEST(Levels, SetsAreValidated) {
  auto set = [](std::string method, std::vector<double> levels, int group) {
    return LevelSet{std::move(method), same_levels(3, levels), group};
  };
  EXPECT_NO_THROW(validate(set("sparsegpt", {0, 0.5, 0.9}, 0)));
  EXPECT_NO_THROW(validate(set("gptq", {2, 3, 4, 8}, 32)));
  EXPECT_THROW(validate(set("prune", {0.5}, 0)), InputError);
  EXPECT_THROW(validate(set("magnitude", {}, 0)), InputError);
  EXPECT_THROW(validate({"magnitude", {}, 0}), InputError);
  EXPECT_THROW(validate(set("magnitude", {0, 1.0}, 0)), InputError);
  EXPECT_THROW(validate(set("magnitude", {0.5, 0.3}, 0)), InputError);
  EXPECT_NO_THROW(validate(set("rtn", {2, 2.5, 3}, 0)));  // fractional: rows at two widths
  EXPECT_THROW(validate(set("rtn", {0, 4}, 0)), InputError);
  EXPECT_THROW(validate(set("rtn", {0.5}, 0)), InputError);
  EXPECT_THROW(validate(set("gptq", {16.5}, 0)), InputError);
  EXPECT_THROW(validate(set("gptq", {4}, -1)), InputError);
}

TEST(Levels, EqualStepsPruneTheSameNumberOfWeightsInEveryLayer) {
  const auto grid = sparsity_steps({320, 256, 80}, 16, 0.9);
  ASSERT_EQ(grid.size(), 3u);
  EXPECT_EQ(grid[0].size(), 19u);  // 0, 16, ..., 288 of 320 (90 %)
  EXPECT_EQ(grid[1].size(), 15u);  // 0 .. 224 of 256 (87.5 %)
  EXPECT_EQ(grid[2].size(), 5u);   // 0 .. 64 of 80 (80 %)
  const LevelSet set{"sparsegpt", grid, 0};
  EXPECT_NO_THROW(validate(set));
  const std::vector<long> sizes{320, 256, 80};
  for (std::size_t i = 0; i < grid.size(); ++i)
    for (std::size_t k = 0; k < grid[i].size(); ++k)
      EXPECT_EQ(level_cost(set, 1, sizes[i], grid[i][k]), static_cast<long>(16 * k)) << i << "," << k;
  EXPECT_EQ(level_cost({"gptq", {{3}}, 0}, 10, 10, 3), 300);
  EXPECT_THROW(sparsity_steps({10}, 0, 0.9), InputError);
}

// Fractional bit levels: only between consecutive widths, in steps of whole rows; each step
// promotes the same number of rows, so it costs the same in every layer of a width.
TEST(Levels, BitStepsPromoteWholeRowsAndCostThemExactly) {
  const auto grid = bit_steps({128, 10}, {4, 2, 3, 8}, 16);
  ASSERT_EQ(grid.size(), 2u);
  const std::vector<double> wide = {2, 2.125, 2.25, 2.375, 2.5, 2.625, 2.75, 2.875, 3,
                                    3.125, 3.25, 3.375, 3.5, 3.625, 3.75, 3.875, 4, 8};
  EXPECT_EQ(grid[0], wide);
  EXPECT_EQ(grid[1], (std::vector<double>{2, 3, 4, 8}));  // 16 rows of 10: none
  EXPECT_EQ(bit_steps({10}, {2, 3}, 4)[0], (std::vector<double>{2, 2.4, 2.8, 3}));
  EXPECT_EQ(bit_steps({128}, {3, 4}, 0)[0], (std::vector<double>{3, 4}));
  EXPECT_THROW(bit_steps({128}, {3}, -1), InputError);
  const LevelSet set{"gptq", grid, 32};
  EXPECT_NO_THROW(validate(set));
  for (std::size_t k = 0; k + 2 < wide.size(); ++k)  // 16 rows of 64 inputs a step
    EXPECT_EQ(level_cost(set, 128, 64, wide[k + 1]) - level_cost(set, 128, 64, wide[k]), 16 * 64) << wide[k];
  EXPECT_EQ(level_cost(set, 10, 7, 2.4), (2 * 10 + 4) * 7);
  EXPECT_EQ(level_cost(set, 10, 7, 8), 8 * 70);
}

// A bit database stores whole widths and row orders; every level it assembles is what the
// layer quantizer gives, and the file round-trips.
TEST(Levels, FractionalBitLevelsAreAssembledFromWholeWidths) {
  const DenseModel m = small_model();
  const Eigen::MatrixXf calib = inputs(300, 4);
  std::vector<long> rows;
  for (const auto& l : m.layers) rows.push_back(static_cast<long>(l.weight.rows()));
  for (const char* method : {"gptq", "rtn"}) {
    const LevelSet set{method, bit_steps(rows, {2, 3, 4}, 3), 8};
    const LevelDatabase db = build_levels(m, calib, set);
    ASSERT_EQ(db.weights[0].size(), 3u);  // 2, 3 and 4 bits stored
    const auto layer_inputs = m.layer_inputs(calib);
    test::ScratchDir dir;
    save_levels(dir.file("l.safetensors"), db, "k");
    const LevelDatabase back = load_levels(dir.file("l.safetensors"), set, "k");
    for (std::size_t i = 0; i < m.layers.size(); ++i) {
      const Eigen::MatrixXf h = hessian(layer_inputs[i]);
      const Eigen::MatrixXf none;
      LayerQuantizer q(method, m.layers[i].weight, std::string(method) == "gptq" ? h : none, 8);
      for (std::size_t k = 0; k < set.levels[i].size(); ++k) {
        ASSERT_EQ(db.weight(i, k), q.at(set.levels[i][k]).weight) << method << " layer " << i << " level " << k;
        ASSERT_EQ(back.weight(i, k), db.weight(i, k)) << method << " layer " << i << " level " << k;
      }
    }
  }
}

TEST(Levels, KlIsZeroForTheSameModelAndMatchesTheDefinition) {
  const DenseModel m = small_model();
  const Eigen::MatrixXf x = inputs(50, 1);
  EXPECT_EQ(mean_kl(m, m, x), 0.0);
  DenseModel other = m;
  other.layers.back().bias[0] += 1.0f;
  // By hand for one column: sum p log(p/q).
  const Eigen::MatrixXf one = x.col(0);
  const Eigen::VectorXf zp = m.forward(one).col(0), zq = other.forward(one).col(0);
  const Eigen::ArrayXd p = zp.cast<double>().array().exp() / zp.cast<double>().array().exp().sum();
  const Eigen::ArrayXd q = zq.cast<double>().array().exp() / zq.cast<double>().array().exp().sum();
  EXPECT_NEAR(mean_kl(m, other, one), (p * (p / q).log()).sum(), 1e-9);
  EXPECT_GT(mean_kl(m, other, x), 0.0);
}

TEST(Levels, UniformLayoutsLoseMoreAsSparsityGrows) {
  const DenseModel m = small_model();
  const Eigen::MatrixXf calib = inputs(400, 2), held_out = inputs(400, 3);
  const LevelSet levels{"magnitude", same_levels(4, {0, 0.3, 0.6, 0.8}), 0};
  const LevelDatabase mag = build_levels(m, calib, levels);
  const LevelDatabase sgpt = build_levels(m, calib, {"sparsegpt", levels.levels, 0});
  ASSERT_EQ(mag.weights.size(), 4u);
  EXPECT_EQ(mag.layer_sizes, (std::vector<long>{320, 256, 256, 80}));
  EXPECT_EQ(mean_kl(m, apply_layout(m, mag, {0, 0, 0, 0}), held_out), 0.0);
  EXPECT_EQ(mean_kl(m, apply_layout(m, sgpt, {0, 0, 0, 0}), held_out), 0.0);
  double before_m = 0, before_s = 0;
  for (int k = 1; k < 4; ++k) {
    const double km = mean_kl(m, apply_layout(m, mag, {k, k, k, k}), held_out);
    const double ks = mean_kl(m, apply_layout(m, sgpt, {k, k, k, k}), held_out);
    EXPECT_GT(km, before_m) << "level " << k;
    EXPECT_GT(ks, before_s) << "level " << k;
    before_m = km;
    before_s = ks;
  }
  EXPECT_THROW(apply_layout(m, mag, {0, 0, 0}), std::invalid_argument);
  EXPECT_THROW(apply_layout(m, mag, {0, 0, 0, 4}), std::invalid_argument);
}

TEST(Levels, DatabaseRoundTripsAndRefusesAnotherModel) {
  const DenseModel m = small_model();
  const LevelSet set{"gptq", same_levels(4, {2, 4}), 8};
  const LevelDatabase db = build_levels(m, inputs(100, 4), set);
  test::ScratchDir dir;
  const std::string path = dir.file("levels.safetensors");
  save_levels(path, db, "model abc, 100 images");
  const LevelDatabase back = load_levels(path, set, "model abc, 100 images");
  ASSERT_EQ(back.weights.size(), db.weights.size());
  for (std::size_t i = 0; i < db.weights.size(); ++i)
    for (std::size_t k = 0; k < 2; ++k) EXPECT_EQ(back.weights[i][k], db.weights[i][k]) << i << "," << k;
  EXPECT_EQ(back.layer_sizes, db.layer_sizes);
  EXPECT_THROW(load_levels(path, set, "model xyz, 100 images"), InputError);
  EXPECT_THROW(load_levels(path, {"gptq", same_levels(4, {2, 4}), 16}, "model abc, 100 images"), InputError);
}

}  // namespace
}  // namespace evo::compression
