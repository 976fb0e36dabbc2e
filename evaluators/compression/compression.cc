#include "evaluators/compression/compression.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <numeric>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>
#include <xxhash.h>

#include "evaluators/compression/layer_compression.h"
#include "evaluators/compression/model_speed.h"
#include "evaluators/compression/npy.h"
#include "evaluators/compression/owl.h"
#include "evaluators/compression/safetensors.h"
#include "evaluators/optimizer/fashion_data.h"
#include "evaluators/optimizer/idx.h"
#include "search/errors.h"
#include "search/parallel.h"
#include "search/program_text.h"

namespace evo::compression {
namespace {

bool is_sparsity_method(const std::string& m) { return m == "magnitude" || m == "sparsegpt"; }

SettingCheck int_list(long long lo, long long hi) {
  return [lo, hi](const std::string& v) -> std::string {
    for (const auto& part : split(v, ',')) {
      long long x = 0;
      if (!parse_integer(part, x) || x < lo || x > hi)
        return "must be a comma-separated list of integers in " + std::to_string(lo) + ".." + std::to_string(hi);
    }
    return {};
  };
}

std::vector<int> ints(const Settings& s, const char* key) {
  std::vector<int> out;
  for (const auto& part : s.list(key)) out.push_back(static_cast<int>(std::stoll(part)));
  return out;
}

std::uint64_t digest(const Eigen::MatrixXf& m) { return XXH3_64bits(m.data(), sizeof(float) * m.size()); }

std::uint64_t file_digest(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError("cannot read model '" + path + "'");
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return XXH3_64bits(bytes.data(), bytes.size());
}

// Columns [begin, begin + n) of x.
Eigen::MatrixXf columns(const Eigen::MatrixXf& x, long begin, long n) { return x.middleCols(begin, n); }

std::string fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

}  // namespace

std::vector<SettingSpec> CompressionDomain::settings() {
  return {
      {"model", "", "the model: a safetensors file of dense layers (`evo model train` makes one)", {}},
      {"method", "sparsegpt", "how layers are compressed: sparsegpt or magnitude (sparsity), gptq or rtn (bits)",
       one_of({"sparsegpt", "magnitude", "gptq", "rtn"})},
      {"sparsity", "0.7", "the budget for sparsity methods: pruned fraction of the weights", real_in(0.0, 0.95)},
      {"bits", "3", "the budget for quantization methods: average bits per weight", real_in(1.0, 16.0)},
      {"step", "0",
       "sparsity levels: weights pruned per level in every layer (0: the smallest power of two that gives the "
       "largest layer at most 256 levels)",
       integer_in(0, 1000000000)},
      {"max_sparsity", "0.95", "the highest sparsity a layer may have", real_in(0.0, 0.99)},
      {"bit_levels", "2,3,4,5,6,7,8", "bit-widths a layer may have (quantization methods)", int_list(1, 16)},
      {"switch_steps", "0",
       "levels one level switch moves, drawn log-uniformly from 1 to this (0: 32 for bit levels a row apart, "
       "bit_rows > 0, whose steps are too fine to get anywhere one at a time; 1 otherwise)",
       integer_in(0, 1000)},
      {"bit_rows", "1",
       "quantization levels between consecutive bit_levels b and b + 1 in steps of this many rows: each step "
       "gives b + 1 bits to that many more of the layer's rows, those that gain most from it (0: whole bits only)",
       integer_in(0, 1000000)},
      {"group", "32", "quantization group along a row's inputs (0: the whole row)", integer_in(0, 1000000)},
      {"data", "fashion-mnist",
       "inputs: fashion-mnist (its standardised images), a .npy file of shape (N, model inputs), or an IDX file "
       "of N samples (bytes scaled to [0, 1])",
       {}},
      {"calibration", "1024", "images the level database is built from (the first ones)", integer_in(16, 1000000)},
      {"samples", "8192", "images of the fixed selection set `kl` is measured on (after the calibration images)",
       integer_in(1, 1000000)},
      {"screen_samples", "256,2048",
       "elitist selection: images per screening stage, each a fresh draw (the last stage is the selection set)",
       int_list(1, 1000000)},
      {"screen_keep", "8,2", "elitist selection: children kept after each screening stage", int_list(1, 1000000)},
  };
}

std::map<std::string, std::string> CompressionDomain::settings_in_use() const {
  auto absolute = [](const std::string& path) {
    std::error_code ec;
    const auto a = std::filesystem::absolute(path, ec);
    return ec ? path : a.lexically_normal().string();
  };
  std::map<std::string, std::string> used = {{"model", absolute(model_path_)}};
  if (data_ != "fashion-mnist") used["data"] = absolute(data_);
  return used;
}

CompressionDomain::CompressionDomain(const Settings& s) : model_path_(s.str("model")), data_(s.str("data")) {
  if (model_path_.empty()) throw InputError("domain compression needs --set model=PATH (evo model train makes one)");
  dense_ = load_model(model_path_);
  const std::string method = s.str("method");
  const bool sparsity = is_sparsity_method(method);
  // The other family's budget would be ignored.
  auto is_default = [&](std::string_view key) { return evo::is_default(settings(), s, key); };
  if (sparsity && !is_default("bits"))
    throw InputError("bits is the budget of quantization methods (gptq, rtn); method=" + method + " takes sparsity");
  if (!sparsity && !is_default("sparsity"))
    throw InputError("sparsity is the budget of sparsity methods (magnitude, sparsegpt); method=" + method + " takes bits");
  target_ = sparsity ? s.real("sparsity") : s.real("bits");
  max_sparsity_ = s.real("max_sparsity");
  // A budget no layout can meet would otherwise be clamped to the nearest one silently.
  if (sparsity && target_ > max_sparsity_)
    throw InputError("sparsity " + shortest_decimal(target_) + " is above max_sparsity " + shortest_decimal(max_sparsity_) +
                     ": no layout meets it");
  if (!sparsity) {
    const auto widths = ints(s, "bit_levels");
    const auto [lo, hi] = std::minmax_element(widths.begin(), widths.end());
    if (target_ < static_cast<double>(*lo) || target_ > static_cast<double>(*hi))
      throw InputError("bits " + shortest_decimal(target_) + " is outside bit_levels " + std::to_string(*lo) + ".." +
                       std::to_string(*hi) + ": no layout meets it");
  }
  switch_steps_ = static_cast<int>(s.integer("switch_steps"));
  if (switch_steps_ == 0) switch_steps_ = !sparsity && s.integer("bit_rows") > 0 ? 32 : 1;

  // Inputs: the calibration images, then the selection set; screening draws from all.
  const long calibration = s.integer("calibration"), samples = s.integer("samples");
  if (data_ == "fashion-mnist") {
    if (dense_.inputs() != 784)
      throw InputError("model '" + model_path_ + "' takes " + std::to_string(dense_.inputs()) +
                       " inputs; Fashion-MNIST images have 784 (give --set data=FILE.npy)");
    pool_ = optimizer::fashion_data().train.x.cast<float>();
  } else if (data_.size() < 4 || data_.compare(data_.size() - 4, 4, ".npy") != 0) {
    // IDX (e.g. an MNIST-style image file, gzipped or not): one sample per first index,
    // bytes scaled to [0, 1].
    const optimizer::IdxArray a = optimizer::read_idx(data_);
    long features = 1;
    for (std::size_t k = 1; k < a.shape.size(); ++k) features *= a.shape[k];
    if (a.shape.size() < 2 || features != dense_.inputs())
      throw InputError("data '" + data_ + "' must hold samples of " + std::to_string(dense_.inputs()) + " values");
    pool_.resize(features, a.shape[0]);
    for (long r = 0; r < a.shape[0]; ++r)
      for (long c = 0; c < features; ++c)
        pool_(c, r) = static_cast<float>(a.data[static_cast<std::size_t>(r * features + c)]) / 255.0f;
  } else {
    const NpyArray a = read_npy(data_);
    if (a.shape.size() != 2 || a.shape[1] != dense_.inputs())
      throw InputError("data '" + data_ + "' must have shape (N, " + std::to_string(dense_.inputs()) + ")");
    pool_.resize(a.shape[1], a.shape[0]);
    for (std::int64_t r = 0; r < a.shape[0]; ++r)
      for (std::int64_t c = 0; c < a.shape[1]; ++c)
        pool_(c, r) = static_cast<float>(a.data[static_cast<std::size_t>(r * a.shape[1] + c)]);
  }
  if (pool_.cols() < calibration + samples)
    throw InputError("data has " + std::to_string(pool_.cols()) + " images; calibration + samples need " +
                     std::to_string(calibration + samples));
  const Eigen::MatrixXf calib = columns(pool_, 0, calibration);
  selection_ = columns(pool_, calibration, samples);
  selection_logits_ = dense_.forward(selection_);

  // The level grid.
  std::vector<long> sizes;
  for (const auto& l : dense_.layers) sizes.push_back(static_cast<long>(l.weight.size()));
  LevelSet set{method, {}, static_cast<int>(s.integer("group"))};
  if (sparsity) {
    long step = s.integer("step");
    if (step == 0) {
      const long largest = *std::max_element(sizes.begin(), sizes.end());
      step = 1;
      while (step * 256 < largest) step *= 2;
    }
    set.levels = sparsity_steps(sizes, step, s.real("max_sparsity"));
  } else {
    std::vector<long> rows;
    for (const auto& l : dense_.layers) rows.push_back(static_cast<long>(l.weight.rows()));
    set.levels = bit_steps(rows, ints(s, "bit_levels"), s.integer("bit_rows"));
  }
  validate(set);

  // The level database, kept beside the model under a name made from what it depends on.
  const std::string key = "model " + hex64(file_digest(model_path_)) + ", data " + data_ + ", first " +
                          std::to_string(calibration) + " images";
  const std::string full = key + " | " + set.describe();
  levels_path_ = model_path_ + ".levels-" + hex64(XXH3_64bits(full.data(), full.size())).substr(0, 12) + ".safetensors";
  bool loaded = false;
  if (std::filesystem::exists(levels_path_)) {
    try {
      levels_ = load_levels(levels_path_, set, key);
      loaded = true;
    } catch (const InputError& e) {
      spdlog::warn("rebuilding the level database: {}", e.what());
    }
  }
  if (!loaded) {
    spdlog::info("building the level database {} ({})", levels_path_, set.method);
    levels_ = build_levels(dense_, calib, set);
    try {
      save_levels(levels_path_, levels_, key);
    } catch (const std::exception& e) {
      spdlog::warn("the level database could not be saved ({}); it will be built again next time", e.what());
    }
  }
  const auto inputs = dense_.layer_inputs(calib);
  for (std::size_t i = 0; i < dense_.layers.size(); ++i) {
    std::vector<std::uint64_t> h;
    for (std::size_t k = 0; k < set.levels[i].size(); ++k) h.push_back(digest(levels_.weight(i, k)));
    level_hashes_.push_back(std::move(h));
    if (method == "sparsegpt" || method == "gptq") hessians_.push_back(hessian(inputs[i]));
    input_norms_.push_back(inputs[i].rowwise().norm());
  }

  // The budget, fixed at the layout nearest uniform.
  std::vector<std::vector<long>> cost;
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    std::vector<long> c;
    for (double v : set.levels[i]) c.push_back(level_cost(levels_.set, rows_of(i), cols_of(i), v));
    cost.push_back(std::move(c));
  }
  layout_space_ = std::make_unique<LayoutSpace>(std::move(cost), sizes, target_);

