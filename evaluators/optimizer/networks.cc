#include "evaluators/optimizer/networks.h"

#include <algorithm>
#include <cmath>

#include "search/rng.h"

namespace evo::optimizer {
namespace {

using Eigen::MatrixXd;
using Eigen::VectorXd;
using CMat = Eigen::Map<const MatrixXd>;
using Mat = Eigen::Map<MatrixXd>;

constexpr int kClasses = 10;

// Softmax cross-entropy of the logits z (classes x batch); turns z into d loss / d z.
BatchResult softmax_loss(MatrixXd& z, std::span<const int> y) {
  const double n = static_cast<double>(z.cols());
  BatchResult r;
  for (Eigen::Index j = 0; j < z.cols(); ++j) {
    Eigen::Index top = 0;
    const double peak = z.col(j).maxCoeff(&top);
    const double own = z(y[j], j) - peak;  // the true class's logit, shifted: the loss is finite however small
    z.col(j) = (z.col(j).array() - peak).exp();
    const double sum = z.col(j).sum();
    r.loss += std::log(sum) - own;
    r.accuracy += top == y[j];
    z.col(j) /= sum * n;
    z(y[j], j) -= 1 / n;
  }
  r.loss /= n;
  r.accuracy /= n;
  return r;
}

void he_normal(std::span<double> w, int fan_in, Rng& rng) {
  const double scale = std::sqrt(2.0 / fan_in);
  for (double& x : w) x = scale * rng.normal();
}

class Mlp final : public Network {
 public:
  explicit Mlp(std::vector<int> widths) : widths_(std::move(widths)) {
    for (std::size_t l = 0; l + 1 < widths_.size(); ++l) n_ += widths_[l + 1] * (widths_[l] + 1);
  }
  int num_params() const override { return n_; }
  std::vector<int> tensor_ends() const override {
    std::vector<int> ends;
    int at = 0;
    for (std::size_t l = 0; l + 1 < widths_.size(); ++l) {
      ends.push_back(at += widths_[l + 1] * widths_[l]);
      ends.push_back(at += widths_[l + 1]);
    }
    return ends;
  }
  std::vector<double> initial(unsigned long long seed) const override {
    Rng rng(seed);
    std::vector<double> w(n_, 0.0);
    int at = 0;
    for (std::size_t l = 0; l + 1 < widths_.size(); ++l) {
      he_normal(std::span(w).subspan(at, widths_[l + 1] * widths_[l]), widths_[l], rng);
      at += widths_[l + 1] * (widths_[l] + 1);
    }
    return w;
  }
  BatchResult run(std::span<const double> w, const MatrixXd& x, std::span<const int> y,
                  std::span<double> g) const override {
    const std::size_t layers = widths_.size() - 1;
    std::vector<MatrixXd> a(layers + 1);  // a[0] = x; a[l] the ReLU output of layer l
    MatrixXd z;
    int at = 0;
    for (std::size_t l = 0; l < layers; ++l) {
      const CMat W(w.data() + at, widths_[l + 1], widths_[l]);
      const Eigen::Map<const VectorXd> b(w.data() + at + widths_[l + 1] * widths_[l], widths_[l + 1]);
      z = W * (l == 0 ? x : a[l]);
      z.colwise() += b;
      if (l + 1 < layers) a[l + 1] = z.cwiseMax(0.0);
      at += widths_[l + 1] * (widths_[l] + 1);
    }
    const BatchResult r = softmax_loss(z, y);
    if (g.empty()) return r;
    MatrixXd dz = std::move(z);
    for (std::size_t l = layers; l-- > 0;) {
      at -= widths_[l + 1] * (widths_[l] + 1);
      const MatrixXd& in = l == 0 ? x : a[l];
      Mat(g.data() + at, widths_[l + 1], widths_[l]).noalias() = dz * in.transpose();
      Eigen::Map<VectorXd>(g.data() + at + widths_[l + 1] * widths_[l], widths_[l + 1]) = dz.rowwise().sum();
      if (l == 0) break;
      const CMat W(w.data() + at, widths_[l + 1], widths_[l]);
      MatrixXd da = W.transpose() * dz;
      dz = (a[l].array() > 0).select(da, 0.0);
    }
    return r;
  }

