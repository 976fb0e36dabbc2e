#include "evaluators/compression/levels.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "evaluators/compression/layer_compression.h"
#include "evaluators/compression/safetensors.h"
#include "search/errors.h"

namespace evo::compression {
namespace {

std::string level_text(const std::vector<double>& levels) {
  std::string s;
  char buf[32];
  for (double l : levels) {
    std::snprintf(buf, sizeof buf, "%.17g", l);
    if (!s.empty()) s += ',';
    s += buf;
  }
  return s;
}


Eigen::VectorXd log_softmax(const Eigen::VectorXf& z) {
  const Eigen::VectorXd d = z.cast<double>();
  const double peak = d.maxCoeff();
  const double lse = peak + std::log((d.array() - peak).exp().sum());
  return d.array() - lse;
}

// The whole widths a layer's bit levels are assembled from.
std::vector<int> widths_held(const std::vector<double>& levels, Eigen::Index rows) {
  std::vector<int> held;
  for (double l : levels) {
    held.push_back(static_cast<int>(std::floor(l)));
    if (promoted_rows(l, rows) > 0) held.push_back(static_cast<int>(std::floor(l)) + 1);
  }
  std::sort(held.begin(), held.end());
  held.erase(std::unique(held.begin(), held.end()), held.end());
  return held;
}

std::string tensor_name(std::size_t layer, const char* what, std::size_t k) {
  std::string s = "layer.";
  s += std::to_string(layer);
  s += '.';
  s += what;
  s += '.';
  s += std::to_string(k);
  return s;
}

// Sparsity: level k. Bits: the k-th whole width held.
std::string weight_name(std::size_t layer, std::size_t k) { return tensor_name(layer, "level", k); }

}  // namespace

Eigen::MatrixXf LevelDatabase::weight(std::size_t layer, std::size_t level) const {
  if (layer >= weights.size() || level >= set.levels.at(layer).size())
    throw std::invalid_argument("level database: no such layer or level");
  if (set.is_sparsity()) return weights[layer][level];
  const double l = set.levels[layer][level];
  const std::vector<int>& held = widths[layer];
  const int b = static_cast<int>(std::floor(l));
  const auto at = static_cast<std::size_t>(std::find(held.begin(), held.end(), b) - held.begin());
  if (at == held.size()) throw std::invalid_argument("level database: a width is missing");
  const Eigen::Index k = promoted_rows(l, weights[layer][at].rows());
  if (k == 0) return weights[layer][at];
  if (at + 1 == held.size() || held[at + 1] != b + 1) throw std::invalid_argument("level database: a width is missing");
  return promote_rows(weights[layer][at], weights[layer][at + 1], orders[layer][at], k);
}

std::string LevelSet::describe() const {
  std::string s = method;
  if (!is_sparsity()) s += " group " + std::to_string(group);
  bool fractional = false;
  for (const auto& layer : levels)
    for (double l : layer) fractional |= !is_sparsity() && l != std::floor(l);
  if (fractional) s += " (whole widths stored, rows promoted by gain)";
  for (std::size_t i = 0; i < levels.size(); ++i) {
    s += i ? "; " : ": ";
    s += level_text(levels[i]);
  }
  return s;
}

std::vector<std::vector<double>> same_levels(std::size_t layers, const std::vector<double>& levels) {
  return std::vector<std::vector<double>>(layers, levels);
}

std::vector<std::vector<double>> sparsity_steps(const std::vector<long>& layer_sizes, long step,
                                                double max_sparsity) {
  if (step <= 0) throw InputError("the sparsity step must be a positive number of weights");
  std::vector<std::vector<double>> out;
  for (long n : layer_sizes) {
    std::vector<double> l;
    for (long k = 0; k * step <= max_sparsity * static_cast<double>(n) && k * step < n; ++k)
      l.push_back(static_cast<double>(k * step) / static_cast<double>(n));
    out.push_back(std::move(l));
  }
  return out;
}

std::vector<std::vector<double>> bit_steps(const std::vector<long>& layer_rows, std::vector<int> widths,
                                           long rows_per_step) {
  if (rows_per_step < 0) throw InputError("rows per bit step must be 0 (whole bits) or positive");
  std::sort(widths.begin(), widths.end());
  widths.erase(std::unique(widths.begin(), widths.end()), widths.end());
  std::vector<std::vector<double>> out;
  for (long rows : layer_rows) {
    std::vector<double> l;
    for (std::size_t k = 0; k < widths.size(); ++k) {
      l.push_back(widths[k]);
      if (rows_per_step == 0 || k + 1 == widths.size() || widths[k + 1] != widths[k] + 1) continue;
      for (long r = rows_per_step; r < rows; r += rows_per_step)
        l.push_back(widths[k] + static_cast<double>(r) / static_cast<double>(rows));
    }
    out.push_back(std::move(l));
  }
  return out;
}

void validate(const LevelSet& set) {
  const bool bits = set.method == "rtn" || set.method == "gptq";
  if (!set.is_sparsity() && !bits)
    throw InputError("unknown compression method '" + set.method + "' (magnitude, sparsegpt, rtn or gptq)");
  if (set.levels.empty()) throw InputError("no compression levels");
  for (const auto& layer : set.levels) {
    if (layer.empty()) throw InputError("a layer has no compression levels");
    for (std::size_t k = 0; k < layer.size(); ++k) {
      const double l = layer[k];
      if (set.is_sparsity() ? !(l >= 0 && l < 1) : !(l >= 1 && l <= 16))
        throw InputError("compression level " + level_text({l}) +
                         (set.is_sparsity() ? " is not a sparsity in [0, 1)" : " is not a bit level in [1, 16]"));
      if (k && !(layer[k - 1] < l)) throw InputError("compression levels must increase: " + level_text(layer));
    }
  }
  if (set.group < 0) throw InputError("quantization group must be 0 (whole rows) or positive");
}

long level_cost(const LevelSet& set, long rows, long cols, double level) {
  if (set.is_sparsity()) return static_cast<long>(std::floor(level * static_cast<double>(rows * cols) + 1e-9));
  return (static_cast<long>(std::floor(level)) * rows + promoted_rows(level, rows)) * cols;
}

LevelDatabase build_levels(const DenseModel& dense, const Eigen::MatrixXf& calibration, const LevelSet& set) {
  validate(set);
  LevelDatabase db;
  db.set = set;
  if (set.levels.size() != dense.layers.size())
    throw InputError("the level set has " + std::to_string(set.levels.size()) + " layers, the model " +
                     std::to_string(dense.layers.size()));
  const auto inputs = dense.layer_inputs(calibration);
  for (std::size_t i = 0; i < dense.layers.size(); ++i) {
    const Eigen::MatrixXf& w = dense.layers[i].weight;
    const bool needs_h = set.method == "sparsegpt" || set.method == "gptq";
    const Eigen::MatrixXf h = needs_h ? hessian(inputs[i]) : Eigen::MatrixXf();
    std::vector<Eigen::MatrixXf> per_level;
    if (set.is_sparsity()) {
      for (double l : set.levels[i])
        per_level.push_back(set.method == "magnitude" ? prune_magnitude(w, l) : prune_sparsegpt(w, h, l));
      db.weights.push_back(std::move(per_level));
    } else {
      const Eigen::MatrixXf no_hessian;  // rtn orders rows by plain squared error
      LayerQuantizer q(set.method, w, set.method == "gptq" ? h : no_hessian, set.group);
      const std::vector<int> held = widths_held(set.levels[i], w.rows());
      std::vector<std::vector<Eigen::Index>> order;
      for (int b : held) {
        per_level.push_back(q.whole(b).weight);
        const bool next = std::find(held.begin(), held.end(), b + 1) != held.end();
        order.push_back(next ? q.order(b) : std::vector<Eigen::Index>{});
      }
      db.weights.push_back(std::move(per_level));
      db.widths.push_back(held);
      db.orders.push_back(std::move(order));
    }
    db.layer_sizes.push_back(static_cast<long>(w.size()));
  }
  return db;
}

void save_levels(const std::string& path, const LevelDatabase& db, const std::string& key) {
  TensorFile f;
  f.metadata = {{"set", db.set.describe()}, {"key", key}, {"layers", std::to_string(db.weights.size())}};
  for (std::size_t i = 0; i < db.weights.size(); ++i)
    for (std::size_t k = 0; k < db.weights[i].size(); ++k) {
      const Eigen::MatrixXf rm = db.weights[i][k].transpose();  // row-major out x in
      Tensor t;
      t.shape = {db.weights[i][k].rows(), db.weights[i][k].cols()};
      t.data.assign(rm.data(), rm.data() + rm.size());
      f.tensors[weight_name(i, k)] = std::move(t);
      if (db.set.is_sparsity() || db.orders[i][k].empty()) continue;
      Tensor o;  // row indices, exact as floats
      o.shape = {static_cast<std::int64_t>(db.orders[i][k].size())};
      for (Eigen::Index r : db.orders[i][k]) o.data.push_back(static_cast<float>(r));
      f.tensors[tensor_name(i, "order", k)] = std::move(o);
    }
  write_safetensors(path, f);
}

LevelDatabase load_levels(const std::string& path, const LevelSet& set, const std::string& key) {
  validate(set);
  const TensorFile f = read_safetensors(path);
  auto meta = [&](const char* k) {
    auto it = f.metadata.find(k);
    return it == f.metadata.end() ? std::string() : it->second;
  };
  if (meta("set") != set.describe() || meta("key") != key)
    throw InputError("level database '" + path + "' was built for " + meta("set") + " of " + meta("key") +
                     ", not " + set.describe() + " of " + key);
  LevelDatabase db;
  db.set = set;
  long layers = 0;
  try {
    layers = std::stol(meta("layers"));
  } catch (const std::exception&) {
    throw InputError("level database '" + path + "' has no layer count");
  }
  if (layers != static_cast<long>(set.levels.size()))
    throw InputError("level database '" + path + "' has " + std::to_string(layers) + " layers, not " +
                     std::to_string(set.levels.size()));
  for (long i = 0; i < layers; ++i) {
    const std::size_t layer = static_cast<std::size_t>(i);
    auto matrix = [&](const std::string& name) -> Eigen::MatrixXf {
      const Tensor& t = f.at(name);
      if (t.shape.size() != 2) throw InputError("level database '" + path + "': a weight is not a matrix");
      return Eigen::Map<const Eigen::MatrixXf>(t.data.data(), t.shape[1], t.shape[0]).transpose();
    };
    std::vector<Eigen::MatrixXf> per_level;
    if (set.is_sparsity()) {
      for (std::size_t k = 0; k < set.levels[layer].size(); ++k) per_level.push_back(matrix(weight_name(layer, k)));
    } else {
      const Eigen::Index rows = matrix(weight_name(layer, 0)).rows();
      const std::vector<int> held = widths_held(set.levels[layer], rows);
      std::vector<std::vector<Eigen::Index>> order;
      for (std::size_t k = 0; k < held.size(); ++k) {
        per_level.push_back(matrix(weight_name(layer, k)));
        std::vector<Eigen::Index> o;
        if (k + 1 < held.size() && held[k + 1] == held[k] + 1) {
          const Tensor& t = f.at(tensor_name(layer, "order", k));
          for (float r : t.data) {
            if (!(r >= 0 && r < static_cast<float>(rows)) || r != std::floor(r))
              throw InputError("level database '" + path + "': a row order is not of this layer");
            o.push_back(static_cast<Eigen::Index>(r));
          }
          if (static_cast<Eigen::Index>(o.size()) != rows)
            throw InputError("level database '" + path + "': a row order is not of this layer");
        }
        order.push_back(std::move(o));
      }
      db.widths.push_back(held);
      db.orders.push_back(std::move(order));
    }
    db.layer_sizes.push_back(static_cast<long>(per_level.front().size()));
    db.weights.push_back(std::move(per_level));
  }
  return db;
}

DenseModel apply_layout(const DenseModel& dense, const LevelDatabase& db, const std::vector<int>& layout) {
  if (layout.size() != dense.layers.size() || db.weights.size() != dense.layers.size())
    throw std::invalid_argument("layout, database and model disagree on the number of layers");
  DenseModel m = dense;
  for (std::size_t i = 0; i < layout.size(); ++i) {
    if (layout[i] < 0 || static_cast<std::size_t>(layout[i]) >= db.set.levels[i].size())
      throw std::invalid_argument("layout level out of range");
    Eigen::MatrixXf w = db.weight(i, static_cast<std::size_t>(layout[i]));
    if (w.rows() != m.layers[i].weight.rows() || w.cols() != m.layers[i].weight.cols())
      throw std::invalid_argument("level database does not match the model's layer shapes");
    m.layers[i].weight = std::move(w);
  }
  return m;
}

double mean_kl_logits(const Eigen::MatrixXf& zp, const Eigen::MatrixXf& zq) {
  if (zp.cols() == 0) return 0;
  double sum = 0;
  for (Eigen::Index j = 0; j < zp.cols(); ++j) {
    const Eigen::VectorXd lp = log_softmax(zp.col(j)), lq = log_softmax(zq.col(j));
    sum += (lp.array().exp() * (lp - lq).array()).sum();
  }
  return sum / static_cast<double>(zp.cols());
}

double mean_kl(const DenseModel& dense, const DenseModel& compressed, const Eigen::MatrixXf& x) {
  if (x.cols() == 0) return 0;
  return mean_kl_logits(dense.forward(x), compressed.forward(x));
}

}  // namespace evo::compression