  const auto ss = ints(s, "screen_samples"), keep = ints(s, "screen_keep");
  if (ss.size() != keep.size())
    throw InputError("screen_samples and screen_keep must have the same number of stages");
  for (std::size_t k = 0; k < ss.size(); ++k) {
    if (k && keep[k] > keep[k - 1]) throw InputError("screen_keep must not increase from stage to stage");
    screens_.push_back({keep[k], std::to_string(ss[k]) + " images"});
  }
  screen_samples_ = ss;

  Signature sig;
  sig.inputs = {"x"};
  for (std::size_t i = 0; i < dense_.layers.size(); ++i) sig.outputs.push_back("layer" + std::to_string(i));
  sig_ = intern_signature(sig);
  space_.ops = {Op::const_};
  space_.max_instructions = static_cast<int>(dense_.layers.size());

  fingerprint_ = "compression|" + full + "|selection " + std::to_string(samples) + "|budget " +
                 std::to_string(layout_space_->budget());
}

std::string CompressionDomain::describe() const {
  const LevelSet& set = levels_.set;
  const double budget = budget_of(layout_values(layout_space_->start()));
  return set.method + " layout of " + std::to_string(dense_.layers.size()) + " layers at " +
         (set.is_sparsity() ? "sparsity " + fixed(budget, 4) : fixed(budget, 3) + " bits");
}

