#include "evaluators/compression/packed_model.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace evo::compression {
namespace {

PackedLayer base(const DenseLayer& l) {
  PackedLayer p;
  p.rows = l.weight.rows();
  p.cols = l.weight.cols();
  p.bias = l.bias;
  p.residual = l.residual;
  return p;
}

// y = W x for the layer, by its storage.
Eigen::MatrixXf apply(const PackedLayer& l, const Eigen::MatrixXf& x) {
  switch (l.kind) {
    case PackedLayer::Kind::dense: return l.dense * x;
    case PackedLayer::Kind::sparse: {
      if (x.cols() != 1) return l.sparse * x;
      Eigen::VectorXf y = l.sparse * Eigen::VectorXf(x.col(0));  // Eigen's sparse matrix-vector path
      return y;
    }
    case PackedLayer::Kind::quantized: {
      Eigen::MatrixXf y(l.rows, x.cols());
      Eigen::RowVectorXf row(l.cols);
      const int g = group_size(l.group, l.cols);
      const Eigen::Index groups = (l.cols + g - 1) / g;
      for (Eigen::Index r = 0; r < l.rows; ++r) {
        const std::uint8_t* code = l.codes.data() + r * l.cols;
        for (Eigen::Index k = 0; k < groups; ++k) {
          const QuantGrid& q = l.grids[static_cast<std::size_t>(r * groups + k)];
          const Eigen::Index end = std::min<Eigen::Index>(l.cols, (k + 1) * g);
          for (Eigen::Index c = k * g; c < end; ++c) row[c] = q.scale * (static_cast<float>(code[c]) - q.zero);
        }
        y.row(r).noalias() = row * x;
      }
      return y;
    }
  }
  return {};
}

}  // namespace

std::size_t PackedLayer::weight_bytes() const {
  switch (kind) {
    case Kind::dense: return sizeof(float) * static_cast<std::size_t>(dense.size());
    case Kind::sparse:  // values and column indices, row starts
      return (sizeof(float) + sizeof(int)) * static_cast<std::size_t>(sparse.nonZeros()) +
             sizeof(int) * static_cast<std::size_t>(rows + 1);
    case Kind::quantized: {
      std::size_t code_bits = 0;
      for (int b : row_bits) code_bits += static_cast<std::size_t>(cols) * static_cast<std::size_t>(b);
      return (code_bits + 7) / 8 + sizeof(QuantGrid) * grids.size();
    }
  }
  return 0;
}

Eigen::MatrixXf PackedModel::forward(const Eigen::MatrixXf& x) const {
  Eigen::MatrixXf h = x;
  for (std::size_t i = 0; i < layers.size(); ++i) {
    Eigen::MatrixXf z = apply(layers[i], h);
    z.colwise() += layers[i].bias;
    if (i + 1 < layers.size()) z = z.cwiseMax(0.0f);
    h = layers[i].residual ? Eigen::MatrixXf(h + z) : z;
  }
  return h;
}

std::size_t PackedModel::weight_bytes() const {
  std::size_t b = 0;
  for (const auto& l : layers) b += l.weight_bytes();
  return b;
}

PackedModel pack_dense(const DenseModel& m) {
  PackedModel p;
  for (const auto& l : m.layers) {
    PackedLayer q = base(l);
    q.dense = l.weight;
    p.layers.push_back(std::move(q));
  }
  return p;
}

PackedModel pack_sparse(const DenseModel& m) {
  PackedModel p;
  for (const auto& l : m.layers) {
    PackedLayer q = base(l);
    q.kind = PackedLayer::Kind::sparse;
    q.sparse = l.weight.sparseView(0.0f, 0.0f);
    q.sparse.makeCompressed();
    p.layers.push_back(std::move(q));
  }
  return p;
}

PackedLayer pack_quantized(const DenseLayer& l, const std::vector<QuantGrid>& grids, int bits, int group) {
  return pack_quantized(l, grids, std::vector<int>(static_cast<std::size_t>(l.weight.rows()), bits), group);
}

PackedLayer pack_quantized(const DenseLayer& l, const std::vector<QuantGrid>& grids, const std::vector<int>& row_bits,
                           int group) {
  PackedLayer q = base(l);
  q.kind = PackedLayer::Kind::quantized;
  if (row_bits.size() != static_cast<std::size_t>(q.rows))
    throw std::invalid_argument("pack_quantized: one width per row expected");
  q.row_bits = row_bits;
  q.bits = row_bits.empty() ? 1 : *std::max_element(row_bits.begin(), row_bits.end());
  if (q.bits > 8 || (!row_bits.empty() && *std::min_element(row_bits.begin(), row_bits.end()) < 1))
    throw std::invalid_argument("pack_quantized: widths must be 1..8 bits (one byte per code)");
  q.group = group;
  q.grids = grids;
  const int g = group_size(group, q.cols);
  const Eigen::Index groups = (q.cols + g - 1) / g;
  if (grids.size() != static_cast<std::size_t>(q.rows * groups))
    throw std::invalid_argument("pack_quantized: one grid per row and group expected");
  q.codes.resize(static_cast<std::size_t>(q.rows * q.cols));
  for (Eigen::Index r = 0; r < q.rows; ++r)
    for (Eigen::Index c = 0; c < q.cols; ++c) {
      const QuantGrid& grid = grids[static_cast<std::size_t>(r * groups + c / g)];
      const float code = std::nearbyint(l.weight(r, c) / grid.scale + grid.zero);
      q.codes[static_cast<std::size_t>(r * q.cols + c)] = static_cast<std::uint8_t>(code);
    }
  return q;
}

}  // namespace evo::compression
