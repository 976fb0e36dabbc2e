#include "tools/baseline_scores.h"

namespace evo::cli {

std::vector<ScoredBaseline> score_baselines(const Domain& domain, std::vector<Baseline> baselines) {
  std::vector<Evaluation> evs;
  std::vector<const Program*> programs;
  for (const auto& b : baselines) {
    evs.push_back(domain.evaluate(b.program));
    programs.push_back(&b.program);
  }
  domain.evaluate_together(programs, evs);
  const auto specs = domain.objectives();
  std::vector<ScoredBaseline> out;
  for (std::size_t i = 0; i < baselines.size(); ++i) {
    ScoredBaseline s{std::move(baselines[i]), std::move(evs[i]), {}};
    const auto structural = domain.structural_objectives(s.baseline.program);
    std::size_t f = 0, st = 0;
    for (const auto& o : specs) {
      std::optional<double> v;
      if (o.functional && s.ev.valid && f < s.ev.values.size()) v = s.ev.values[f];
      if (!o.functional && st < structural.size()) v = structural[st];
      (o.functional ? f : st)++;
      s.values.emplace_back(o.name, v);
    }
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace evo::cli