std::vector<ObjectiveSpec> CompressionDomain::objective_specs(bool sparsity) {
  return {
      {"kl", true, true, "mean KL(dense || compressed) over the selection set's output distributions", true, false},
      {"budget", true, false, sparsity ? "pruned fraction of the weights" : "average bits per weight", false, false},
  };
}

std::vector<ObjectiveSpec> CompressionDomain::objectives() const {
  return objective_specs(levels_.set.is_sparsity());
}

Program CompressionDomain::encode(const std::vector<double>& values) const { return constants_program(sig_, values); }

std::vector<double> CompressionDomain::layout_values(const Layout& l) const {
  std::vector<double> v;
  for (std::size_t i = 0; i < l.size(); ++i) v.push_back(levels_.set.levels[i][static_cast<std::size_t>(l[i])]);
  return v;
}

Program CompressionDomain::encode_layout(const Layout& l) const { return encode(layout_values(l)); }

std::vector<double> CompressionDomain::decode(const Program& p) const {
  if (!p.sig || p.sig->outputs.size() != dense_.layers.size()) return {};
  return constant_outputs(p, p.sig);
}

namespace {
// Layout of grid indices, or empty when a value is off the grid.
Layout grid_layout(const LevelSet& set, const std::vector<double>& values) {
  Layout l;
  for (std::size_t i = 0; i < values.size(); ++i) {
    const auto& levels = set.levels[i];
    const auto it = std::find(levels.begin(), levels.end(), values[i]);
    if (it == levels.end()) return {};
    l.push_back(static_cast<int>(it - levels.begin()));
  }
  return l;
}
}  // namespace

