// A compressed model stored the way it would be deployed, to measure what compression
// buys in speed and size: pruned layers in compressed sparse rows, quantized layers as
// one-byte codes with a scale and zero per row and group, dequantized row by row as the
// layer runs. Both compute exactly what the dense form of the compressed weights does
// (up to the order of float additions).
#pragma once

#include <cstdint>
#include <vector>

#include <Eigen/Core>
#include <Eigen/SparseCore>

#include "evaluators/compression/layer_compression.h"
#include "evaluators/compression/model.h"

namespace evo::compression {

struct PackedLayer {
  enum class Kind { dense, sparse, quantized } kind = Kind::dense;
  Eigen::MatrixXf dense;                                  // kind dense
  Eigen::SparseMatrix<float, Eigen::RowMajor> sparse;     // kind sparse
  std::vector<std::uint8_t> codes;                        // kind quantized: rows x cols, row-major
  std::vector<QuantGrid> grids;                           // per row, per group
  int bits = 8, group = 0;                                // bits: the widest row's
  std::vector<int> row_bits;                              // kind quantized: each row's width
  Eigen::Index rows = 0, cols = 0;
  Eigen::VectorXf bias;
  bool residual = false;
  std::size_t weight_bytes() const;  // what storing the weights takes (codes bit-packed)
};

struct PackedModel {
  std::vector<PackedLayer> layers;
  Eigen::MatrixXf forward(const Eigen::MatrixXf& x) const;
  std::size_t weight_bytes() const;
};

PackedModel pack_dense(const DenseModel& m);
// Every layer in sparse rows (its zeros dropped).
PackedModel pack_sparse(const DenseModel& m);
// Layer i from its dense weights w and grids (from quantize_rtn/gptq): codes recovered as
// round(w / scale + zero), which the grid maps back to w exactly.
PackedLayer pack_quantized(const DenseLayer& l, const std::vector<QuantGrid>& grids, int bits, int group);
// The same with a width per row (at most 8 bits).
PackedLayer pack_quantized(const DenseLayer& l, const std::vector<QuantGrid>& grids, const std::vector<int>& row_bits,
                           int group);

}  // namespace evo::compression
