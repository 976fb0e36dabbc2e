#include "evaluators/optimizer/optimizer.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "evaluators/optimizer/rule_export.h"
#include "evaluators/optimizer/rules.h"
#include "evaluators/optimizer/update_speed.h"
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

void drop_dead_states(Program& rule) {
  const int nin = static_cast<int>(rule.sig->inputs.size());
  const auto live = live_states(rule);
  for (std::size_t s = 0; s < live.size(); ++s)
    if (!live[s]) rule.state_next[s] = static_cast<Reg>(nin + s);
  remove_dead_code(rule);
}

std::vector<SettingSpec> OptimizerDomain::settings() {
  std::vector<std::string> starts = seed_names();
  starts.emplace_back("random");
  std::vector<std::string> funnel_names = task_names();
  funnel_names.emplace_back("none");
  return {
      {"tasks", "quadratic,rosenbrock,regression,fmnist_logreg,fmnist_mlp",
       "first-stage tasks: the search ranks rules by them", list_of(task_names())},
      {"lr_grid", "0.0003,0.003,0.03,0.3,3",
       "learning rates every rule (AdamW too) is tried at on the first stage; the best counts (the default spans "
       "AdamW's best rate on every task)",
       lr_grid_check},
      {"funnel_tasks", "fmnist_mlp_deep,fmnist_cnn",
       "larger tasks a rule is also trained on once it clears funnel_hurdle (none: no second stage)",
       list_of(funnel_names)},
      {"funnel_lr_grid", "0.0001,0.0003,0.001,0.003,0.01", "learning rates of the second stage", lr_grid_check},
      {"funnel_hurdle", "0.95", "first-stage fitness a rule must reach (at or below) to enter the second stage",
       real_in(0, 1e9)},
      {"wd", "0", "weight decay passed to the rule", real_in(0, 1)},
      {"seed_program", "adamw", "start population: a known optimizer, or random (a few random ops on g)",
       one_of(starts)},
      {"max_instructions", "24", "longest rule the search may build", integer_in(4, 200)},
      {"hash_bits", "40", "mantissa bits the functional hash keeps of each probe value", integer_in(8, 52)},
  };
}

namespace {

std::vector<double> parse_grid(const std::vector<std::string>& items) {
  std::vector<double> grid;
  for (const auto& item : items) {
    double lr = 0;
    parse_real(item, lr);
    grid.push_back(lr);
  }
  return grid;
}

}  // namespace

OptimizerDomain::OptimizerDomain(const Settings& s)
    : hurdle_(s.real("funnel_hurdle")),
      wd_(s.real("wd")),
      start_(s.str("seed_program")),
      hash_bits_(static_cast<int>(s.integer("hash_bits"))) {
  for (const auto& name : s.list("tasks")) small_.tasks.push_back(make_task(name));
  small_.lr_grid = parse_grid(s.list("lr_grid"));
  for (const auto& name : s.list("funnel_tasks"))
    if (name != "none") funnel_.tasks.push_back(make_task(name));
  funnel_.lr_grid = parse_grid(s.list("funnel_lr_grid"));
  space_.ops = {Op::add, Op::sub, Op::mul, Op::pdiv, Op::sqrt, Op::abs, Op::sign, Op::square, Op::exp,
                Op::log, Op::min, Op::max, Op::clip, Op::interp, Op::neg, Op::fma, Op::rms, Op::mean};
  space_.max_instructions = static_cast<int>(s.integer("max_instructions"));
  space_.immediate_min = 0.0;
  space_.immediate_max = 1.0;
  for (const auto& t : adamw(small_))
    if (t.result.diverged)
      throw InputError("AdamW diverges on task " + t.task + " at every learning rate of lr_grid");
}

const std::vector<OptimizerDomain::TaskScore>& OptimizerDomain::adamw(const Stage& stage) const {
  std::call_once(stage.once, [&] { stage.adamw = score(seed_program("adamw"), stage, false); });
  return stage.adamw;
}

std::string OptimizerDomain::describe() const {
  auto names = [](const Stage& st) {
    std::string out;
    for (const auto& t : st.tasks) out.append(out.empty() ? "" : ",").append(t->name());
    return out;
  };
  std::string out = "update rules on " + names(small_);
  if (!funnel_.tasks.empty()) out += ", then " + names(funnel_);
  return out + ", relative to AdamW";
}

const Signature* OptimizerDomain::signature() const { return rule_signature(); }

std::vector<ObjectiveSpec> OptimizerDomain::objectives() const {
  std::vector<ObjectiveSpec> out = {
      {"fitness", true, true,
       "first stage: mean over tasks of the validation loss at the best learning rate, relative to AdamW's "
       "(1 = AdamW)"}};
  if (!funnel_.tasks.empty())
    out.push_back({"funnel", true, true,
                   "the same over the second stage's tasks, for rules that clear funnel_hurdle (else null)", false});
  out.push_back({"ops", true, false, "live instructions of the rule"});
  out.push_back({"state_bytes", true, false, "optimizer state per parameter, 4 bytes per live slot (float32)", false});
  return out;
}

std::string OptimizerDomain::fingerprint() const {
  // Numbers in full (hex floats): two grids that differ anywhere must not share a cache.
  auto stage = [](const Stage& st) {
    std::string f;
    for (const auto& t : st.tasks) f += t->name() + ",";
    f += " lr=";
    for (double lr : st.lr_grid) f += hex_double(lr) + ",";
    return f;
  };
  return "optimizer/v2 tasks=" + stage(small_) + " funnel=" + stage(funnel_) + " hurdle=" + hex_double(hurdle_) +
         " wd=" + hex_double(wd_) + " hash_bits=" + std::to_string(hash_bits_);
}