Program CompressionDomain::initial_program(Rng& /*rng*/) const { return encode_layout(layout_space_->start()); }

bool CompressionDomain::admissible(const Program& p) const {
  const auto v = decode(p);
  if (v.empty()) return false;
  const Layout l = grid_layout(levels_.set, v);
  return !l.empty() && layout_space_->spent(l) == layout_space_->budget();
}

std::optional<MutationKind> CompressionDomain::mutate(Program& p, Rng& rng) const {
  Layout l = grid_layout(levels_.set, decode(p));
  if (l.empty()) l = layout_space_->start();
  // One level switch, and with probability 1/2 each, one more: a small model has only a
  // few hundred layouts one switch away, which a parent that stays a while exhausts.
  // On a fine grid (bit levels a row apart) a switch may move several levels: how many is
  // drawn log-uniformly from 1 to switch_steps.
  auto steps = [&] {
    if (switch_steps_ <= 1) return 1;
    return static_cast<int>(std::floor(std::exp2(rng.uniform() * std::log2(switch_steps_ + 1.0))));
  };
  layout_space_->level_switch(l, rng, steps());
  for (std::size_t extra = 0; extra < layout_space_->layers() && rng.chance(0.5); ++extra)
    layout_space_->level_switch(l, rng, steps());
  p = encode_layout(l);
  return MutationKind::level_switch;
}

Eigen::MatrixXf CompressionDomain::layer_weight(std::size_t layer, double value) const {
  const auto& levels = levels_.set.levels[layer];
  if (const auto it = std::find(levels.begin(), levels.end(), value); it != levels.end())
    return levels_.weight(layer, static_cast<std::size_t>(it - levels.begin()));
  const Eigen::MatrixXf& w = dense_.layers[layer].weight;
  const std::string& m = levels_.set.method;
  return m == "magnitude"   ? prune_magnitude(w, value)
         : m == "sparsegpt" ? prune_sparsegpt(w, hessians_[layer], value)
                            : quantizer(layer).at(value).weight;
}

LayerQuantizer CompressionDomain::quantizer(std::size_t layer) const {
  static const Eigen::MatrixXf kNoHessian;  // rtn orders rows by plain squared error
  return LayerQuantizer(levels_.set.method, dense_.layers[layer].weight,
                        levels_.set.method == "gptq" ? hessians_[layer] : kNoHessian, levels_.set.group);
}

DenseModel CompressionDomain::compressed(const std::vector<double>& values) const {
  DenseModel m = dense_;
  for (std::size_t i = 0; i < values.size(); ++i) m.layers[i].weight = layer_weight(i, values[i]);
  return m;
}

double CompressionDomain::kl(const DenseModel& m, const Eigen::MatrixXf& x, const Eigen::MatrixXf& dense_logits) const {
  return mean_kl_logits(dense_logits, m.forward(x));
}

