// The models compression works on: a stack of dense layers, y = W x + b, with ReLU after
// every layer but the last, and optionally a residual connection (x + ReLU(W x + b)) on
// layers whose input and output widths agree. The last layer's outputs are class logits.
//
// In safetensors, layer i is "layers.i.weight" (out x in) and "layers.i.bias" (out); the
// metadata entry "residual" lists one 0/1 per layer (all 0 when absent).
#pragma once

#include <string>
#include <vector>

#include <Eigen/Core>

namespace evo::compression {

struct DenseLayer {
  Eigen::MatrixXf weight;  // out x in
  Eigen::VectorXf bias;    // out
  bool residual = false;
};

struct DenseModel {
  std::vector<DenseLayer> layers;
  std::vector<std::pair<std::string, std::string>> metadata;  // extra entries kept on save

  int inputs() const { return layers.empty() ? 0 : static_cast<int>(layers.front().weight.cols()); }
  int outputs() const { return layers.empty() ? 0 : static_cast<int>(layers.back().weight.rows()); }
  long parameters() const;
  // Logits for each column of x (inputs x n).
  Eigen::MatrixXf forward(const Eigen::MatrixXf& x) const;
  // Logits from layer `first` on, given the inputs that layer sees (layer_inputs(x)[first]):
  // forward(x) when the layers before `first` are those layer_inputs ran.
  Eigen::MatrixXf forward_from(std::size_t first, const Eigen::MatrixXf& h) const;
  // The inputs each layer sees for the columns of x, in order (layer i's is element i):
  // what calibration-aware compression of layer i needs.
  std::vector<Eigen::MatrixXf> layer_inputs(const Eigen::MatrixXf& x) const;
};

// Throws InputError when a layer is missing, shapes do not chain, or a residual layer is
// not square. Throws std::runtime_error when writing fails.
DenseModel load_model(const std::string& path);
void save_model(const std::string& path, const DenseModel& m);
std::string model_bytes(const DenseModel& m);  // what save_model writes

// Fraction of columns of x whose largest logit is at the label.
double accuracy(const DenseModel& m, const Eigen::MatrixXf& x, const std::vector<int>& labels);

}  // namespace evo::compression
