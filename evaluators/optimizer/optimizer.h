// Optimizer discovery: evolve update rules (rules.h) that train proxy tasks (tasks.h) to a
// lower validation loss than AdamW.
//
// Objectives: `fitness` (functional) is the mean over the tasks of the rule's validation
// loss at the end of each task's budget, at its best learning rate on lr_grid, divided by
// AdamW's at its best learning rate on the same grid: 1 is AdamW, below 1 is better. `ops`
// (structural) counts the rule's live instructions; `state` (recorded, not searched on)
// the state slots it keeps per parameter.
//
// Before any training a rule is rejected when its update does not depend on g, when it
// reads a state slot that it never writes, or when its updates grow without bound or stop
// being finite on the probe (the same fixed gradient sequence the functional hash runs).
#pragma once

#include <memory>
#include <vector>

#include "evaluators/optimizer/tasks.h"
#include "evaluators/optimizer/trainer.h"
#include "hashing/functional_hash.h"
#include "search/domain.h"
#include "search/settings.h"

namespace evo::optimizer {

// Why a rule cannot work, found without training; empty when none is found.
std::string static_defect(const Program& rule);

class OptimizerDomain final : public Domain {
 public:
  static std::vector<SettingSpec> settings();
  // Throws InputError when AdamW diverges on a task at every learning rate of the grid.
  explicit OptimizerDomain(const Settings& s);

  std::string name() const override { return "optimizer"; }
  std::string describe() const override;
  const Signature* signature() const override;
  const MutationSpace& mutation_space() const override { return space_; }
  std::vector<ObjectiveSpec> objectives() const override;
  std::string fingerprint() const override;
  Program initial_program(Rng& rng) const override;
  bool admissible(const Program& p) const override;
  Hash128 functional_hash(const Program& p) const override;
  Evaluation evaluate(const Program& p) const override;
  std::vector<double> structural_objectives(const Program& p) const override;
  std::vector<Baseline> baselines(int min_degree, int max_degree) const override;
  std::vector<std::string> languages() const override { return {"text", "cpp"}; }
  std::string render(const Program& p, std::string_view lang, const RenderContext& ctx) const override;

  // Per task: the best result over the learning-rate grid (and that rate).
  struct TaskScore {
    std::string task;
    double lr = 0;
    TrainResult result;
  };
  std::vector<TaskScore> score(const Program& rule, bool with_test) const;
  const std::vector<TaskScore>& adamw() const { return adamw_; }

 private:
  // The probe: a fixed gradient sequence; returns an empty string or why the rule fails it,
  // and feeds the trajectory (updates and live states) to `hash` when given.
  std::string run_probe(const Program& rule, FunctionalHasher* hash) const;

  std::vector<std::unique_ptr<Task>> tasks_;
  std::vector<double> lr_grid_;
  double wd_;
  std::string start_;
  int hash_bits_;
  MutationSpace space_;
  std::vector<TaskScore> adamw_;
};

}  // namespace evo::optimizer
