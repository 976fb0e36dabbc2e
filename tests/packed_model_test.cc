// Packed (deployed) models compute what the dense form of their compressed weights does:
// sparse rows for pruned layers, byte codes with per-group grids for quantized ones; and
// they take less storage.
#include "evaluators/compression/packed_model.h"

#include <gtest/gtest.h>

#include "search/rng.h"

namespace evo::compression {
namespace {

Eigen::MatrixXf normal(Eigen::Index rows, Eigen::Index cols, std::uint64_t seed) {
  Rng rng = Rng::stream(seed, 3);
  Eigen::MatrixXf m(rows, cols);
  for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = static_cast<float>(rng.normal()) * 0.3f;
  return m;
}

DenseModel model() {
  DenseModel m;
  auto layer = [](int in, int out, bool residual, std::uint64_t seed) {
    DenseLayer l;
    l.weight = normal(out, in, seed);
    l.bias = normal(out, 1, seed + 50).col(0);
    l.residual = residual;
    return l;
  };
  m.layers = {layer(40, 24, false, 1), layer(24, 24, true, 2), layer(24, 6, false, 3)};
  return m;
}

TEST(PackedModel, SparseRowsComputeThePrunedModel) {
  DenseModel m = model();
  for (auto& l : m.layers) l.weight = prune_magnitude(l.weight, 0.7);
  const PackedModel p = pack_sparse(m);
  const Eigen::MatrixXf x = normal(40, 30, 9);
  EXPECT_TRUE(p.forward(x).isApprox(m.forward(x), 1e-5f));
  EXPECT_LT(p.weight_bytes(), pack_dense(m).weight_bytes());
  EXPECT_TRUE(pack_dense(m).forward(x).isApprox(m.forward(x), 1e-6f));
}

TEST(PackedModel, ByteCodesComputeTheQuantizedModel) {
  for (int group : {0, 8})
    for (bool gptq : {false, true}) {
      const DenseModel dense = model();
      DenseModel q = dense;
      PackedModel p;
      const Eigen::MatrixXf calib = normal(40, 200, 4);
      const auto inputs = dense.layer_inputs(calib);
      for (std::size_t i = 0; i < q.layers.size(); ++i) {
        std::vector<QuantGrid> grids;
        const Eigen::MatrixXf& w = dense.layers[i].weight;
        q.layers[i].weight = gptq ? quantize_gptq(w, hessian(inputs[i]), 3, group, &grids)
                                  : quantize_rtn(w, 3, group, &grids);
        const PackedLayer l = pack_quantized(q.layers[i], grids, 3, group);
        for (std::uint8_t c : l.codes) ASSERT_LE(c, 7);
        p.layers.push_back(l);
      }
      const Eigen::MatrixXf x = normal(40, 30, 9);
      EXPECT_TRUE(p.forward(x).isApprox(q.forward(x), 1e-5f)) << "group " << group << (gptq ? " gptq" : " rtn");
      // 3-bit codes, bit-packed, and a scale and zero (8 bytes) per row and group.
      std::size_t expected = 0;
      for (const auto& l : p.layers) expected += (l.rows * l.cols * 3 + 7) / 8 + 8 * l.grids.size();
      EXPECT_EQ(p.weight_bytes(), expected);
      EXPECT_LT(p.weight_bytes() * (group == 0 ? 6 : 2), pack_dense(dense).weight_bytes());
    }
}

TEST(PackedModel, GridsCountOnePerRowAndGroup) {
  std::vector<QuantGrid> grids;
  const Eigen::MatrixXf w = normal(5, 20, 2);
  quantize_rtn(w, 4, 8, &grids);
  EXPECT_EQ(grids.size(), 5u * 3);  // groups of 8, 8 and 4 inputs
  DenseLayer l{w, Eigen::VectorXf::Zero(5), false};
  EXPECT_THROW(pack_quantized(l, {}, 4, 8), std::invalid_argument);
}

}  // namespace
}  // namespace evo::compression
