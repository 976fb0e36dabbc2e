#include "evaluators/compression/train_model.h"

#include <cmath>
#include <numeric>
#include <utility>

#include "evaluators/optimizer/fashion_data.h"
#include "search/rng.h"

namespace evo::compression {
namespace {

struct Moments {
  Eigen::MatrixXf mw, vw;
  Eigen::VectorXf mb, vb;
};

DenseLayer initial_layer(int in, int out, bool residual, double scale, Rng& rng) {
  DenseLayer l;
  l.weight.resize(out, in);
  const double sd = scale * std::sqrt(2.0 / in);  // He initialisation
  for (Eigen::Index j = 0; j < l.weight.cols(); ++j)
    for (Eigen::Index i = 0; i < l.weight.rows(); ++i) l.weight(i, j) = static_cast<float>(sd * rng.normal());
  l.bias = Eigen::VectorXf::Zero(out);
  l.residual = residual;
  return l;
}

}  // namespace

double cross_entropy_gradient(const DenseModel& m, const Eigen::MatrixXf& x, const int* labels,
                              std::vector<Eigen::MatrixXf>& gw, std::vector<Eigen::VectorXf>& gb) {
  const std::size_t L = m.layers.size();
  gw.resize(L);
  gb.resize(L);
  const float n = static_cast<float>(x.cols());
  std::vector<Eigen::MatrixXf> h(L), z(L);  // h[i]: layer i's input; z[i]: its pre-activation
  h[0] = x;
  for (std::size_t i = 0; i < L; ++i) {
    z[i] = m.layers[i].weight * h[i];
    z[i].colwise() += m.layers[i].bias;
    if (i + 1 < L) {
      h[i + 1] = z[i].cwiseMax(0.0f);
      if (m.layers[i].residual) h[i + 1] += h[i];
    }
  }
  // Softmax cross-entropy, shifted by each column's peak so exp cannot overflow.
  Eigen::MatrixXf d = z[L - 1];
  double loss = 0;
  for (Eigen::Index j = 0; j < d.cols(); ++j) {
    const float peak = d.col(j).maxCoeff();
    d.col(j) = (d.col(j).array() - peak).exp();
    const float sum = d.col(j).sum();
    loss += std::log(sum) - (z[L - 1](labels[j], j) - peak);
    d.col(j) /= sum;
    d(labels[j], j) -= 1.0f;
  }
  d /= n;
  // Backwards: d is the gradient at layer i's pre-activation; carry the gradient at h[i+1],
  // which a residual layer i passes to h[i] unchanged along its skip.
  Eigen::MatrixXf carry;
  for (std::size_t i = L; i-- > 0;) {
    gw[i].noalias() = d * h[i].transpose();
    gb[i] = d.rowwise().sum();
    if (i == 0) break;
    Eigen::MatrixXf at_h = m.layers[i].weight.transpose() * d;
    if (m.layers[i].residual) at_h += carry;
    d = (z[i - 1].array() > 0.0f).select(at_h, 0.0f);
    carry = std::move(at_h);
  }
  return loss / n;
}

TrainedModel train_fashion_model(const TrainOptions& opt, const std::function<void(int, double, double)>& epoch_done) {
  const optimizer::FashionData& data = optimizer::fashion_data();
  const long n_train = opt.train_size > 0 ? std::min<long>(opt.train_size, data.train.x.cols()) : data.train.x.cols();
  const Eigen::MatrixXf train_x = data.train.x.leftCols(n_train).cast<float>();
  const Eigen::MatrixXf val_x = data.validation.x.cast<float>();
  const Eigen::MatrixXf test_x = data.test.x.cast<float>();

  Rng rng = Rng::stream(opt.seed, 0, 0x6d6f64656cULL);  // "model"
  TrainedModel out;
  DenseModel& m = out.model;
  const int in = static_cast<int>(train_x.rows());
  m.layers.push_back(initial_layer(in, opt.width, false, 1.0, rng));
  // Residual branches start small so the sum of many stays near the identity.
  for (int b = 0; b < opt.blocks; ++b)
    m.layers.push_back(initial_layer(opt.width, opt.width, true, 1.0 / std::sqrt(double(opt.blocks)), rng));
  m.layers.push_back(initial_layer(opt.width, 10, false, 1.0, rng));

  const std::size_t L = m.layers.size();
  std::vector<Eigen::MatrixXf> gw(L);
  std::vector<Eigen::VectorXf> gb(L);
  std::vector<Moments> mom(L);
  for (std::size_t i = 0; i < L; ++i) {
    const auto& l = m.layers[i];
    mom[i] = {Eigen::MatrixXf::Zero(l.weight.rows(), l.weight.cols()), Eigen::MatrixXf::Zero(l.weight.rows(), l.weight.cols()),
              Eigen::VectorXf::Zero(l.bias.size()), Eigen::VectorXf::Zero(l.bias.size())};
  }
  constexpr float b1 = 0.9f, b2 = 0.999f, eps = 1e-8f;
  std::vector<long> order(static_cast<std::size_t>(n_train));
  std::iota(order.begin(), order.end(), 0L);
  Eigen::MatrixXf batch_x(in, opt.batch);
  std::vector<int> batch_y(static_cast<std::size_t>(opt.batch));
  long step = 0;
  for (int epoch = 0; epoch < opt.epochs; ++epoch) {
    // A fresh shuffle each epoch (Fisher-Yates from the seeded stream).
    for (std::size_t k = order.size(); k > 1; --k) std::swap(order[k - 1], order[rng.below(static_cast<std::uint64_t>(k))]);
    double loss_sum = 0;
    long batches = 0;
    for (long start = 0; start + opt.batch <= n_train; start += opt.batch) {
      for (int j = 0; j < opt.batch; ++j) {
        const long idx = order[static_cast<std::size_t>(start + j)];
        batch_x.col(j) = train_x.col(idx);
        batch_y[static_cast<std::size_t>(j)] = data.train.y[static_cast<std::size_t>(idx)];
      }
      loss_sum += cross_entropy_gradient(m, batch_x, batch_y.data(), gw, gb);
      ++batches;
      ++step;
      // Cosine decay of the step size over the whole run.
      const double progress = (epoch + static_cast<double>(start) / static_cast<double>(n_train)) / opt.epochs;
      const float lr = static_cast<float>(opt.lr * 0.5 * (1 + std::cos(M_PI * progress)));
      const float c1 = 1.0f / (1.0f - std::pow(b1, static_cast<float>(step)));
      const float c2 = 1.0f / (1.0f - std::pow(b2, static_cast<float>(step)));
      for (std::size_t i = 0; i < L; ++i) {
        Moments& o = mom[i];
        o.mw = b1 * o.mw + (1 - b1) * gw[i];
        o.vw = b2 * o.vw + (1 - b2) * gw[i].cwiseProduct(gw[i]);
        o.mb = b1 * o.mb + (1 - b1) * gb[i];
        o.vb = b2 * o.vb + (1 - b2) * gb[i].cwiseProduct(gb[i]);
        m.layers[i].weight.array() -= lr * (o.mw.array() * c1) / ((o.vw.array() * c2).sqrt() + eps);
        m.layers[i].bias.array() -= lr * (o.mb.array() * c1) / ((o.vb.array() * c2).sqrt() + eps);
      }
    }
    out.validation_accuracy = accuracy(m, val_x, data.validation.y);
    if (epoch_done) epoch_done(epoch + 1, batches ? loss_sum / static_cast<double>(batches) : 0.0, out.validation_accuracy);
  }
  out.test_accuracy = accuracy(m, test_x, data.test.y);
  return out;
}

}  // namespace evo::compression
