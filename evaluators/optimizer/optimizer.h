// Optimizer discovery: evolve update rules (rules.h) that train proxy tasks (tasks.h) to a
// lower validation loss than AdamW.
//
// Two stages of tasks, a funnel. The search ranks by the first, cheap stage (`tasks`,
// learning rates `lr_grid`); a rule whose fitness there clears `funnel_hurdle` is also
// trained on the larger tasks of the second stage (`funnel_tasks`, rates `funnel_lr_grid`),
// and both fidelities are recorded. Validation splits only: test splits are for `evo eval`.
//
// Objectives: `fitness` (functional, searched on) is the mean over the first stage's tasks
// of the rule's validation loss at the end of each task's budget, at its best learning rate,
// divided by AdamW's at its best rate on the same grid: 1 is AdamW, below 1 is better.
// `funnel` (functional, recorded) is the same measure over the second stage, infinite
// (stored null) for a rule that did not clear the hurdle. `ops` (structural) counts live
// instructions; `state_bytes` (recorded) the optimizer state a parameter needs, 4 bytes per
// live state slot as the exported float code keeps it.
//
// Before any training a rule is rejected when its update does not depend on g, when it
// reads a state slot that it never writes, or when its updates grow without bound or stop
// being finite on the probe (the same fixed gradient sequence the functional hash runs).
#pragma once

#include <memory>
#include <mutex>
#include <vector>

#include "evaluators/optimizer/tasks.h"
#include "evaluators/optimizer/trainer.h"
#include "hashing/functional_hash.h"
#include "search/domain.h"
#include "search/settings.h"

namespace evo::optimizer {

// Why a rule cannot work, found without training; empty when none is found.
std::string static_defect(const Program& rule);

// The rule without the state slots whose value never reaches the update (a slot written
// but read by nothing that counts keeps its old value, as if never updated) and without
// the code that only they used: what an export writes.
void drop_dead_states(Program& rule);

class OptimizerDomain final : public Domain {
 public:
  static std::vector<SettingSpec> settings();
  // Throws InputError when AdamW diverges on a first-stage task at every learning rate.
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
  Evaluation evaluate_primary(const Program& p) const override;  // the first stage only
  std::vector<double> structural_objectives(const Program& p) const override;
  Report report(const Program& p) const override;
  // ns_per_param: the rule compiled and timed beside SGD, Lion and AdamW (update_speed.h).
  std::vector<std::vector<Measurement>> measure(const std::vector<Program>& programs) const override;
  std::vector<std::string> measurement_names() const override { return {"ns_per_param"}; }
  std::vector<Baseline> baselines(int min_degree, int max_degree) const override;
  std::vector<std::string> languages() const override { return {"text", "cpp", "pytorch"}; }
  std::string render(const Program& p, std::string_view lang, const RenderContext& ctx) const override;

  // Per task: the best result over the learning-rate grid (and that rate).
  struct TaskScore {
    std::string task;
    double lr = 0;
    TrainResult result;
  };
  // One stage of the funnel: its tasks, its learning-rate grid, and AdamW's scores on them
  // (the first stage's when the domain is built, to check AdamW trains every task; the
  // second's on first use, so building the domain stays cheap. A second-stage task on
  // which AdamW diverges at every rate makes every rule's `funnel` infinite).
  struct Stage {
    std::vector<std::unique_ptr<Task>> tasks;
    std::vector<double> lr_grid;
    mutable std::once_flag once;
    mutable std::vector<TaskScore> adamw;
  };
  // `report`: also the test loss (at the best rate) and the steps to AdamW's final
  // validation loss.
  std::vector<TaskScore> score(const Program& rule, const Stage& stage, bool report) const;
  const std::vector<TaskScore>& adamw(const Stage& stage) const;
  const Stage& first_stage() const { return small_; }

 private:
  // The probe: a fixed gradient sequence; returns an empty string or why the rule fails it,
  // and feeds the trajectory (updates and live states) to `hash` when given.
  std::string run_probe(const Program& rule, FunctionalHasher* hash) const;
  // Mean over the stage's tasks of the rule's validation loss relative to AdamW's; infinite
  // when the rule diverges on a task.
  double relative(const Stage& stage, const std::vector<TaskScore>& scores) const;

  Stage small_, funnel_;
  double hurdle_;
  double wd_;
  std::string start_;
  int hash_bits_;
  MutationSpace space_;
};

}  // namespace evo::optimizer
