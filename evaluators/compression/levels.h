// The per-layer compression database: every layer of a model compressed to every level of
// one family (sparsity fractions or bit-widths) by one method, built once from calibration
// inputs and reused by every layout the search tries. A layout picks one level per layer;
// applying it assembles the compressed model from the stored weights.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "evaluators/compression/model.h"

namespace evo::compression {

struct LevelSet {
  std::string method;                       // magnitude | sparsegpt (sparsity) or rtn | gptq (bits)
  std::vector<std::vector<double>> levels;  // [layer]: sparsity fractions in [0, 1), or bits in [1, 16]
  int group = 0;                            // quantization group along the inputs (0 = a whole row)
  bool is_sparsity() const { return method == "magnitude" || method == "sparsegpt"; }
  // What the database was built for, in full (it is compared on load).
  std::string describe() const;
};

// The same levels in each of `layers` layers.
std::vector<std::vector<double>> same_levels(std::size_t layers, const std::vector<double>& levels);

// Sparsity levels in equal steps of `step` weights in every layer: level k of a layer of
// n weights prunes k * step of them (fraction k * step / n), for every k with
// k * step <= max_sparsity * n. Equal steps are what lets a level switch (one layer up,
// another down) keep the number of pruned weights in the model exact.
std::vector<std::vector<double>> sparsity_steps(const std::vector<long>& layer_sizes, long step,
                                                double max_sparsity);

// Bit levels: every width in `widths`, and with `rows_per_step` > 0, between two
// consecutive widths b and b + 1 the levels that promote rows_per_step, 2 rows_per_step, ...
// of a layer's rows to b + 1 bits (see promotion_order): b + k rows_per_step / rows. Each
// step then costs rows_per_step x the layer's inputs, the same in layers of equal width.
std::vector<std::vector<double>> bit_steps(const std::vector<long>& layer_rows, std::vector<int> widths,
                                           long rows_per_step);

// Throws InputError naming the problem (unknown method, a level outside its range, levels
// not increasing).
void validate(const LevelSet& set);

struct LevelDatabase {
  LevelSet set;
  // What is stored, per layer. Sparsity: one matrix per level. Bits: one per whole width in
  // widths[layer] (ascending), and for each width w whose w + 1 is held too, the rows in
  // the order they are promoted (orders[layer][w]); a level between two widths is
  // assembled from them by rows (weight()), so fine levels cost no storage.
  std::vector<std::vector<Eigen::MatrixXf>> weights;
  std::vector<std::vector<int>> widths;
  std::vector<std::vector<std::vector<Eigen::Index>>> orders;
  std::vector<long> layer_sizes;  // weights per layer (for budgets)
  // Level `level` (an index into set.levels[layer]) of a layer.
  Eigen::MatrixXf weight(std::size_t layer, std::size_t level) const;
};

// What a layer (rows x cols) at a level costs the budget, in whole units: weights pruned
// (sparsity, exactly as the pruners count them) or bits stored (each row's width x cols).
long level_cost(const LevelSet& set, long rows, long cols, double level);

// Layer i's levels are computed from the dense model's inputs to layer i on `calibration`
// (inputs x n columns).
LevelDatabase build_levels(const DenseModel& dense, const Eigen::MatrixXf& calibration, const LevelSet& set);

// One safetensors file: tensor "layer.<i>.level.<k>" per weight, the set in its metadata
// plus `key` (what the database was built from, e.g. the model's digest and the
// calibration draw). load_levels throws InputError when the file's key or set differ.
void save_levels(const std::string& path, const LevelDatabase& db, const std::string& key);
LevelDatabase load_levels(const std::string& path, const LevelSet& set, const std::string& key);

// The model with layer i's weights at level layout[i] (biases stay dense).
DenseModel apply_layout(const DenseModel& dense, const LevelDatabase& db, const std::vector<int>& layout);

// Mean over columns of KL(softmax(dense) || softmax(compressed)), given both logits.
double mean_kl_logits(const Eigen::MatrixXf& dense_logits, const Eigen::MatrixXf& compressed_logits);

// Mean over the columns of x of KL(softmax(dense logits) || softmax(compressed logits)).
double mean_kl(const DenseModel& dense, const DenseModel& compressed, const Eigen::MatrixXf& x);

}  // namespace evo::compression
