// Softmax classifiers over a flat parameter vector, for the Fashion-MNIST tasks: the mean
// cross-entropy of a batch of examples (one column each) and its gradient.
//
//   mlp  fully connected layers with ReLU between them; widths {in, hidden..., 10}; one
//        layer is multinomial logistic regression. Parameters per layer: W (out x in,
//        column-major), then b.
//   cnn  one 5x5 convolution (valid, `filters` maps of 24x24 on a 28x28 image), ReLU, 2x2
//        max-pooling to 12x12, then a dense layer to 10 classes. Parameters: the kernels
//        (filters x 25), their biases, then the dense W and b.
#pragma once

#include <memory>
#include <span>
#include <vector>

#include <Eigen/Core>

namespace evo::optimizer {

struct BatchResult {
  double loss = 0;      // mean cross-entropy
  double accuracy = 0;  // fraction classified right
};

class Network {
 public:
  virtual ~Network() = default;
  virtual int num_params() const = 0;
  // Where each parameter tensor (a layer's weights, its biases) ends in the flat vector, in
  // order; the last is num_params().
  virtual std::vector<int> tensor_ends() const = 0;
  // He-initialised weights (normal, variance 2/fan-in) and zero biases, from `seed`.
  virtual std::vector<double> initial(unsigned long long seed) const = 0;
  // Over the columns of x with labels y; adds nothing to g and skips the backward pass when
  // g is empty, else sets g to the gradient of the mean loss.
  virtual BatchResult run(std::span<const double> w, const Eigen::MatrixXd& x, std::span<const int> y,
                          std::span<double> g) const = 0;
};

std::unique_ptr<Network> make_mlp(std::vector<int> widths);
std::unique_ptr<Network> make_cnn(int filters);

// Over a whole split, in chunks of columns so large splits need little memory.
BatchResult run_all(const Network& net, std::span<const double> w, const Eigen::MatrixXd& x, std::span<const int> y);

}  // namespace evo::optimizer
