// Function approximation: evolve a program y = f(x) that approximates a target function
// on an interval with the smallest maximum error under an op-cost budget.
//
// Objectives: `error` (functional) is the maximum relative error over a grid of evenly
// spaced points that includes both endpoints, against a long double reference; where the
// target is zero or changes sign on the interval the absolute error is used instead
// (`error=auto`, the default, chooses; describe() says which). `cost` (structural) is the
// weighted count of the ops that depend on x (weights in search/op_table.h). With
// cost=time, measured speed under an error bound takes the place of `cost` in selection
// (native_cost.cc).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "evaluators/funcapprox/constant_fit.h"
#include "evaluators/funcapprox/scaffold.h"
#include "evaluators/funcapprox/series_match.h"
#include "evaluators/funcapprox/targets.h"
#include "search/domain.h"
#include "search/settings.h"

namespace evo::funcapprox {

enum class Precision { float32, float64, real };

class FuncApprox final : public Domain {
 public:
  static std::vector<SettingSpec> settings();
  // Throws InputError when settings contradict each other (e.g. log on an interval <= 0).
  explicit FuncApprox(const Settings& s);

  std::string name() const override { return "funcapprox"; }
  std::string describe() const override;
  const Signature* signature() const override { return sig_; }
  const MutationSpace& mutation_space() const override { return space_; }
  // fit_start=series: the expansion points (the interval's ends and middle) and the
  // target's series there; empty otherwise.
  const std::vector<SeriesPoint>& series_points() const { return series_points_; }
  std::vector<ObjectiveSpec> objectives() const override;
  std::string fingerprint() const override;
  Program initial_program(Rng& rng) const override;
  bool admissible(const Program& p) const override;
  void polish(Program& p, MutationKind kind) const override;
  Hash128 functional_hash(const Program& p) const override;
  Evaluation evaluate(const Program& p) const override;
  // cost=time: times the batch's programs within the error bound (native_cost.cc).
  void evaluate_together(std::span<const Program* const> programs, std::span<Evaluation> results) const override;
  std::vector<double> structural_objectives(const Program& p) const override;
  // float32: the error of every float in the interval, in ULPs (measure.cc).
  std::vector<std::vector<Measurement>> measure(const std::vector<Program>& programs) const override;
  std::vector<std::string> measurement_names() const override;
  std::optional<SpeedBench> speed_bench() const override;  // native_kernel.cc
  std::string kernel_source(const Program& p, const std::string& symbol) const override;
  // Whether kernel_source() writes the AVX-512 form here (exp scaffolds on an AVX-512F CPU).
  bool vector_kernels() const;
  std::vector<std::string> languages() const override { return {"text", "cpp", "c"}; }
  std::map<std::string, std::string> settings_in_use() const override;
  std::string render(const Program& p, std::string_view lang, const RenderContext& ctx) const override;

  bool relative_error() const { return relative_; }
  const std::vector<long double>& grid() const { return x_; }
  const Target& target() const { return *target_; }
  double lo() const { return lo_; }
  double hi() const { return hi_; }
  // Taylor and minimax polynomials (baselines.cc).
  std::vector<Baseline> baselines(int min_degree, int max_degree) const override;

 private:
  template <class T>
  Evaluation evaluate_as(const Program& p) const;
  template <class T>
  Hash128 hash_as(const Program& p) const;
  template <class T>
  const std::vector<T>& grid_as() const;
  std::string value_type() const;
  long double error_weight(long double ref) const;
  // scaffold=NAME (scaffold_render.cc): the core's target, interval and error come from the
  // scaffold; exports wrap the core in the whole-range function.
  void apply_scaffold(const Settings& s);
  std::string render_scaffolded(const Program& p, std::string_view lang, const RenderContext& ctx) const;
  const Scaffold* scaffold_ = nullptr;
  // cost=time (native_cost.cc): measured speed under an error bound is the cost.
  void setup_time_cost(const Settings& s);
  std::string time_cost_fingerprint() const;
  std::vector<ObjectiveSpec> time_cost_objectives() const;
  void mark_for_timing(Evaluation& ev) const;
  bool time_cost_ = false;
  double error_bound_ = 0;
  Program time_reference_;    // the minimax polynomial every batch is timed against
  std::string timing_setup_;  // compiler, flags and CPU: recorded with the objectives

  const Target* target_;
  double lo_, hi_;
  int points_;
  Precision precision_;
  bool relative_;                     // relative or ulp: the error scales with |f(x)|
  std::string error_kind_;            // relative | absolute | ulp
  int hash_bits_;
  double max_cost_;
  std::array<double, kOpCount> weights_;  // op cost weights: the op table's, fma per fma_cost
  std::string init_;                  // random | trivial | minimax | polynomials
  void setup_polynomial_starts();
  // init=minimax: the polynomial of the highest degree within max_ops (the start program);
  // init=polynomials: those of every degree, highest first.
  std::vector<Program> polynomial_starts_;
  const Signature* sig_;
  MutationSpace space_;
  std::vector<long double> x_;        // grid points, already rounded to the precision's type
  std::vector<float> xf_;             // the same points in float and double
  std::vector<double> xd_;
  std::vector<double> ref_hi_, ref_lo_;  // reference as a double-double
  std::vector<long double> ref_;      // reference in long double (for precision=real)
  std::vector<double> inv_scale_;     // 1/|f(x)| for relative error, 1 for absolute
  // argument_rounding: what a half-ulp error in the argument adds at each point, in the
  // error's units (all 0 unless the scaffold's reduction rounds the core's argument).
  void setup_argument_rounding(const Settings& s);
  bool argument_rounds_ = false;
  std::vector<double> slack_;
  std::vector<long double> probes_;   // functional-hash inputs
  enum class FitPolicy { none, structural, all } fit_policy_;
  FitProblem fit_;                    // constant fitting: a subsample of the grid
  std::string measure_interval_;      // "auto" or LO:HI (measure.cc)
  bool fit_lm_ = false;               // fit_method=lm: minimax_fit.h, else constant_fit.h
  // fit_start=series (series_start.cc): the lm fit starts from series-matched constants when
  // they are better than the program's own.
  void setup_series_start();
  void start_from_series(Program& p) const;
  std::vector<SeriesPoint> series_points_;
};

}  // namespace evo::funcapprox
