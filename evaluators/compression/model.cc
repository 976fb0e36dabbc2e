#include "evaluators/compression/model.h"

#include "evaluators/compression/safetensors.h"
#include "search/errors.h"

namespace evo::compression {
namespace {

// One layer applied to a block of columns.
Eigen::MatrixXf apply(const DenseLayer& l, const Eigen::MatrixXf& x, bool last) {
  Eigen::MatrixXf z = l.weight * x;
  z.colwise() += l.bias;
  if (last) return z;
  z = z.cwiseMax(0.0f);
  if (l.residual) z += x;
  return z;
}

// "layers.<i>.<part>", built by appending (GCC 12 warns falsely about `"a" + to_string(i)`).
std::string tensor_name(std::size_t i, const char* part) {
  std::string s = "layers.";
  s += std::to_string(i);
  s += '.';
  s += part;
  return s;
}

}  // namespace

long DenseModel::parameters() const {
  long n = 0;
  for (const auto& l : layers) n += static_cast<long>(l.weight.size() + l.bias.size());
  return n;
}

Eigen::MatrixXf DenseModel::forward(const Eigen::MatrixXf& x) const { return forward_from(0, x); }

Eigen::MatrixXf DenseModel::forward_from(std::size_t first, const Eigen::MatrixXf& x) const {
  Eigen::MatrixXf h = x;
  for (std::size_t i = first; i < layers.size(); ++i) h = apply(layers[i], h, i + 1 == layers.size());
  return h;
}

std::vector<Eigen::MatrixXf> DenseModel::layer_inputs(const Eigen::MatrixXf& x) const {
  std::vector<Eigen::MatrixXf> in;
  in.push_back(x);
  for (std::size_t i = 0; i + 1 < layers.size(); ++i) in.push_back(apply(layers[i], in.back(), false));
  return in;
}

DenseModel load_model(const std::string& path) {
  const TensorFile f = read_safetensors(path);
  DenseModel m;
  std::vector<bool> residual;
  if (auto it = f.metadata.find("residual"); it != f.metadata.end()) {
    for (char c : it->second) {
      if (c == '0' || c == '1') residual.push_back(c == '1');
      else if (c != ',' && c != ' ') throw InputError("model '" + path + "': metadata 'residual' is not a list of 0/1");
    }
  }
  for (const auto& [k, v] : f.metadata)
    if (k != "residual") m.metadata.emplace_back(k, v);
  for (int i = 0;; ++i) {
    const std::string w = tensor_name(static_cast<std::size_t>(i), "weight"), b = tensor_name(static_cast<std::size_t>(i), "bias");
    if (!f.tensors.contains(w)) break;
    const Tensor& tw = f.tensors.at(w);
    if (tw.shape.size() != 2) throw InputError("model '" + path + "': " + w + " is not a matrix");
    if (!f.tensors.contains(b)) throw InputError("model '" + path + "': " + w + " has no " + b);
    const Tensor& tb = f.tensors.at(b);
    if (tb.shape.size() != 1 || tb.shape[0] != tw.shape[0])
      throw InputError("model '" + path + "': " + b + " does not match " + w + "'s " + std::to_string(tw.shape[0]) +
                       " outputs");
    DenseLayer l;
    // Stored row-major (out x in); Eigen is column-major, so map as its transpose.
    l.weight = Eigen::Map<const Eigen::MatrixXf>(tw.data.data(), tw.shape[1], tw.shape[0]).transpose();
    l.bias = Eigen::Map<const Eigen::VectorXf>(tb.data.data(), tb.shape[0]);
    l.residual = static_cast<std::size_t>(i) < residual.size() && residual[i];
    if (!m.layers.empty() && m.layers.back().weight.rows() != l.weight.cols())
      throw InputError("model '" + path + "': " + w + " takes " + std::to_string(l.weight.cols()) +
                       " inputs but the layer before gives " + std::to_string(m.layers.back().weight.rows()));
    if (l.residual && l.weight.rows() != l.weight.cols())
      throw InputError("model '" + path + "': layer " + std::to_string(i) + " is residual but not square");
    m.layers.push_back(std::move(l));
  }
  if (m.layers.empty()) throw InputError("model '" + path + "': no tensor named layers.0.weight");
  if (residual.size() > m.layers.size())
    throw InputError("model '" + path + "': metadata 'residual' lists more layers than the file has");
  if (m.layers.back().residual) throw InputError("model '" + path + "': the output layer cannot be residual");
  return m;
}

namespace {
TensorFile model_tensors(const DenseModel& m) {
  TensorFile f;
  std::string residual;
  for (std::size_t i = 0; i < m.layers.size(); ++i) {
    const DenseLayer& l = m.layers[i];
    Tensor w, b;
    w.shape = {l.weight.rows(), l.weight.cols()};
    const Eigen::MatrixXf row_major = l.weight.transpose();  // column-major storage of W^T = row-major W
    w.data.assign(row_major.data(), row_major.data() + row_major.size());
    b.shape = {l.bias.size()};
    b.data.assign(l.bias.data(), l.bias.data() + l.bias.size());
    f.tensors[tensor_name(i, "weight")] = std::move(w);
    f.tensors[tensor_name(i, "bias")] = std::move(b);
    if (i) residual += ',';
    residual += l.residual ? '1' : '0';
  }
  for (const auto& [k, v] : m.metadata) f.metadata[k] = v;
  f.metadata["residual"] = residual;
  return f;
}
}  // namespace

void save_model(const std::string& path, const DenseModel& m) { write_safetensors(path, model_tensors(m)); }

std::string model_bytes(const DenseModel& m) { return safetensors_bytes(model_tensors(m)); }

double accuracy(const DenseModel& m, const Eigen::MatrixXf& x, const std::vector<int>& labels) {
  if (x.cols() == 0) return 0;
  long right = 0;
  constexpr long kChunk = 2048;
  for (long c = 0; c < x.cols(); c += kChunk) {
    const long n = std::min(kChunk, x.cols() - c);
    const Eigen::MatrixXf logits = m.forward(x.middleCols(c, n));
    for (long j = 0; j < n; ++j) {
      Eigen::Index best;
      logits.col(j).maxCoeff(&best);
      right += best == labels[static_cast<std::size_t>(c + j)];
    }
  }
  return static_cast<double>(right) / static_cast<double>(x.cols());
}

}  // namespace evo::compression