Program OptimizerDomain::initial_program(Rng& rng) const {
  if (start_ != "random") return seed_program(start_);
  Program p = parse_program("input g\ninput w\ninput lr\ninput t\ninput wd\nstate m\nstate v\n"
                            "u1 = mul(lr, g)\noutput u = u1\nupdate m = m\nupdate v = v\n",
                            rule_signature());
  const int mutations = 2 + rng.below(3);
  for (int i = 0; i < mutations; ++i) {
    Program next = p;
    evo::mutate(next, space_, rng);
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
  RuleStepper s(w0, 1e-2, 1e-2);
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

std::vector<OptimizerDomain::TaskScore> OptimizerDomain::score(const Program& rule, const Stage& stage,
                                                                 bool report) const {
  const std::vector<TaskScore>* reference = report ? &adamw(stage) : nullptr;
  std::vector<TaskScore> out;
  for (std::size_t k = 0; k < stage.tasks.size(); ++k) {
    const Task& task = *stage.tasks[k];
    TaskScore best{task.name(), stage.lr_grid.front(), {}};
    best.result.diverged = true;
    for (double lr : stage.lr_grid) {
      const TrainResult r = train(rule, task, {lr, wd_, -std::numeric_limits<double>::infinity(), false});
      if (!r.diverged && (best.result.diverged || r.validation < best.result.validation)) best = {best.task, lr, r};
    }
    // The report trains once more at the best rate, now also measuring the test split and
    // the steps to AdamW's final validation loss (the same weights: training is deterministic).
    if (report && !best.result.diverged) {
      const double target = (*reference)[k].result.diverged ? -std::numeric_limits<double>::infinity()
                                                            : (*reference)[k].result.validation;
      best.result = train(rule, task, {best.lr, wd_, target, true});
    }
    out.push_back(best);
  }
  return out;
}

double OptimizerDomain::relative(const Stage& stage, const std::vector<TaskScore>& scores) const {
  const auto& ref = adamw(stage);
  double sum = 0;
  for (std::size_t k = 0; k < scores.size(); ++k) {
    if (scores[k].result.diverged || ref[k].result.diverged) return std::numeric_limits<double>::infinity();
    sum += scores[k].result.validation / ref[k].result.validation;
  }
  return sum / static_cast<double>(scores.size());
}

Evaluation OptimizerDomain::evaluate_primary(const Program& p) const {
  std::string why = static_defect(p);
  if (why.empty()) why = run_probe(p, nullptr);
  if (!why.empty()) return {false, why, {}};
  const auto scores = score(p, small_, false);
  for (const auto& s : scores)
    if (s.result.diverged) return {false, "diverges on " + s.task + " at every learning rate", {}};
  Evaluation ev;
  ev.values = {relative(small_, scores)};
  if (!funnel_.tasks.empty()) ev.values.push_back(std::numeric_limits<double>::infinity());
  return ev;
}

Evaluation OptimizerDomain::evaluate(const Program& p) const {
  Evaluation ev = evaluate_primary(p);
  if (ev.valid && !funnel_.tasks.empty() && ev.values[0] <= hurdle_)
    ev.values[1] = relative(funnel_, score(p, funnel_, false));
  return ev;
}

Report OptimizerDomain::report(const Program& p) const {
  Report out;
  out.columns = {"lr", "val_loss", "test_loss", "test_acc", "steps_to_target",
                 "adamw_lr", "adamw_val", "adamw_test", "adamw_acc", "adamw_steps"};
  for (const Stage* stage : {&small_, &funnel_}) {
    const auto mine = score(p, *stage, true);
    const auto ref = score(seed_program("adamw"), *stage, true);
    for (std::size_t k = 0; k < mine.size(); ++k) {
      auto row = [](const TaskScore& s) -> std::vector<double> {
        const double nan = std::numeric_limits<double>::quiet_NaN();
        if (s.result.diverged) return {nan, nan, nan, nan, nan};
        return {s.lr, s.result.validation, s.result.test, s.result.test_accuracy,
                static_cast<double>(s.result.steps_to_target)};
      };
      auto values = row(mine[k]);
      for (double v : row(ref[k])) values.push_back(v);
      out.rows.push_back({mine[k].task + (stage == &funnel_ ? " (funnel)" : ""), std::move(values)});
    }
  }
  return out;
}

std::vector<double> OptimizerDomain::structural_objectives(const Program& p) const {
  Program live = p;
  remove_dead_code(live);
  const auto states = live_states(p);
  return {static_cast<double>(live.code.size()), 4.0 * static_cast<double>(std::count(states.begin(), states.end(), true))};
}

std::vector<Baseline> OptimizerDomain::baselines(int /*min_degree*/, int /*max_degree*/) const {
  std::vector<Baseline> out;
  for (const auto& name : seed_names()) out.push_back({name, "optimizer", 0, seed_program(name)});
  return out;
}

std::vector<std::vector<Measurement>> OptimizerDomain::measure(const std::vector<Program>& programs) const {
  return measure_update_speed(programs);
}

std::string OptimizerDomain::render(const Program& p, std::string_view lang, const RenderContext& ctx) const {
  if (lang == "cpp") return render_cpp(p, ctx);
  if (lang == "pytorch") return render_pytorch(p, ctx);
  return to_text(p);
}

}  // namespace evo::optimizer
