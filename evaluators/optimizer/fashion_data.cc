#include "evaluators/optimizer/fashion_data.h"

#include <cmath>
#include <numeric>
#include <string>

#include "evaluators/optimizer/idx.h"
#include "search/errors.h"
#include "search/rng.h"

namespace evo::optimizer {
namespace {

constexpr int kPixels = 28 * 28;
constexpr int kValidation = 10000;
constexpr std::uint64_t kSplitSeed = 0xfa5410;

// Columns `pick` of the images, scaled as (pixel / 255 - mean) / deviation.
ImageSplit columns(const LabelledImages& d, const std::vector<int>& pick, double mean, double dev) {
  ImageSplit s;
  s.x.resize(kPixels, static_cast<Eigen::Index>(pick.size()));
  s.y.resize(pick.size());
  for (std::size_t j = 0; j < pick.size(); ++j) {
    const std::uint8_t* px = d.pixels.data() + static_cast<std::size_t>(pick[j]) * kPixels;
    for (int i = 0; i < kPixels; ++i) s.x(i, static_cast<Eigen::Index>(j)) = (px[i] / 255.0 - mean) / dev;
    s.y[j] = d.labels[pick[j]];
  }
  return s;
}

FashionData load() {
  const LabelledImages train = load_fashion_mnist(true);
  const LabelledImages test = load_fashion_mnist(false);
  const std::string where = "Fashion-MNIST in " + fashion_mnist_dir() + ": ";
  for (const LabelledImages* d : {&train, &test})
    if (d->rows != 28 || d->cols != 28)
      throw InputError(where + "images are " + std::to_string(d->rows) + "x" + std::to_string(d->cols) + ", not 28x28");
  if (train.size() <= static_cast<std::size_t>(kValidation) || test.size() == 0)
    throw InputError(where + "expected more than 10,000 training images and some test images, found " +
                     std::to_string(train.size()) + " and " + std::to_string(test.size()));
  double sum = 0, sq = 0;
  for (std::uint8_t p : train.pixels) sum += p / 255.0, sq += (p / 255.0) * (p / 255.0);
  const double n = static_cast<double>(train.pixels.size());
  const double mean = sum / n, dev = std::sqrt(sq / n - mean * mean);
  if (!(dev > 0)) throw InputError(where + "every training pixel has the same value");

  std::vector<int> order(train.size());
  std::iota(order.begin(), order.end(), 0);
  Rng rng(kSplitSeed);
  for (std::size_t i = order.size() - 1; i > 0; --i) std::swap(order[i], order[rng.below(static_cast<std::uint64_t>(i + 1))]);
  const std::vector<int> fit(order.begin(), order.end() - kValidation), held(order.end() - kValidation, order.end());
  std::vector<int> all(test.size());
  std::iota(all.begin(), all.end(), 0);
  return {columns(train, fit, mean, dev), columns(train, held, mean, dev), columns(test, all, mean, dev)};
}

}  // namespace

const FashionData& fashion_data() {
  static const FashionData data = load();
  return data;
}

ImageSplit project(const ImageSplit& s, int dims, unsigned long long seed) {
  Rng rng(seed);
  Eigen::MatrixXd p(dims, s.x.rows());
  for (Eigen::Index j = 0; j < p.cols(); ++j)
    for (Eigen::Index i = 0; i < p.rows(); ++i) p(i, j) = rng.normal() / std::sqrt(static_cast<double>(s.x.rows()));
  return {p * s.x, s.y};
}

}  // namespace evo::optimizer
