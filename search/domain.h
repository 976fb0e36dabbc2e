// The plug-in point: everything a problem knows lives behind this interface, and the
// engine knows nothing else about it. Input checks happen before a domain is built
// (resolve_settings), so a domain may assume valid settings and valid programs.
//
// Thread safety: every method is const and may be called from many threads at once.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "evaluators/native/library_kernels.h"
#include "hashing/hash128.h"
#include "search/mutation.h"
#include "search/program.h"
#include "search/rng.h"

namespace evo {

struct ObjectiveSpec {
  std::string name;
  bool minimize = true;
  // Functional objectives depend only on what the program computes; they come from
  // evaluate() and are cached by functional hash. Structural ones (e.g. op cost) depend
  // on how it is written and are computed for every candidate.
  bool functional = true;
  std::string help;
  // Selection ranks by this objective. One that does not steer is recorded and shown but
  // left out of selection and of the Pareto front (e.g. op count when time is the cost).
  bool steers = true;
  // Measured, not computed: it varies from one evaluation to the next (e.g. time), so a
  // collision check does not compare it.
  bool measured = false;
  // For a minimised objective: where it is +Inf (not measured: e.g. the time of a program
  // over the error bound), selection ranks the member after every finite value, as +Inf
  // sorts anyway, and among such members by the objective at this (other) index instead
  // (e.g. op cost), so the search keeps a front to work from before anything is measured.
  // The stored value stays +Inf.
  std::optional<std::size_t> unmeasured_by = std::nullopt;
};

// Result of evaluate(): the functional objectives in objectives() order, or invalid.
struct Evaluation {
  bool valid = true;
  std::string reason;
  std::vector<double> values;
  // False when the outcome belongs to this attempt rather than to the function (an external
  // evaluator that crashed or timed out may answer next time): the FEC cache does not keep
  // it, so a later child with the same function is evaluated again.
  bool reusable = true;

  template <class Archive>  // sent between MPI ranks (search/mpi/messages.h)
  void serialize(Archive& ar, unsigned /*version*/) {
    ar& valid& reason& values& reusable;
  }
};

// A known answer to measure evolved programs against, e.g. a minimax polynomial or AdamW.
// It is a program of the domain, so evaluate() and structural_objectives() score it exactly
// as they score candidates.
struct Baseline {
  std::string name;    // e.g. "minimax 5"
  std::string family;  // e.g. "taylor", "minimax"
  int degree = 0;      // the family's size (a polynomial's degree); 0 when it has none
  Program program;
};

// One stage of multi-step selection (the elitist engine): the children still in the
// running are scored on a fresh draw of data and the best `keep` go on.
struct ScreenStage {
  int keep = 1;
  std::string describe;  // e.g. "128 images"
};

// What render() may mention about where a program came from.
struct RenderContext {
  long long candidate = 0;
  long long run = 0;
  std::vector<std::pair<std::string, double>> objectives;
};

// An expensive check of a finished program, e.g. its error on every float32 input.
struct Measurement {
  std::string name;    // e.g. "ulp_exhaustive"
  double value = 0;
  std::string detail;  // a JSON object: what else was found (where the worst case is, ...)
};

// A closer look at one program, for `evo eval`: a table with one row per part of the
// problem (e.g. per task), the program's numbers beside the domain's reference's.
struct Report {
  std::vector<std::string> columns;
  struct Row {
    std::string name;
    std::vector<double> values;  // one per column; NaN where a column does not apply
  };
  std::vector<Row> rows;
};

// How a domain's programs are timed as native code (see Domain::speed_bench()).
struct SpeedBench {
  std::string value_type;                         // "float" or "double"
  std::vector<double> inputs;                     // the array every kernel is timed on
  std::vector<native::KernelSource> baselines;    // timed in the same run, e.g. glibc expf
  std::string describe;                           // e.g. "exp2 on [0, 1]"
};

class Domain {
 public:
  virtual ~Domain() = default;

  virtual std::string name() const = 0;
  virtual std::string describe() const = 0;  // one line, e.g. "exp2 on [0, 1], float64"
  virtual const Signature* signature() const = 0;  // interned
  virtual const MutationSpace& mutation_space() const = 0;

  // Functional objectives first, then structural ones. The first is the primary objective
  // that single-objective selection ranks by; later ones break ties in order.
  virtual std::vector<ObjectiveSpec> objectives() const = 0;

  // Identifies every setting that changes evaluate() or functional_hash(); the FEC cache is
  // keyed by it, so runs with equal fingerprints share cached results.
  virtual std::string fingerprint() const = 0;

  // A start program: random or trivial, never a known answer.
  virtual Program initial_program(Rng& rng) const = 0;
  // Whether a program is inside the search space (e.g. within the op budget).
  virtual bool admissible(const Program& p) const = 0;