Hash128 CompressionDomain::functional_hash(const Program& p) const {
  const auto v = decode(p);
  std::vector<std::uint64_t> words;
  for (std::size_t i = 0; i < v.size(); ++i) {
    const auto& levels = levels_.set.levels[i];
    const auto it = std::find(levels.begin(), levels.end(), v[i]);
    words.push_back(it != levels.end() ? level_hashes_[i][static_cast<std::size_t>(it - levels.begin())]
                                       : digest(layer_weight(i, v[i])));
  }
  const XXH128_hash_t h = XXH3_128bits(words.data(), words.size() * sizeof(std::uint64_t));
  return Hash128{h.low64, h.high64};
}

Evaluation CompressionDomain::evaluate(const Program& p) const {
  const auto v = decode(p);
  if (v.empty()) return {false, "not a layout of this model", {}};
  const double d = kl(compressed(v), selection_, selection_logits_);
  if (!std::isfinite(d)) return {false, "the compressed model's outputs are not finite", {}};
  return {true, {}, {d}};
}

std::shared_ptr<const std::pair<Eigen::MatrixXf, Eigen::MatrixXf>> CompressionDomain::draw_images(
    std::size_t stage, std::uint64_t draw) const {
  std::lock_guard lock(draw_mutex_);
  const auto key = std::make_pair(stage, draw);
  if (auto it = draws_.find(key); it != draws_.end()) return it->second;
  // n distinct images, by a partial Fisher-Yates shuffle driven by the draw's stream.
  const long n = std::min<long>(screen_samples_[stage], pool_.cols());
  std::vector<long> order(static_cast<std::size_t>(pool_.cols()));
  std::iota(order.begin(), order.end(), 0L);
  Rng rng(draw);
  Eigen::MatrixXf x(pool_.rows(), n);
  for (long k = 0; k < n; ++k) {
    const long j = k + static_cast<long>(rng.below(static_cast<std::uint64_t>(pool_.cols() - k)));
    std::swap(order[static_cast<std::size_t>(k)], order[static_cast<std::size_t>(j)]);
    x.col(k) = pool_.col(order[static_cast<std::size_t>(k)]);
  }
  auto entry = std::make_shared<const std::pair<Eigen::MatrixXf, Eigen::MatrixXf>>(x, dense_.forward(x));
  if (draws_.size() >= 8) draws_.clear();  // a generation's draws are used together, then never again
  draws_.emplace(key, entry);
  return entry;
}

double CompressionDomain::screen(const Program& p, std::size_t stage, std::uint64_t draw) const {
  const auto images = draw_images(stage, draw);
  const auto v = decode(p);
  if (v.empty()) return std::numeric_limits<double>::infinity();
  const double d = kl(compressed(v), images->first, images->second);
  return std::isfinite(d) ? d : std::numeric_limits<double>::infinity();
}

double CompressionDomain::budget_of(const std::vector<double>& values) const {
  double spent = 0;
  for (std::size_t i = 0; i < values.size(); ++i)
    spent += static_cast<double>(level_cost(levels_.set, rows_of(i), cols_of(i), values[i]));
  return spent / static_cast<double>(layout_space_->total_size());
}

std::vector<double> CompressionDomain::structural_objectives(const Program& p) const {
  const auto v = decode(p);
  return {v.empty() ? std::numeric_limits<double>::quiet_NaN() : budget_of(v)};
}

Report CompressionDomain::report(const Program& p) const {
  Report r;
  r.columns = {"kl", "accuracy", "budget"};
  const auto v = decode(p);
  if (v.empty()) return r;
  const DenseModel m = compressed(v);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  r.rows.push_back({"selection set (training images)", {kl(m, selection_, selection_logits_), nan, budget_of(v)}});
  if (data_ == "fashion-mnist") {
    const auto& test = optimizer::fashion_data().test;
    const Eigen::MatrixXf x = test.x.cast<float>();
    const Eigen::MatrixXf zd = dense_.forward(x);
    r.rows.push_back({"test: dense model", {0.0, accuracy(dense_, x, test.y), 0.0}});
    r.rows.push_back({"test: this layout", {kl(m, x, zd), accuracy(m, x, test.y), budget_of(v)}});
  }
  return r;
}

