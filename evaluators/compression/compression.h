// Compression layouts, the EvoPress way: choose one compression level per layer of a
// model so that the model as a whole meets a budget (average sparsity, or average bits)
// and loses as little as possible.
//
// A layout is a program with one constant per layer (`output layer<i> = const(level)`:
// a sparsity fraction or a bit-width); layer i's weights at that level come from the level
// database (levels.h), built once from calibration images and kept in a file beside the
// model. Mutation is the level switch (layout.h), so every layout the search makes spends
// exactly the same budget. Layouts whose compressed models are identical hash alike.
//
// Objectives: `kl` (functional, searched on), the mean KL divergence between the dense and
// the compressed model's output distributions on a fixed selection set of training
// images; `budget` (structural, recorded), the layout's average sparsity or bits. For the
// (1+λ) search with multi-step selection (engine `selection=elitist`), the domain also
// scores layouts on fresh draws of training images (`screen_samples`, `screen_keep`).
// The test split is used only by `evo eval`.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "evaluators/compression/layout.h"
#include "evaluators/compression/levels.h"
#include "evaluators/compression/model.h"
#include "evaluators/compression/packed_model.h"
#include "search/domain.h"
#include "search/settings.h"

namespace evo::compression {

class CompressionDomain final : public Domain {
 public:
  static std::vector<SettingSpec> settings();
  // The objectives, which do not depend on the settings but for the budget's meaning.
  static std::vector<ObjectiveSpec> objective_specs(bool sparsity = true);
  // Loads the model and data, and builds (or loads) the level database. Throws InputError
  // for a missing or malformed model or data file, or settings that do not fit the model.
  explicit CompressionDomain(const Settings& s);

  std::string name() const override { return "compression"; }
  std::string describe() const override;
  const Signature* signature() const override { return sig_; }
  const MutationSpace& mutation_space() const override { return space_; }
  std::vector<ObjectiveSpec> objectives() const override;
  std::string fingerprint() const override { return fingerprint_; }
  // The model and a data file as absolute paths: a run is resumed, shown and exported from
  // any directory, not only the one it was started in.
  std::map<std::string, std::string> settings_in_use() const override;
  Program initial_program(Rng& rng) const override;
  bool admissible(const Program& p) const override;
  std::optional<MutationKind> mutate(Program& p, Rng& rng) const override;
  std::vector<Baseline> baselines(int min_degree, int max_degree) const override;
  Hash128 functional_hash(const Program& p) const override;
  Evaluation evaluate(const Program& p) const override;
  std::map<std::string, std::string> engine_defaults() const override { return {{"selection", "elitist"}}; }
  std::vector<ScreenStage> screen_stages() const override { return screens_; }
  double screen(const Program& p, std::size_t stage, std::uint64_t draw) const override;
  std::vector<double> structural_objectives(const Program& p) const override;
  Report report(const Program& p) const override;
  // Deployed form, timed beside the dense model in the same call: latency_us (one image
  // per pass), speedup (the dense model's latency over it), weight_bytes (packed codes or
  // sparse rows); batch-256 figures in the detail.
  std::vector<std::vector<Measurement>> measure(const std::vector<Program>& programs) const override;
  std::vector<std::string> measurement_names() const override { return {"latency_us", "speedup", "weight_bytes"}; }
  // The layout's compressed model in its deployed form (packed_model.h).
  PackedModel packed(const std::vector<double>& values) const;
  std::vector<std::string> languages() const override { return {"text", "json", "safetensors"}; }
  std::string render(const Program& p, std::string_view lang, const RenderContext& ctx) const override;

  // Exposed for tests and baselines.
  const LayoutSpace& layout_space() const { return *layout_space_; }
  const LevelSet& level_set() const { return levels_.set; }
  Program encode(const std::vector<double>& values) const;
  Program encode_layout(const Layout& l) const;
  std::vector<double> layout_values(const Layout& l) const;  // each layer's level value
  // Per layer: the level's value; empty when the program is not a layout of this model.
  std::vector<double> decode(const Program& p) const;
  // The compressed model: grid levels from the database, other values compressed here.
  DenseModel compressed(const std::vector<double>& values) const;
  double kl(const DenseModel& m, const Eigen::MatrixXf& x, const Eigen::MatrixXf& dense_logits) const;
  const DenseModel& dense() const { return dense_; }
  // err[layer][level]: KL on the selection set with only that layer compressed to that
  // level (computed once). What the error-sum DP adds up.
  std::vector<std::vector<double>> layer_errors() const;
  // The sum of a grid layout's per-layer errors (NaN off the grid).
  double error_sum(const Program& p) const;
  std::vector<std::string> files_read() const override { return {model_path_, levels_path_}; }

 private:
  Eigen::MatrixXf layer_weight(std::size_t layer, double value) const;
  double budget_of(const std::vector<double>& values) const;  // sparsity or bits per weight
  long rows_of(std::size_t layer) const { return static_cast<long>(dense_.layers[layer].weight.rows()); }
  long cols_of(std::size_t layer) const { return static_cast<long>(dense_.layers[layer].weight.cols()); }
  // A fresh quantizer of a layer (the level database holds the levels on the grid).
  LayerQuantizer quantizer(std::size_t layer) const;
  // Images of a screening draw and the dense model's logits on them (cached by draw).
  std::shared_ptr<const std::pair<Eigen::MatrixXf, Eigen::MatrixXf>> draw_images(std::size_t stage,
                                                                                  std::uint64_t draw) const;

  std::string model_path_, levels_path_, data_;
  DenseModel dense_;
  LevelDatabase levels_;
  std::vector<std::vector<std::uint64_t>> level_hashes_;  // [layer][level]: digest of the weights
  std::vector<Eigen::MatrixXf> hessians_;                 // per layer (sparsegpt, gptq), for values off the grid
  std::vector<Eigen::VectorXf> input_norms_;              // per layer: each input's norm (OWL)
  std::unique_ptr<LayoutSpace> layout_space_;
  double target_ = 0;
  double max_sparsity_ = 0;
  int switch_steps_ = 1;
  Eigen::MatrixXf pool_;                 // training images screening draws come from
  Eigen::MatrixXf selection_, selection_logits_;
  std::vector<ScreenStage> screens_;
  std::vector<int> screen_samples_;
  std::string fingerprint_;
  const Signature* sig_ = nullptr;
  MutationSpace space_;
  mutable std::once_flag errors_once_;
  mutable std::vector<std::vector<double>> layer_errors_;
  mutable std::mutex draw_mutex_;
  mutable std::map<std::pair<std::size_t, std::uint64_t>,
                   std::shared_ptr<const std::pair<Eigen::MatrixXf, Eigen::MatrixXf>>>
      draws_;
};

}  // namespace evo::compression
