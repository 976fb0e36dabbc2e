// The model `evo model train` makes so compression has a real network to work on: a deep
// residual MLP on Fashion-MNIST (full 784-pixel images, the project's standardisation and
// 50k/10k/10k split), trained with Adam on mini-batches, deterministic for a seed.
//
//   layer 0            784 -> width, ReLU
//   layers 1..blocks   width -> width, x + ReLU(W x + b)
//   last               width -> 10 logits
#pragma once

#include <functional>
#include <vector>

#include "evaluators/compression/model.h"

namespace evo::compression {

struct TrainOptions {
  int width = 128;
  int blocks = 12;         // residual layers; blocks + 2 linear layers in all
  int epochs = 6;
  int batch = 128;
  double lr = 1e-3;        // Adam, cosine decay to 0 over the epochs
  long train_size = 0;     // first N training images (0 = all 50,000)
  unsigned long long seed = 1;
};

struct TrainedModel {
  DenseModel model;
  double validation_accuracy = 0;
  double test_accuracy = 0;
};

// The mean softmax cross-entropy of the columns of x with these labels, and its gradient
// with respect to each layer's weight and bias (resized to match the model).
double cross_entropy_gradient(const DenseModel& m, const Eigen::MatrixXf& x, const int* labels,
                              std::vector<Eigen::MatrixXf>& gw, std::vector<Eigen::VectorXf>& gb);

// `epoch_done(epoch, mean training loss, validation accuracy)` after each epoch.
TrainedModel train_fashion_model(const TrainOptions& opt,
                                 const std::function<void(int, double, double)>& epoch_done = {});

}  // namespace evo::compression
