#include "evaluators/external/external.h"

#include <algorithm>
#include <cstdio>
#include <optional>
#include <set>

#include <nlohmann/json.hpp>

#include "hashing/functional_hash.h"
#include "search/errors.h"
#include "search/interpreter.h"
#include "search/op_table.h"
#include "search/program_text.h"

namespace evo::external {
namespace {

constexpr int kProbes = 16;  // points per input the functional hash runs a program on

std::vector<std::string> op_names() {
  std::vector<std::string> names;
  for (const auto& info : kOpTable) names.emplace_back(info.name);
  return names;
}

std::string objectives_check(const std::string& v) {
  try {
    parse_objective_list(split(v, ','));
    return {};
  } catch (const InputError& e) {
    return e.what();
  }
}

std::string names_check(const std::string& v) {
  const auto names = split(v, ',');
  if (names.empty()) return "expected NAME[,NAME...]";
  for (const auto& n : names) {
    if (!is_name(n)) return "'" + n + "' is not a name";
    if (is_register_name(n)) return "'" + n + "' is a register name (r1, r2, ... name instructions' results)";
  }
  if (std::set<std::string>(names.begin(), names.end()).size() != names.size()) return "a name repeats";
  return {};
}

std::string real_check(const std::string& v) {
  double x = 0;
  return parse_real(v, x) ? std::string() : "expected a finite number";
}

std::string decimal(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

// The last non-empty line of a process's stdout: what it answered (earlier lines may be
// its own chatter).
std::string last_line(const std::string& out) {
  std::size_t end = out.size();
  while (end > 0) {
    while (end > 0 && (out[end - 1] == '\n' || out[end - 1] == '\r')) --end;
    const std::size_t start = out.rfind('\n', end == 0 ? 0 : end - 1);
    const std::size_t from = start == std::string::npos ? 0 : start + 1;
    std::string line = out.substr(from, end - from);
    if (line.find_first_not_of(" \t") != std::string::npos) return line;
    end = from;
  }
  return {};
}

}  // namespace

std::vector<SettingSpec> ExternalDomain::settings() {
  return {
      {"command", "",
       "the evaluator: a shell command that reads candidates as JSON lines on stdin and answers each with its "
       "objectives as a JSON object on stdout (required; README, External evaluators)",
       {}},
      {"objectives", "score",
       "what the evaluator returns, comma separated, the first ranked first; NAME:max to maximise one (the "
       "default minimises)",
       objectives_check},
      {"genome", "program", "what a candidate is: program (a program over `inputs`) or reals (`length` numbers)",
       one_of({"program", "reals"})},
      {"mode", "process",
       "process: the command is started for every candidate; server: one long-lived process per thread "
       "answers a line per candidate (for evaluators with expensive start-up)",
       one_of({"process", "server"})},
      {"timeout", "60", "seconds one evaluation may take; then the evaluator's process group is killed",
       real_in(0.001, 1e6)},
      {"memory_mb", "4096", "address-space limit of each evaluator process in MiB (0: none)",
       integer_in(0, 1LL << 30)},
      {"inputs", "x", "program genome: the program's inputs", names_check},
      {"outputs", "y", "program genome: the program's outputs", names_check},
      {"ops", "add,sub,mul,div", "program genome: the ops the search may use", list_of(op_names())},
      {"max_ops", "16", "program genome: at most this many instructions", integer_in(1, 200)},
      {"length", "4", "reals genome: how many numbers", integer_in(1, 100000)},
      {"lo", "-1", "reals genome: the smallest value", real_check},
      {"hi", "1", "reals genome: the largest value", real_check},
      {"step", "0.1", "reals genome: a mutation's standard deviation, as a fraction of hi - lo", real_in(1e-9, 1.0)},
      {"cache_key", "",
       "any text; change it when the evaluator changes, so that results cached by earlier runs in the same "
       "database are not reused",
       {}},
  };
}

ExternalDomain::ExternalDomain(const Settings& s)
    : command_(s.str("command")),
      genome_(s.str("genome")),
      mode_(s.str("mode")),
      cache_key_(s.str("cache_key")),
      objectives_(parse_objective_list(s.list("objectives"))) {
  if (command_.find_first_not_of(" \t") == std::string::npos)
    throw InputError("domain external: set command=..., the evaluator to run (README, External evaluators)");
  limits_.timeout_s = s.real("timeout");
  limits_.memory_mb = s.integer("memory_mb");
  lo_ = s.real("lo");
  hi_ = s.real("hi");
  step_ = s.real("step");
  max_ops_ = static_cast<int>(s.integer("max_ops"));
  Signature sig;
  if (reals()) {
    if (!(lo_ < hi_)) throw InputError("domain external: lo must be below hi");
    sig.inputs = {"x"};
    for (long long i = 0; i < s.integer("length"); ++i) {
      std::string name = "v";
      name += std::to_string(i);
      sig.outputs.push_back(std::move(name));
    }
  } else {
    sig.inputs = s.list("inputs");
    sig.outputs = s.list("outputs");
    for (const auto& name : s.list("ops")) space_.ops.push_back(*op_from_name(name));
    space_.max_instructions = max_ops_;
    Rng rng(0x9e3779b97f4a7c15ULL);
    probes_.assign(sig.inputs.size(), std::vector<double>(kProbes));
    for (auto& input : probes_)
      for (double& v : input) v = rng.uniform(-2.0, 2.0);
  }
  sig_ = intern_signature(sig);
}

ExternalDomain::~ExternalDomain() = default;

std::string ExternalDomain::describe() const {
  std::string what = reals() ? std::to_string(sig_->outputs.size()) + " reals in [" + decimal(lo_) + ", " +
                                   decimal(hi_) + "]"
                             : "programs of " + std::to_string(sig_->inputs.size()) +
                                   (sig_->inputs.size() == 1 ? " input" : " inputs");
  return what + ", scored by `" + command_ + "` (" + mode_ + ")";
}

std::vector<ObjectiveSpec> ExternalDomain::objective_specs(const std::vector<ObjectiveName>& names, bool program) {
  std::vector<ObjectiveSpec> out;
  for (const auto& n : names)
    out.push_back({n.name, !n.maximize, true, "returned by the evaluator", true, false});
  if (program) out.push_back({"ops", true, false, "live instructions (recorded; does not steer)", false, false});
  return out;
}

std::vector<ObjectiveSpec> ExternalDomain::objectives() const { return objective_specs(objectives_, !reals()); }

std::string ExternalDomain::fingerprint() const {
  std::string f = "external/1 command=" + command_ + " genome=" + genome_ + " objectives=";
  for (const auto& o : objectives_) f += o.name + (o.maximize ? ":max," : ",");
  f += " signature=";
  for (const auto& n : sig_->inputs) f += n + ",";
  f += "->";
  for (const auto& n : sig_->outputs) f += n + ",";
  return f + " cache_key=" + cache_key_;
}

Program ExternalDomain::encode(const std::vector<double>& v) const { return constants_program(sig_, v); }

std::vector<double> ExternalDomain::values(const Program& p) const {
  return p.sig == sig_ ? constant_outputs(p, sig_) : std::vector<double>{};
}

Program ExternalDomain::initial_program(Rng& rng) const {
  if (reals()) {
    std::vector<double> v(sig_->outputs.size());
    for (double& x : v) x = rng.uniform(lo_, hi_);
    return encode(v);
  }
  Program p = trivial_program(sig_);
  const int inserts = 1 + static_cast<int>(rng.below(3));
  for (int i = 0; i < inserts; ++i) {
    Program next = p;
    if (mutate_insert(next, space_, rng) && admissible(next)) p = std::move(next);
  }
  return p;
}

bool ExternalDomain::admissible(const Program& p) const {
  if (!reals()) return static_cast<int>(p.code.size()) <= max_ops_;
  const auto v = values(p);
  return !v.empty() && std::all_of(v.begin(), v.end(), [&](double x) { return x >= lo_ && x <= hi_; });
}

std::optional<MutationKind> ExternalDomain::mutate(Program& p, Rng& rng) const {
  if (!reals()) return std::nullopt;  // the generic program mutations
  std::vector<double> v = values(p);
  if (v.empty()) return std::nullopt;
  // One number moves; with probability 1/2 a second one too.
  const int moves = rng.chance(0.5) ? 2 : 1;
  for (int k = 0; k < moves; ++k) {
    double& x = v[rng.below(v.size())];
    x = std::clamp(x + rng.normal() * step_ * (hi_ - lo_), lo_, hi_);
  }
  p = encode(v);
  return MutationKind::perturb_constant;
}

Hash128 ExternalDomain::functional_hash(const Program& p) const {
  if (reals()) {
    FunctionalHasher h(52);
    h.add(std::span<const double>(values(p)));
    return h.digest();
  }
  thread_local Interpreter<double> interp;
  thread_local std::vector<std::vector<double>> out;
  out.assign(sig_->outputs.size(), std::vector<double>(kProbes));
  std::vector<const double*> in;
  for (const auto& input : probes_) in.push_back(input.data());
  std::vector<double*> outs;
  for (auto& o : out) outs.push_back(o.data());
  interp.run(p, in, {}, outs, {}, kProbes);
  FunctionalHasher h(44);
  for (const auto& o : out) h.add(std::span<const double>(o));
  return h.digest();
}

std::string ExternalDomain::request(const Program& p) const {
  nlohmann::json j;
  j["genome"] = genome_;
  if (reals()) {
    j["x"] = values(p);
  } else {
    j["program"] = to_text(p);
    j["inputs"] = sig_->inputs;
    j["outputs"] = sig_->outputs;
  }
  return j.dump();
}

std::string ExternalDomain::failure(const ProcessOutcome& o) const {
  std::string why = "evaluator " + o.failure();
  if (o.timed_out) why.insert(std::string("evaluator timed out").size(), " after " + shortest_decimal(limits_.timeout_s) + " s");
  return why;
}

Evaluation ExternalDomain::evaluate(const Program& p) const {
  const std::string line = request(p);
  ProcessOutcome o;
  std::optional<std::string> answer;
  try {
    if (mode_ == "process") {
      o = run_once(command_, line + "\n", limits_);
      if (o.ok()) answer = last_line(o.out);
    } else {
      std::unique_ptr<ServerProcess> server;
      {
        std::lock_guard lock(servers_mutex_);
        if (!idle_servers_.empty()) {
          server = std::move(idle_servers_.back());
          idle_servers_.pop_back();
        }
      }
      if (!server) server = std::make_unique<ServerProcess>(command_, limits_);
      o = server->ask(line);
      if (server->alive()) {
        std::lock_guard lock(servers_mutex_);
        idle_servers_.push_back(std::move(server));
        answer = o.out;
      }
    }
  } catch (const std::runtime_error& e) {  // no pipe or process to be had
    return failed(std::string("evaluator could not be started: ") + e.what());
  }
  // Outside the try: giving up on a misconfigured evaluator throws, and is not a start failure.
  return answer ? answered(*answer) : failed(failure(o));
}

Evaluation ExternalDomain::answered(const std::string& line) const {
  // A reply that breaks the protocol ("hi" from a command that is not an evaluator) is the
  // evaluator's failure, not the candidate's, and counts towards giving up.
  bool well_formed = false;
  Evaluation e = parse_answer(line, objectives_, &well_formed);
  if (!well_formed) return failed(std::move(e.reason));
  answers_.fetch_add(1);
  return e;
}

Evaluation ExternalDomain::failed(std::string reason) const {
  {
    std::lock_guard lock(last_failure_mutex_);
    last_failure_ = reason;
  }
  // An evaluator that has never answered as the protocol says is most likely misconfigured:
  // the run stops rather than record the same failure on every candidate.
  if (failures_.fetch_add(1) + 1 >= kGiveUp && answers_.load() == 0)
    throw std::runtime_error("the evaluator failed on each of the first " + std::to_string(kGiveUp) +
                             " candidates without one well-formed answer (" + reason + "); check --set command=...");
  // The evaluator failed, not the candidate: the same function may be answered next time.
  Evaluation e = invalid_evaluation(std::move(reason));
  e.reusable = false;
  return e;
}

std::string ExternalDomain::evaluator_failure() const {
  const long failures = failures_.load();
  if (failures == 0 || answers_.load() > 0) return {};
  std::lock_guard lock(last_failure_mutex_);
  return "the evaluator failed on each of the " + std::to_string(failures) + " candidate" + (failures == 1 ? "" : "s") +
         " it was given without one well-formed answer (" + last_failure_ + "); check --set command=...";
}

std::vector<double> ExternalDomain::structural_objectives(const Program& p) const {
  if (reals()) return {};
  const auto live = live_instructions(p);
  return {static_cast<double>(std::count(live.begin(), live.end(), true))};
}

std::string ExternalDomain::render(const Program& p, std::string_view lang, const RenderContext& /*ctx*/) const {
  if (lang == "json") return request(p) + "\n";
  if (!reals()) return to_text(p);
  std::string s;
  const auto v = values(p);
  for (std::size_t i = 0; i < v.size(); ++i) s += sig_->outputs[i] + " = " + decimal(v[i]) + "\n";
  return s;
}

}  // namespace evo::external