PackedModel CompressionDomain::packed(const std::vector<double>& values) const {
  const DenseModel m = compressed(values);
  if (levels_.set.is_sparsity()) return pack_sparse(m);
  PackedModel p;
  for (std::size_t i = 0; i < m.layers.size(); ++i) {
    if (std::ceil(values[i]) > 8) {  // one byte per code: wider codes stay dense
      p.layers.push_back(pack_dense(DenseModel{{m.layers[i]}, {}}).layers.front());
      continue;
    }
    // The grids are those the level was quantized on (the same deterministic computation).
    const QuantizedLayer q = quantizer(i).at(values[i]);
    p.layers.push_back(pack_quantized(m.layers[i], q.grids, q.row_bits, levels_.set.group));
  }
  return p;
}

std::vector<std::vector<Measurement>> CompressionDomain::measure(const std::vector<Program>& programs) const {
  const PackedModel dense = pack_dense(dense_);
  std::vector<PackedModel> models;
  std::vector<const PackedModel*> timed{&dense};
  for (const Program& p : programs) models.push_back(packed(decode(p)));
  for (const auto& m : models) timed.push_back(&m);
  const auto speed = time_models(timed, selection_.cols() >= 256 ? selection_ : pool_);
  std::vector<std::vector<Measurement>> out;
  for (std::size_t k = 0; k < models.size(); ++k) {
    const ModelSpeed& s = speed[k + 1];
    nlohmann::json detail = {{"us_batch1", s.us_batch1},
                             {"us_batch256", s.us_batch256},
                             {"dense_us_batch1", speed[0].us_batch1},
                             {"dense_us_batch256", speed[0].us_batch256},
                             {"speedup_batch256", speed[0].us_batch256 / s.us_batch256},
                             {"weight_bytes", models[k].weight_bytes()},
                             {"dense_weight_bytes", dense.weight_bytes()},
                             {"storage", levels_.set.is_sparsity() ? "sparse rows (float values, int columns)"
                                                                   : "byte codes, float scale and zero per group"}};
    out.push_back({{"latency_us", s.us_batch1, detail.dump()},
                   {"speedup", speed[0].us_batch1 / s.us_batch1, detail.dump()},
                   {"weight_bytes", static_cast<double>(models[k].weight_bytes()), detail.dump()}});
  }
  return out;
}

std::vector<std::vector<double>> CompressionDomain::layer_errors() const {
  std::call_once(errors_once_, [&] {
    const LayoutSpace& space = *layout_space_;
    std::vector<std::pair<std::size_t, int>> cells;
    for (std::size_t i = 0; i < space.layers(); ++i)
      for (int k = 0; k < space.levels(i); ++k) cells.emplace_back(i, k);
    layer_errors_.assign(space.layers(), {});
    for (std::size_t i = 0; i < space.layers(); ++i) layer_errors_[i].resize(static_cast<std::size_t>(space.levels(i)));
    // Only layer i differs from the dense model: run it from its dense inputs on.
    const std::vector<Eigen::MatrixXf> inputs = dense_.layer_inputs(selection_);
    parallel_for(cells.size(), [&](std::size_t c) {
      const auto [i, k] = cells[c];
      DenseModel m = dense_;
      m.layers[i].weight = levels_.weight(i, static_cast<std::size_t>(k));
      layer_errors_[i][static_cast<std::size_t>(k)] = mean_kl_logits(selection_logits_, m.forward_from(i, inputs[i]));
    });
  });
  return layer_errors_;
}

double CompressionDomain::error_sum(const Program& p) const {
  const Layout l = grid_layout(levels_.set, decode(p));
  if (l.empty()) return std::numeric_limits<double>::quiet_NaN();
  const auto& err = layer_errors();
  double sum = 0;
  for (std::size_t i = 0; i < l.size(); ++i) sum += err[i][static_cast<std::size_t>(l[i])];
  return sum;
}

