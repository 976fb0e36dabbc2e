// Compressing one dense layer W (out x in) to a level, the ways EvoPress's per-layer
// database is built:
//
//   magnitude   unstructured pruning: the given fraction of weights with the smallest |w|
//               in the layer set to 0
//   sparsegpt   calibration-aware pruning (SparseGPT): columns left to right, each pruned
//               weight's error spread over the not-yet-visited columns through the inverse
//               Hessian of the layer's inputs; the mask is chosen per block of 128 columns
//               from w² / [H⁻¹]ⱼⱼ², so each block has the same sparsity
//   rtn         round-to-nearest quantization: per output row and per group of `group`
//               inputs, an asymmetric grid of 2^bits levels spanning [min(0, w), max(0, w)]
//   gptq        the same grid, quantized column by column with the error spread as in
//               sparsegpt (GPTQ)
//
// The Hessian is H = 2/n X Xᵀ over calibration inputs X (in x n), damped by 1% of its
// mean diagonal; inputs that are always 0 get their weights zeroed.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <Eigen/Core>

namespace evo::compression {

Eigen::MatrixXf hessian(const Eigen::MatrixXf& inputs);  // in x in

Eigen::MatrixXf prune_magnitude(const Eigen::MatrixXf& w, double sparsity);
Eigen::MatrixXf prune_sparsegpt(const Eigen::MatrixXf& w, const Eigen::MatrixXf& h, double sparsity);

// A quantization grid: value = scale * (code - zero), code in 0 .. 2^bits - 1.
struct QuantGrid {
  float scale = 1, zero = 0;
};

// group <= 0 or >= in: one group per row. When `grids` is given it receives each row's
// grids, row by row, one per group of inputs (what a packed layer stores).
Eigen::MatrixXf quantize_rtn(const Eigen::MatrixXf& w, int bits, int group, std::vector<QuantGrid>* grids = nullptr);
Eigen::MatrixXf quantize_gptq(const Eigen::MatrixXf& w, const Eigen::MatrixXf& h, int bits, int group,
                              std::vector<QuantGrid>* grids = nullptr);
int group_size(int group, Eigen::Index in);  // the inputs per group a setting means

// A layer quantized to a bit level, with what a packed layer stores.
struct QuantizedLayer {
  Eigen::MatrixXf weight;
  std::vector<QuantGrid> grids;  // per row, per group
  std::vector<int> row_bits;     // each row's width
};

// Rows promoted to b + 1 bits at level b + f: round(f * rows).
Eigen::Index promoted_rows(double level, Eigen::Index rows);

// Fractional bit levels mix rows. Each row is quantized independently of the others, so
// a layer with some rows at b bits and the rest at b + 1 is exactly what a per-row width
// gives. At level b + f the promoted_rows(b + f) rows that gain most from the extra bit
// are at b + 1: a row's gain is its error at b minus at b + 1, the error being
// (q - w) H (q - w)ᵀ for gptq, |q - w|² for rtn (no calibration data).
std::vector<Eigen::Index> promotion_order(const std::string& method, const Eigen::MatrixXf& w,
                                          const Eigen::MatrixXf& h, const Eigen::MatrixXf& lo,
                                          const Eigen::MatrixXf& hi);  // rows, most gain first
// lo with the first k rows of `order` taken from hi.
Eigen::MatrixXf promote_rows(const Eigen::MatrixXf& lo, const Eigen::MatrixXf& hi,
                             const std::vector<Eigen::Index>& order, Eigen::Index k);

// Quantizes one layer (rtn or gptq) to any bit level, with its grids; each whole width is
// computed once.
class LayerQuantizer {
 public:
  LayerQuantizer(std::string method, const Eigen::MatrixXf& w, const Eigen::MatrixXf& h, int group);
  const QuantizedLayer& whole(int bits);
  const std::vector<Eigen::Index>& order(int bits);  // promotion_order from bits to bits + 1
  QuantizedLayer at(double level);

 private:
  std::string method_;
  const Eigen::MatrixXf& w_;
  const Eigen::MatrixXf& h_;
  int group_;
  std::map<int, QuantizedLayer> whole_;
  std::map<int, std::vector<Eigen::Index>> order_;
};

}  // namespace evo::compression
