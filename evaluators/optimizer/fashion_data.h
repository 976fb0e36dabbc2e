// Fashion-MNIST as the optimizer's tasks see it. Pixels are scaled to mean 0 and variance 1
// (one mean and one deviation, over the training images). The 60,000-image training file
// is split once, by a fixed permutation, into 50,000 training and 10,000 validation
// images; the 10,000-image test file is the test split. Loaded on first use and shared by
// every task in the process.
#pragma once

#include <vector>

#include <Eigen/Core>

namespace evo::optimizer {

struct ImageSplit {
  Eigen::MatrixXd x;   // one column per image, 784 pixels row-major (28 x 28)
  std::vector<int> y;  // labels 0..9
};

struct FashionData {
  ImageSplit train, validation, test;
};

// Throws InputError (naming the files) when the dataset cannot be read.
const FashionData& fashion_data();

// The same images under a fixed random projection to `dims` features (a Gaussian matrix
// with variance 1/784 per entry, drawn from `seed`), as the small tasks use them.
ImageSplit project(const ImageSplit& s, int dims, unsigned long long seed);

}  // namespace evo::optimizer