std::vector<Baseline> CompressionDomain::baselines(int /*min_degree*/, int /*max_degree*/) const {
  std::vector<Baseline> out;
  const LevelSet& set = levels_.set;
  const LayoutSpace& space = *layout_space_;
  const std::size_t n = space.layers();

  // Uniform: every layer at the target itself (off the level grid when it must be).
  std::vector<double> uniform(n, target_);
  if (!set.is_sparsity())
    for (std::size_t i = 0; i < n; ++i) uniform[i] = std::round(target_);
  out.push_back({"uniform", "uniform", 0, encode(uniform)});

  // Dynamic programming on the sum of per-layer errors.
  const auto err = layer_errors();
  out.push_back({"error-sum DP", "dp", 0, encode_layout(min_error_sum_layout(space, err))});

  // OWL: layers with more outlier weights compressed less; its two parameters chosen by
  // KL on the selection set, as its authors tuned them.
  // Sparsity levels are OWL's own fractions (compressed here, off the grid, as uniform's
  // are); bit-widths must be whole, so they are walked onto the grid at the exact budget.
  std::vector<long> sizes;
  for (std::size_t i = 0; i < n; ++i) sizes.push_back(space.size(i));
  std::vector<Program> owl_candidates;
  for (double m_ratio : {3.0, 5.0, 7.0, 10.0}) {
    const std::vector<double> d = outlier_ratios(dense_, input_norms_, m_ratio);
    for (double lambda : set.is_sparsity() ? std::vector<double>{0.02, 0.05, 0.08, 0.12, 0.16, 0.2}
                                           : std::vector<double>{0.5, 1.0, 1.5, 2.0}) {
      std::vector<double> per_layer = owl_allocation(d, sizes, target_, lambda, !set.is_sparsity());
      if (set.is_sparsity()) {
        for (double& v : per_layer) v = std::clamp(v, 0.0, max_sparsity_);
        owl_candidates.push_back(encode(per_layer));
        continue;
      }
      std::vector<double> units(n);
      for (std::size_t i = 0; i < n; ++i) units[i] = per_layer[i] * static_cast<double>(space.size(i));  // bits
      owl_candidates.push_back(encode_layout(nearest_layout(space, units)));
    }
  }
  std::vector<double> owl_kl(owl_candidates.size());
  parallel_for(owl_candidates.size(), [&](std::size_t c) { owl_kl[c] = evaluate(owl_candidates[c]).values.at(0); });
  const std::size_t best_owl = static_cast<std::size_t>(std::min_element(owl_kl.begin(), owl_kl.end()) - owl_kl.begin());
  out.push_back({"OWL-style", "owl", 0, owl_candidates[best_owl]});
  return out;
}

std::string CompressionDomain::render(const Program& p, std::string_view lang, const RenderContext& ctx) const {
  const auto v = decode(p);
  if (v.empty()) throw InputError("the program is not a layout of this model");
  const bool sparsity = levels_.set.is_sparsity();
  if (lang == "json") {
    nlohmann::json j;
    j["model"] = model_path_;
    j["method"] = levels_.set.method;
    if (!sparsity) j["group"] = levels_.set.group;
    j["budget"] = {{sparsity ? "sparsity" : "bits", budget_of(v)}};
    nlohmann::json layers = nlohmann::json::array();
    for (std::size_t i = 0; i < v.size(); ++i)
      layers.push_back({{"layer", i},
                        {"shape", {dense_.layers[i].weight.rows(), dense_.layers[i].weight.cols()}},
                        {sparsity ? "sparsity" : "bits", v[i]}});
    j["layers"] = layers;
    if (ctx.candidate) j["candidate"] = ctx.candidate;
    for (const auto& [name, value] : ctx.objectives) j["objectives"][name] = value;
    return j.dump(2) + "\n";
  }
  if (lang == "safetensors") {
    DenseModel m = compressed(v);
    // The dense model's figures are not the compressed model's: kept, and named as its.
    for (auto& [key, value] : m.metadata) {
      if (key == "test_accuracy" || key == "validation_accuracy") key = "dense_" + key;
      if (key == "format") value = "evo compressed model";
    }
    m.metadata.emplace_back("layout", render(p, "json", ctx));
    return model_bytes(m);
  }
  std::string s = "# " + levels_.set.method + " layout of " + model_path_ + ": " +
                  (sparsity ? "sparsity " + fixed(budget_of(v), 4) : fixed(budget_of(v), 3) + " bits per weight");
  if (ctx.candidate) s += " (candidate " + std::to_string(ctx.candidate) + ")";
  s += "\nlayer  shape       " + std::string(sparsity ? "sparsity" : "bits") + "\n";
  for (std::size_t i = 0; i < v.size(); ++i) {
    char buf[96];
    const std::string shape =
        std::to_string(dense_.layers[i].weight.rows()) + "x" + std::to_string(dense_.layers[i].weight.cols());
    char bits[32];
    std::snprintf(bits, sizeof bits, "%g", v[i]);
    std::snprintf(buf, sizeof buf, "%-6zu %-11s %s\n", i, shape.c_str(), sparsity ? fixed(v[i], 4).c_str() : bits);
    s += buf;
  }
  return s;
}

}  // namespace evo::compression