 private:
  std::vector<int> widths_;
  int n_ = 0;
};

class Cnn final : public Network {
 public:
  explicit Cnn(int filters) : f_(filters) {}
  int num_params() const override { return f_ * kK2 + f_ + kClasses * f_ * kPooled + kClasses; }
  std::vector<int> tensor_ends() const override {
    return {f_ * kK2, f_ * kK2 + f_, f_ * kK2 + f_ + kClasses * f_ * kPooled, num_params()};
  }
  std::vector<double> initial(unsigned long long seed) const override {
    Rng rng(seed);
    std::vector<double> w(num_params(), 0.0);
    he_normal(std::span(w).subspan(0, f_ * kK2), kK2, rng);
    he_normal(std::span(w).subspan(f_ * kK2 + f_, kClasses * f_ * kPooled), f_ * kPooled, rng);
    return w;
  }
  BatchResult run(std::span<const double> w, const MatrixXd& x, std::span<const int> y,
                  std::span<double> g) const override {
    const Eigen::Index batch = x.cols();
    // im2col: one column per (image, output position), one row per kernel tap.
    MatrixXd cols(kK2, batch * kOut * kOut);
    for (Eigen::Index b = 0; b < batch; ++b)
      for (int i = 0; i < kOut; ++i)
        for (int j = 0; j < kOut; ++j)
          for (int ki = 0; ki < kK; ++ki)
            for (int kj = 0; kj < kK; ++kj)
              cols(ki * kK + kj, (b * kOut + i) * kOut + j) = x((i + ki) * kSide + j + kj, b);
    const CMat kernels(w.data(), f_, kK2);
    const Eigen::Map<const VectorXd> kbias(w.data() + f_ * kK2, f_);
    MatrixXd conv = kernels * cols;
    conv.colwise() += kbias;
    conv = conv.cwiseMax(0.0);
    // 2x2 max-pooling; `from` remembers which conv output each pooled value came from.
    MatrixXd pooled(f_ * kPooled, batch);
    std::vector<Eigen::Index> from(static_cast<std::size_t>(pooled.size()));
    for (Eigen::Index b = 0; b < batch; ++b)
      for (int f = 0; f < f_; ++f)
        for (int pi = 0; pi < kOut / 2; ++pi)
          for (int pj = 0; pj < kOut / 2; ++pj) {
            Eigen::Index best = (b * kOut + 2 * pi) * kOut + 2 * pj;
            for (int di = 0; di < 2; ++di)
              for (int dj = 0; dj < 2; ++dj) {
                const Eigen::Index c = (b * kOut + 2 * pi + di) * kOut + 2 * pj + dj;
                if (conv(f, c) > conv(f, best)) best = c;
              }
            const Eigen::Index row = f * kPooled + pi * (kOut / 2) + pj;
            pooled(row, b) = conv(f, best);
            from[static_cast<std::size_t>(b * pooled.rows() + row)] = best;
          }
    const int dense_at = f_ * kK2 + f_;
    const CMat dense(w.data() + dense_at, kClasses, f_ * kPooled);
    const Eigen::Map<const VectorXd> dbias(w.data() + dense_at + kClasses * f_ * kPooled, kClasses);
    MatrixXd z = dense * pooled;
    z.colwise() += dbias;
    const BatchResult r = softmax_loss(z, y);
    if (g.empty()) return r;
    Mat(g.data() + dense_at, kClasses, f_ * kPooled).noalias() = z * pooled.transpose();
    Eigen::Map<VectorXd>(g.data() + dense_at + kClasses * f_ * kPooled, kClasses) = z.rowwise().sum();
    const MatrixXd dpooled = dense.transpose() * z;
    MatrixXd dconv = MatrixXd::Zero(f_, conv.cols());
    for (Eigen::Index b = 0; b < batch; ++b)
      for (Eigen::Index row = 0; row < pooled.rows(); ++row) {
        const Eigen::Index c = from[static_cast<std::size_t>(b * pooled.rows() + row)];
        if (pooled(row, b) > 0) dconv(row / kPooled, c) = dpooled(row, b);
      }
    Mat(g.data(), f_, kK2).noalias() = dconv * cols.transpose();
    Eigen::Map<VectorXd>(g.data() + f_ * kK2, f_) = dconv.rowwise().sum();
    return r;
  }

 private:
  static constexpr int kSide = 28, kK = 5, kK2 = kK * kK, kOut = kSide - kK + 1, kPooled = (kOut / 2) * (kOut / 2);
  int f_;
};

}  // namespace

std::unique_ptr<Network> make_mlp(std::vector<int> widths) { return std::make_unique<Mlp>(std::move(widths)); }
std::unique_ptr<Network> make_cnn(int filters) { return std::make_unique<Cnn>(filters); }

BatchResult run_all(const Network& net, std::span<const double> w, const MatrixXd& x, std::span<const int> y) {
  constexpr Eigen::Index kChunk = 200;
  BatchResult total;
  for (Eigen::Index at = 0; at < x.cols(); at += kChunk) {
    const Eigen::Index n = std::min(kChunk, x.cols() - at);
    const BatchResult r = net.run(w, x.middleCols(at, n), y.subspan(static_cast<std::size_t>(at), static_cast<std::size_t>(n)), {});
    total.loss += r.loss * static_cast<double>(n);
    total.accuracy += r.accuracy * static_cast<double>(n);
  }
  total.loss /= static_cast<double>(x.cols());
  total.accuracy /= static_cast<double>(x.cols());
  return total;
}

}  // namespace evo::optimizer
