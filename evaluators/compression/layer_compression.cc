#include "evaluators/compression/layer_compression.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <vector>

#include <Eigen/Cholesky>

namespace evo::compression {
namespace {

constexpr int kBlock = 128;  // SparseGPT's mask block

// Indices of the k smallest scores (ties broken by index, so the result is deterministic).
std::vector<Eigen::Index> smallest(const Eigen::VectorXd& score, Eigen::Index k) {
  std::vector<Eigen::Index> idx(static_cast<std::size_t>(score.size()));
  std::iota(idx.begin(), idx.end(), Eigen::Index{0});
  k = std::clamp<Eigen::Index>(k, 0, score.size());
  std::nth_element(idx.begin(), idx.begin() + k, idx.end(), [&](Eigen::Index a, Eigen::Index b) {
    return score[a] < score[b] || (score[a] == score[b] && a < b);
  });
  idx.resize(static_cast<std::size_t>(k));
  return idx;
}

Eigen::Index count_for(double fraction, Eigen::Index n) {
  if (!(fraction >= 0 && fraction <= 1)) throw std::invalid_argument("sparsity must be in [0, 1]");
  return static_cast<Eigen::Index>(std::floor(fraction * static_cast<double>(n) + 1e-9));
}

// Upper Cholesky factor U of H⁻¹ (H⁻¹ = Uᵀ U), in double, after damping; columns whose
// input is always 0 are marked dead. U's row j, from j on, is how the error of column j
// spreads to the columns after it.
Eigen::MatrixXd inverse_hessian_factor(const Eigen::MatrixXf& hf, std::vector<bool>& dead) {
  Eigen::MatrixXd h = hf.cast<double>();
  const Eigen::Index n = h.rows();
  dead.assign(static_cast<std::size_t>(n), false);
  for (Eigen::Index j = 0; j < n; ++j)
    if (h(j, j) == 0) {
      dead[static_cast<std::size_t>(j)] = true;
      h(j, j) = 1;
    }
  const double damp = 0.01 * h.diagonal().mean();
  h.diagonal().array() += damp;
  const Eigen::MatrixXd inv = h.llt().solve(Eigen::MatrixXd::Identity(n, n));
  Eigen::MatrixXd u = inv.llt().matrixU();
  return u;
}

struct Grid {
  float scale = 1, zero = 0, maxq = 1;
  float apply(float x) const {
    const float q = std::clamp(std::nearbyint(x / scale) + zero, 0.0f, maxq);
    return scale * (q - zero);
  }
};

Grid grid_for(const Eigen::Ref<const Eigen::VectorXf>& v, int bits) {
  float lo = std::min(0.0f, v.minCoeff()), hi = std::max(0.0f, v.maxCoeff());
  if (lo == hi) lo = -1, hi = 1;
  Grid g;
  g.maxq = static_cast<float>((1 << bits) - 1);
  g.scale = (hi - lo) / g.maxq;
  g.zero = std::nearbyint(-lo / g.scale);
  return g;
}

void check_bits(int bits) {
  if (bits < 1 || bits > 16) throw std::invalid_argument("bits must be in [1, 16]");
}


// Shared by sparsegpt and gptq: visit the columns in order; `target(W, j)` gives column j's
// compressed value from the current (already corrected) weights; its error is spread over
// the columns after j.
template <typename Target>
Eigen::MatrixXf obs_sweep(const Eigen::MatrixXf& wf, const Eigen::MatrixXf& h, Target target) {
  if (h.rows() != wf.cols() || h.cols() != wf.cols()) throw std::invalid_argument("Hessian does not match the layer");
  std::vector<bool> dead;
  const Eigen::MatrixXd u = inverse_hessian_factor(h, dead);
  Eigen::MatrixXd w = wf.cast<double>();
  for (Eigen::Index j = 0; j < w.cols(); ++j)
    if (dead[static_cast<std::size_t>(j)]) w.col(j).setZero();
  Eigen::MatrixXf out(wf.rows(), wf.cols());
  const Eigen::Index n = w.cols();
  for (Eigen::Index j = 0; j < n; ++j) {
    const Eigen::VectorXd q = target(w, u, j);
    out.col(j) = q.cast<float>();
    const Eigen::VectorXd err = (w.col(j) - q) / u(j, j);
    if (j + 1 < n) w.rightCols(n - j - 1).noalias() -= err * u.row(j).tail(n - j - 1);
  }
  return out;
}

}  // namespace

int group_size(int group, Eigen::Index in) { return group <= 0 || group >= in ? static_cast<int>(in) : group; }

Eigen::MatrixXf hessian(const Eigen::MatrixXf& x) {
  if (x.cols() == 0) throw std::invalid_argument("no calibration inputs");
  Eigen::MatrixXf h = (2.0f / static_cast<float>(x.cols())) * (x * x.transpose());
  return h;
}

Eigen::MatrixXf prune_magnitude(const Eigen::MatrixXf& w, double sparsity) {
  Eigen::MatrixXf out = w;
  const Eigen::VectorXd score = Eigen::Map<const Eigen::VectorXf>(w.data(), w.size()).cwiseAbs().cast<double>();
  for (Eigen::Index i : smallest(score, count_for(sparsity, w.size()))) out.data()[i] = 0;
  return out;
}

Eigen::MatrixXf prune_sparsegpt(const Eigen::MatrixXf& w, const Eigen::MatrixXf& h, double sparsity) {
  const Eigen::Index rows = w.rows();
  std::vector<char> mask(static_cast<std::size_t>(w.size()), 0);  // column-major, 1 = pruned
  // The layer prunes exactly count_for(sparsity, size) weights: block b takes its share
  // of the running total, so rounding never adds up to more or fewer.
  const Eigen::Index total = count_for(sparsity, w.size());
  auto pruned_before = [&](Eigen::Index col) {
    return static_cast<Eigen::Index>((total * col) / w.cols());
  };
  return obs_sweep(w, h, [&](const Eigen::MatrixXd& cur, const Eigen::MatrixXd& u, Eigen::Index j) {
    if (j % kBlock == 0) {  // choose this block's mask from the weights as they are now
      const Eigen::Index width = std::min<Eigen::Index>(kBlock, cur.cols() - j);
      Eigen::VectorXd score(rows * width);
      for (Eigen::Index c = 0; c < width; ++c)
        score.segment(c * rows, rows) = cur.col(j + c).array().square() / (u(j + c, j + c) * u(j + c, j + c));
      for (Eigen::Index i : smallest(score, pruned_before(j + width) - pruned_before(j)))
        mask[static_cast<std::size_t>(j * rows + i)] = 1;
    }
    Eigen::VectorXd q = cur.col(j);
    for (Eigen::Index r = 0; r < rows; ++r)
      if (mask[static_cast<std::size_t>(j * rows + r)]) q[r] = 0;
    return q;
  });
}

Eigen::MatrixXf quantize_rtn(const Eigen::MatrixXf& w, int bits, int group, std::vector<QuantGrid>* grids) {
  check_bits(bits);
  const int g = group_size(group, w.cols());
  Eigen::MatrixXf out(w.rows(), w.cols());
  if (grids) grids->clear();
  for (Eigen::Index r = 0; r < w.rows(); ++r)
    for (Eigen::Index c0 = 0; c0 < w.cols(); c0 += g) {
      const Eigen::Index width = std::min<Eigen::Index>(g, w.cols() - c0);
      const Grid grid = grid_for(w.row(r).segment(c0, width).transpose(), bits);
      if (grids) grids->push_back({grid.scale, grid.zero});
      for (Eigen::Index c = c0; c < c0 + width; ++c) out(r, c) = grid.apply(w(r, c));
    }
  return out;
}

Eigen::MatrixXf quantize_gptq(const Eigen::MatrixXf& w, const Eigen::MatrixXf& h, int bits, int group,
                              std::vector<QuantGrid>* grids) {
  check_bits(bits);
  const int g = group_size(group, w.cols());
  const Eigen::Index groups = (w.cols() + g - 1) / g;
  std::vector<Grid> current(static_cast<std::size_t>(w.rows()));
  if (grids) grids->assign(static_cast<std::size_t>(w.rows() * groups), QuantGrid{});
  return obs_sweep(w, h, [&](const Eigen::MatrixXd& cur, const Eigen::MatrixXd&, Eigen::Index j) {
    const Eigen::Index width = std::min<Eigen::Index>(g, cur.cols() - j);
    if (j % g == 0)  // a new group: its grid from the weights as they are now
      for (Eigen::Index r = 0; r < cur.rows(); ++r) {
        Grid& grid = current[static_cast<std::size_t>(r)];
        grid = grid_for(cur.row(r).segment(j, width).transpose().cast<float>(), bits);
        if (grids) (*grids)[static_cast<std::size_t>(r * groups + j / g)] = {grid.scale, grid.zero};
      }
    Eigen::VectorXd q(cur.rows());
    for (Eigen::Index r = 0; r < cur.rows(); ++r)
      q[r] = current[static_cast<std::size_t>(r)].apply(static_cast<float>(cur(r, j)));
    return q;
  });
}

Eigen::Index promoted_rows(double level, Eigen::Index rows) {
  return static_cast<Eigen::Index>(std::llround((level - std::floor(level)) * static_cast<double>(rows)));
}

LayerQuantizer::LayerQuantizer(std::string method, const Eigen::MatrixXf& w, const Eigen::MatrixXf& h, int group)
    : method_(std::move(method)), w_(w), h_(h), group_(group) {
  if (method_ != "rtn" && method_ != "gptq") throw std::invalid_argument("not a quantization method: " + method_);
}

const QuantizedLayer& LayerQuantizer::whole(int bits) {
  auto it = whole_.find(bits);
  if (it != whole_.end()) return it->second;
  QuantizedLayer q;
  q.weight = method_ == "rtn" ? quantize_rtn(w_, bits, group_, &q.grids) : quantize_gptq(w_, h_, bits, group_, &q.grids);
  q.row_bits.assign(static_cast<std::size_t>(w_.rows()), bits);
  return whole_.emplace(bits, std::move(q)).first->second;
}

std::vector<Eigen::Index> promotion_order(const std::string& method, const Eigen::MatrixXf& w,
                                          const Eigen::MatrixXf& h, const Eigen::MatrixXf& lo,
                                          const Eigen::MatrixXf& hi) {
  auto row_error = [&](const Eigen::MatrixXf& q) -> Eigen::VectorXd {
    const Eigen::MatrixXd d = (q - w).cast<double>();
    if (method == "rtn") return d.rowwise().squaredNorm();
    return (d * h.cast<double>()).cwiseProduct(d).rowwise().sum();
  };
  const Eigen::VectorXd loss = row_error(hi) - row_error(lo);  // the most negative gains most
  std::vector<Eigen::Index> order(static_cast<std::size_t>(w.rows()));
  std::iota(order.begin(), order.end(), Eigen::Index{0});
  std::stable_sort(order.begin(), order.end(), [&](Eigen::Index a, Eigen::Index b) { return loss[a] < loss[b]; });
  return order;
}

Eigen::MatrixXf promote_rows(const Eigen::MatrixXf& lo, const Eigen::MatrixXf& hi,
                             const std::vector<Eigen::Index>& order, Eigen::Index k) {
  if (k < 0 || static_cast<std::size_t>(k) > order.size()) throw std::invalid_argument("promote_rows: k out of range");
  Eigen::MatrixXf out = lo;
  for (Eigen::Index j = 0; j < k; ++j) out.row(order[static_cast<std::size_t>(j)]) = hi.row(order[static_cast<std::size_t>(j)]);
  return out;
}

const std::vector<Eigen::Index>& LayerQuantizer::order(int bits) {
  auto it = order_.find(bits);
  if (it != order_.end()) return it->second;
  const Eigen::MatrixXf& lo = whole(bits).weight;
  const Eigen::MatrixXf& hi = whole(bits + 1).weight;
  return order_.emplace(bits, promotion_order(method_, w_, h_, lo, hi)).first->second;
}

QuantizedLayer LayerQuantizer::at(double level) {
  const int b = static_cast<int>(std::floor(level));
  const Eigen::Index k = promoted_rows(level, w_.rows());
  if (k == 0) return whole(b);
  const std::vector<Eigen::Index>& rows = order(b);
  const QuantizedLayer& lo = whole(b);
  const QuantizedLayer& hi = whole(b + 1);
  QuantizedLayer out;
  out.weight = promote_rows(lo.weight, hi.weight, rows, k);
  out.grids = lo.grids;
  out.row_bits = lo.row_bits;
  const std::size_t groups = lo.grids.size() / static_cast<std::size_t>(w_.rows());
  for (Eigen::Index j = 0; j < k; ++j) {
    const std::size_t r = static_cast<std::size_t>(rows[static_cast<std::size_t>(j)]);
    out.row_bits[r] = b + 1;
    std::copy(hi.grids.begin() + static_cast<std::ptrdiff_t>(r * groups),
              hi.grids.begin() + static_cast<std::ptrdiff_t>((r + 1) * groups),
              out.grids.begin() + static_cast<std::ptrdiff_t>(r * groups));
  }
  return out;
}

}  // namespace evo::compression