  // Local improvement of a new child before it is hashed, e.g. fitting its constants.
  // `kind` is the mutation that made it (none for a start program). Must be deterministic
  // and leave the program admissible. The default does nothing.
  virtual void polish(Program& /*p*/, MutationKind /*kind*/) const {}

  // A mutation of the domain's own, for genomes the generic program mutations would break
  // (e.g. a compression layout, whose budget must stay exact). Applies it to `p` and says
  // which it was; nullopt leaves `p` to the generic mutations. Must be deterministic in rng.
  virtual std::optional<MutationKind> mutate(Program& /*p*/, Rng& /*rng*/) const { return std::nullopt; }

  // Engine settings this domain is searched with unless the user sets them (e.g. the
  // compression domain's selection=elitist). The default: none.
  virtual std::map<std::string, std::string> engine_defaults() const { return {}; }

  // Domain settings whose defaults this domain replaced with what it uses instead (e.g. a
  // funcapprox scaffold's target and interval for its core), or that it stores in another
  // form (a file's path made absolute). A new run stores and prints
  // these in place of the defaults, and refuses the default's text typed for one of them
  // (refuse_replaced_settings), which the domain would ignore. The default: none.
  virtual std::map<std::string, std::string> settings_in_use() const { return {}; }

  // Multi-step selection (engine selection=elitist): the stages before the final one, and
  // a cheap, noisy score of a program on the data that `draw` picks for a stage (lower is
  // better). The final stage is evaluate() itself. The default: no stages.
  virtual std::vector<ScreenStage> screen_stages() const { return {}; }
  virtual double screen(const Program& /*p*/, std::size_t /*stage*/, std::uint64_t /*draw*/) const { return 0; }

  // Baselines of sizes min_degree..max_degree (1 <= min_degree <= max_degree), ordered by
  // size and then family. A family without a size parameter ignores the range. The default:
  // the domain has none.
  virtual std::vector<Baseline> baselines(int /*min_degree*/, int /*max_degree*/) const { return {}; }

  virtual Hash128 functional_hash(const Program& p) const = 0;
  virtual Evaluation evaluate(const Program& p) const = 0;
  // Why this process's evaluations say nothing about the candidates (an external evaluator
  // that failed on every one it was given); empty when they do. Asked when a session ends,
  // so that a short run of a misconfigured evaluator fails instead of ending as done.
  virtual std::string evaluator_failure() const { return {}; }
  // For callers that need only the primary objective (e.g. `evo simplify`): the other
  // functional values may be left infinite, which lets a domain skip costly stages. The
  // default evaluates everything.
  virtual Evaluation evaluate_primary(const Program& p) const { return evaluate(p); }
  // A second stage for what is too costly to do one program at a time, e.g. timing compiled
  // kernels (one compiler call per batch). The engine calls it once per batch, from one
  // thread, after evaluate(), with the programs it evaluated (one per function) and their
  // results, which it may complete or make invalid. The default does nothing.
  virtual void evaluate_together(std::span<const Program* const> /*programs*/,
                                 std::span<Evaluation> /*results*/) const {}
  virtual std::vector<double> structural_objectives(const Program& p) const = 0;

  // Per-part numbers for `evo eval`, which may use held-out data the search never sees.
  // The default: none.
  virtual Report report(const Program& /*p*/) const { return {}; }

  // Languages render() accepts, e.g. {"text", "cpp", "c"}.
  // Expensive checks, run on a run's Pareto front when the run ends and by `evo measure`:
  // all programs at once, so work they share (reference values) is done once. Returns one
  // list per program, empty when the domain (or its configuration) has none to make.
  virtual std::vector<std::vector<Measurement>> measure(const std::vector<Program>& /*programs*/) const { return {}; }
  virtual std::vector<std::string> measurement_names() const { return {}; }

  // Native speed, for domains whose programs map an array of inputs to an array of outputs.
  // speed_bench() says how to time them (value type, inputs, the baselines to time beside
  // them); kernel_source() is C++ defining `extern "C" void <symbol>(const T* in, T* out,
  // size_t n)` over the program. The default: the domain has no native kernels.
  virtual std::optional<SpeedBench> speed_bench() const { return std::nullopt; }
  virtual std::string kernel_source(const Program& /*p*/, const std::string& /*symbol*/) const { return {}; }

  // Files the domain reads besides its settings' own (a cache it keeps beside a model), which
  // an output file must not replace.
  virtual std::vector<std::string> files_read() const { return {}; }

  virtual std::vector<std::string> languages() const = 0;
  virtual std::string render(const Program& p, std::string_view lang, const RenderContext& ctx) const = 0;
};

}  // namespace evo
