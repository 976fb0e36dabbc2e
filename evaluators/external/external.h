// The external domain: the user's own evaluator, a command that scores candidates.
//
//   evo run --domain external --set command="python3 my_eval.py" --set objectives=loss,acc:max
//
// Each candidate goes to the command as one JSON line on its stdin; the command answers
// with its objectives as one JSON object on stdout (protocol.h; README "External
// evaluators"). mode=process starts the command once per candidate; mode=server keeps one
// process per worker thread and sends it one line per candidate. Every evaluation has a
// hard time limit (the process group is killed), a memory limit, and its stderr kept: a
// crash, a time-out, a non-zero exit or a malformed answer makes the candidate invalid
// with the reason, and the run goes on. Such a failure is not cached: a later candidate
// with the same function is sent again (an {"invalid": ...} answer is cached).
//
// Genomes:
//   program  programs over `inputs` with `outputs`, of the ops in `ops` (at most max_ops),
//            sent as program text; the functional hash runs them on fixed probe inputs, so
//            programs that compute the same function are evaluated once
//   reals    `length` numbers in [lo, hi], sent as a JSON array; mutation moves one or two
//            of them by a normal step of `step` x (hi - lo)
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <vector>

#include "evaluators/external/process.h"
#include "evaluators/external/protocol.h"
#include "search/domain.h"
#include "search/settings.h"

namespace evo::external {

class ExternalDomain final : public Domain {
 public:
  explicit ExternalDomain(const Settings& s);
  ~ExternalDomain() override;
  static std::vector<SettingSpec> settings();
  static std::vector<ObjectiveSpec> objective_specs(const std::vector<ObjectiveName>& names, bool program_genome);

  std::string name() const override { return "external"; }
  std::string describe() const override;
  const Signature* signature() const override { return sig_; }
  const MutationSpace& mutation_space() const override { return space_; }
  std::vector<ObjectiveSpec> objectives() const override;
  std::string fingerprint() const override;
  Program initial_program(Rng& rng) const override;
  bool admissible(const Program& p) const override;
  std::optional<MutationKind> mutate(Program& p, Rng& rng) const override;
  Hash128 functional_hash(const Program& p) const override;
  Evaluation evaluate(const Program& p) const override;
  std::vector<double> structural_objectives(const Program& p) const override;
  std::vector<std::string> languages() const override { return {"text", "json"}; }
  std::string render(const Program& p, std::string_view lang, const RenderContext& ctx) const override;

  // The line sent to the evaluator for `p`.
  std::string request(const Program& p) const;

 private:
  bool reals() const { return genome_ == "reals"; }
  std::vector<double> values(const Program& p) const;  // reals genome; empty when p is not one
  Program encode(const std::vector<double>& v) const;
  std::string failure(const ProcessOutcome& o) const;  // the reason recorded on the candidate
  Evaluation answered(const std::string& line) const;
  Evaluation failed(std::string reason) const;
  std::string evaluator_failure() const override;

  std::string command_, genome_, mode_, cache_key_;
  std::vector<ObjectiveName> objectives_;
  ProcessLimits limits_;
  const Signature* sig_ = nullptr;
  MutationSpace space_;
  int max_ops_ = 16;
  double lo_ = -1, hi_ = 1, step_ = 0.1;
  std::vector<std::vector<double>> probes_;  // [input][point]: the functional hash's inputs

  // mode=server: idle evaluator processes, one taken per evaluation in flight.
  mutable std::mutex servers_mutex_;
  mutable std::vector<std::unique_ptr<ServerProcess>> idle_servers_;

  // Evaluations the evaluator answered, and the ones it failed (crash, exit, time-out).
  static constexpr long kGiveUp = 64;
  mutable std::atomic<long> answers_{0}, failures_{0};
  mutable std::mutex last_failure_mutex_;
  mutable std::string last_failure_;
};

}  // namespace evo::external
