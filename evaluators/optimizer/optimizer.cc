#include "evaluators/optimizer/optimizer.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "evaluators/native/codegen.h"
#include "evaluators/optimizer/rules.h"
#include "hashing/functional_hash.h"
#include "search/errors.h"
#include "search/program_text.h"

namespace evo::optimizer {
namespace {

std::string lr_grid_check(const std::string& v) {
  const auto items = split(v, ',');
  for (const auto& item : items) {
    double lr = 0;
    if (!parse_real(item, lr) || !(lr > 0)) return "'" + item + "' is not a positive number";
  }
  return items.empty() ? "expected a comma-separated list of learning rates" : "";
}

// For each register: whether its value can depend on `from` (a register), following state
// slots across steps.
std::vector<bool> reaches_from(const Program& p, Reg from) {
  const int base = p.first_temp();
  const int nin = static_cast<int>(p.sig->inputs.size());
  std::vector<bool> dep(p.num_registers(), false);
  dep[from] = true;
  for (bool changed = true; changed;) {
    changed = false;
    for (std::size_t i = 0; i < p.code.size(); ++i) {
      const Instr& in = p.code[i];
      bool d = false;
      for (int k = 0; k < in.arity(); ++k) d = d || (in.args[k] != kImm && dep[in.args[k]]);
      dep[base + i] = d || dep[base + i];
    }
    for (std::size_t s = 0; s < p.state_next.size(); ++s)
      if (dep[p.state_next[s]] && !dep[nin + s]) dep[nin + s] = changed = true;
  }
  return dep;
}

// State slots whose value can reach the update, directly or through other states.
std::vector<bool> live_states(const Program& p) {
  const int nin = static_cast<int>(p.sig->inputs.size());
  std::vector<bool> live(p.state_next.size(), false);
  for (std::size_t s = 0; s < live.size(); ++s) live[s] = reaches_from(p, static_cast<Reg>(nin + s))[p.outputs[0]];
  return live;
}

constexpr int kProbeParams = 16, kProbeSteps = 12;

}  // namespace

std::string static_defect(const Program& rule) {
  if (!reaches_from(rule, kG)[rule.outputs[0]]) return "the update does not depend on g";
  const int nin = static_cast<int>(rule.sig->inputs.size());
  const auto live = live_states(rule);
  for (std::size_t s = 0; s < live.size(); ++s)
    if (live[s] && rule.state_next[s] == nin + static_cast<int>(s))
      return "state " + rule.sig->states[s] + " is read but never written";
  return {};
}

std::vector<SettingSpec> OptimizerDomain::settings() {
  std::vector<std::string> starts = seed_names();
  starts.emplace_back("random");
  return {
      {"tasks", "quadratic,rosenbrock,regression", "proxy tasks the rule is trained on", list_of(task_names())},
      {"lr_grid", "0.0003,0.003,0.03,0.3,3",
       "learning rates every rule (AdamW too) is tried at; the best counts (the default spans AdamW's best rate on every task)",
       lr_grid_check},
      {"wd", "0", "weight decay passed to the rule", real_in(0, 1)},
      {"seed_program", "adamw", "start population: a known optimizer, or random (a few random ops on g)",
       one_of(starts)},
      {"max_instructions", "24", "longest rule the search may build", integer_in(4, 200)},
      {"hash_bits", "40", "mantissa bits the functional hash keeps of each probe value", integer_in(8, 52)},
  };
}

OptimizerDomain::OptimizerDomain(const Settings& s)
    : wd_(s.real("wd")), start_(s.str("seed_program")), hash_bits_(static_cast<int>(s.integer("hash_bits"))) {
  for (const auto& name : s.list("tasks")) tasks_.push_back(make_task(name));
  for (const auto& item : s.list("lr_grid")) {
    double lr = 0;
    parse_real(item, lr);
    lr_grid_.push_back(lr);
  }
  space_.ops = {Op::add, Op::sub, Op::mul, Op::pdiv, Op::sqrt, Op::abs, Op::sign, Op::square, Op::exp,
                Op::log, Op::min, Op::max, Op::clip, Op::interp, Op::neg, Op::fma};
  space_.max_instructions = static_cast<int>(s.integer("max_instructions"));
  space_.immediate_min = 0.0;
  space_.immediate_max = 1.0;
  adamw_ = score(seed_program("adamw"), true);
  for (const auto& t : adamw_)
    if (t.result.diverged)
      throw InputError("AdamW diverges on task " + t.task + " at every learning rate of lr_grid");
}

std::string OptimizerDomain::describe() const {
  std::string out = "update rules on ";
  for (std::size_t k = 0; k < tasks_.size(); ++k) {
    if (k) out += ',';
    out += tasks_[k]->name();
  }
  return out + ", fitness relative to AdamW";
}

const Signature* OptimizerDomain::signature() const { return rule_signature(); }

std::vector<ObjectiveSpec> OptimizerDomain::objectives() const {
  return {{"fitness", true, true,
           "mean over tasks of the validation loss at the best learning rate, relative to AdamW's (1 = AdamW)"},
          {"ops", true, false, "live instructions of the rule"},
          {"state", true, false, "state slots kept per parameter", false}};
}

std::string OptimizerDomain::fingerprint() const {
  std::string f = "optimizer/v1 tasks=";
  for (const auto& t : tasks_) f += t->name() + ",";
  f += " lr=";
  for (double lr : lr_grid_) f += std::to_string(lr) + ",";
  return f + " wd=" + std::to_string(wd_) + " hash_bits=" + std::to_string(hash_bits_);
}

Program OptimizerDomain::initial_program(Rng& rng) const {
  if (start_ != "random") return seed_program(start_);
  Program p = parse_program("input g\ninput w\ninput lr\ninput t\ninput wd\nstate m\nstate v\n"
                            "u1 = mul(lr, g)\noutput u = u1\nupdate m = m\nupdate v = v\n",
                            rule_signature());
  const int mutations = 2 + rng.below(3);
  for (int i = 0; i < mutations; ++i) {
    Program next = p;
    mutate(next, space_, rng);
    if (admissible(next)) p = std::move(next);
  }
  return p;
}

bool OptimizerDomain::admissible(const Program& p) const {
  return static_cast<int>(p.code.size()) <= space_.max_instructions;
}

std::string OptimizerDomain::run_probe(const Program& rule, FunctionalHasher* hash) const {
  Rng rng(0x5eed);
  std::vector<double> w0(kProbeParams);
  for (auto& x : w0) x = rng.normal();
  RuleStepper s(std::move(w0), 1e-2, 1e-2);
  const auto live = live_states(rule);
  for (int step = 0; step < kProbeSteps; ++step) {
    for (int i = 0; i < kProbeParams; ++i) s.gradient()[i] = rng.normal() + 0.5 * s.weights()[i];  // noisy pull to 0
    const double largest = s.step(rule, step + 1);
    if (std::isnan(largest)) return "its update is not finite on the probe";
    if (largest > 1e6) return "its update grows without bound on the probe";
    if (hash) {
      hash->add(s.update());
      for (int slot = 0; slot < 2; ++slot)
        if (live[slot]) hash->add(s.state(slot));
    }
  }
  return {};
}

Hash128 OptimizerDomain::functional_hash(const Program& p) const {
  FunctionalHasher h(hash_bits_);
  run_probe(p, &h);
  return h.digest();
}

std::vector<OptimizerDomain::TaskScore> OptimizerDomain::score(const Program& rule, bool with_test) const {
  std::vector<TaskScore> out;
  for (std::size_t k = 0; k < tasks_.size(); ++k) {
    TaskScore best{tasks_[k]->name(), lr_grid_.front(), {}};
    best.result.diverged = true;
    for (double lr : lr_grid_) {
      TrainOptions opt{lr, wd_, -std::numeric_limits<double>::infinity(), with_test};
      if (k < adamw_.size()) opt.target = adamw_[k].result.validation;
      const TrainResult r = train(rule, *tasks_[k], opt);
      if (!r.diverged && (best.result.diverged || r.validation < best.result.validation)) best = {best.task, lr, r};
    }
    out.push_back(best);
  }
  return out;
}

Evaluation OptimizerDomain::evaluate(const Program& p) const {
  Evaluation ev;
  std::string why = static_defect(p);
  if (why.empty()) why = run_probe(p, nullptr);
  if (!why.empty()) return {false, why, {}};
  double sum = 0;
  const auto scores = score(p, false);
  for (std::size_t k = 0; k < scores.size(); ++k) {
    if (scores[k].result.diverged) return {false, "diverges on " + scores[k].task + " at every learning rate", {}};
    sum += scores[k].result.validation / adamw_[k].result.validation;
  }
  ev.values = {sum / static_cast<double>(scores.size())};
  return ev;
}

std::vector<double> OptimizerDomain::structural_objectives(const Program& p) const {
  Program live = p;
  remove_dead_code(live);
  const auto states = live_states(p);
  return {static_cast<double>(live.code.size()), static_cast<double>(std::count(states.begin(), states.end(), true))};
}

std::vector<Baseline> OptimizerDomain::baselines(int /*min_degree*/, int /*max_degree*/) const {
  std::vector<Baseline> out;
  for (const auto& name : seed_names()) out.push_back({name, "optimizer", 0, seed_program(name)});
  return out;
}

std::string OptimizerDomain::render(const Program& p, std::string_view lang, const RenderContext& ctx) const {
  if (lang == "text") return to_text(p);
  // C++: one update over arrays, float parameters; w <- w - u and the new state in place.
  std::string out = "// Update rule found by evo";
  if (ctx.candidate) out += " (run " + std::to_string(ctx.run) + ", candidate " + std::to_string(ctx.candidate) + ")";
  out += ".\n";
  for (const auto& [name, value] : ctx.objectives) out += "// " + name + ": " + std::to_string(value) + "\n";
  out += "// Each step t = 1, 2, ...: w <- w - u(g, w, lr, t, wd, m, v); m and v start at 0.\n";
  out += "#pragma once\n#include <cmath>\n#include <cstddef>\n\n";
  out += "inline void evo_update(std::size_t n, const float* g_, float* w_, float* m_, float* v_, float lr, float t,\n"
         "                       float wd) {\n";
  out += "  for (std::size_t i = 0; i < n; ++i) {\n";
  out += "    const float g = g_[i], w = w_[i], m = m_[i], v = v_[i];\n";
  out += "    (void)g, (void)w, (void)m, (void)v, (void)lr, (void)t, (void)wd;\n";
  out += emit_statements(p, "float", SourceLang::cpp, "    ");
  out += "    w_[i] = w - " + register_name(p, p.outputs[0]) + ";\n";
  out += "    m_[i] = " + register_name(p, p.state_next[0]) + ";\n";
  out += "    v_[i] = " + register_name(p, p.state_next[1]) + ";\n";
  out += "  }\n}\n";
  return out;
}

}  // namespace evo::optimizer
