// cost=time: measured speed as the search's cost, through a funnel. evaluate() checks the
// error (cheap); only candidates whose error is within error_bound are compiled and timed,
// all of a batch in one library and one interleaved timing run, beside a reference kernel
// (the degree-5 minimax polynomial, as AutoNumerics-Zero normalises), so `time` is a ratio
// measured in one run and slow spells of the machine cancel. The others are left untimed
// (infinite): they can only win on error, which drives the search towards the bound first.
#include <cmath>
#include <fstream>
#include <limits>

#include "evaluators/funcapprox/decimal.h"
#include "evaluators/funcapprox/funcapprox.h"
#include "evaluators/native/speed.h"
#include "search/errors.h"
#include "search/program_text.h"

namespace evo::funcapprox {
namespace {

constexpr int kReferenceDegree = 5;

// Shorter than `evo speed`'s defaults: a batch's survivors are timed on every batch.
native::TimingOptions search_timing() {
  native::TimingOptions t;
  t.elements = 4096;
  t.warmup_rounds = 2;
  t.rounds = 9;
  t.round_seconds = 0.001;
  return t;
}

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("model name", 0) == 0) {
      const auto colon = line.find(':');
      return colon == std::string::npos ? "unknown CPU" : line.substr(line.find_first_not_of(' ', colon + 1));
    }
  return "unknown CPU";
}

}  // namespace

void FuncApprox::setup_time_cost(const Settings& s) {
  time_cost_ = s.str("cost") == "time";
  if (!time_cost_) {
    if (s.str("error_bound") != "auto")
      throw InputError("error_bound applies to cost=time only (it is the error at or below which a program is timed)");
    return;
  }
  if (precision_ == Precision::real)
    throw InputError("cost=time times compiled kernels: it needs precision=float32 or float64");
  const std::string bound = s.str("error_bound");
  if (bound == "auto")  // one unit in the last place of the type
    error_bound_ = error_kind_ == "ulp" ? 1.0 : precision_ == Precision::float32 ? 0x1p-23 : 0x1p-52;
  else
    parse_real(bound, error_bound_);
  for (auto& b : baselines(kReferenceDegree, kReferenceDegree))
    if (b.family == "minimax") time_reference_ = std::move(b.program);
  timing_setup_ = native::CompileOptions{}.describe() + " on " + cpu_model();
  // Times of the scalar and the AVX-512 form of a kernel differ: each has its own cache.
  if (vector_kernels()) timing_setup_ += ", AVX-512 form of the exp kernels";
}

std::string FuncApprox::time_cost_fingerprint() const {
  if (!time_cost_) return {};
  return " cost=time error_bound=" + hex_double(error_bound_) + " timing=" + timing_setup_;
}

std::vector<ObjectiveSpec> FuncApprox::time_cost_objectives() const {
  if (!time_cost_) return {};
  const auto t = search_timing();
  const std::string how = "median of " + std::to_string(t.rounds) + " interleaved rounds over " +
                          std::to_string(t.elements) + " elements, compiled with " + timing_setup_;
  ObjectiveSpec rel{"time", true, true,
                    "ns per element relative to the degree-" + std::to_string(kReferenceDegree) +
                        " minimax polynomial timed in the same batch, for programs with error <= " +
                        decimal(error_bound_) + " (others are not timed: null); " + how};
  rel.measured = true;
  ObjectiveSpec ns{"ns", true, true, "ns per element of the compiled kernel (recorded, not searched on); " + how};
  ns.measured = true;
  ns.steers = false;
  return {rel, ns};
}

void FuncApprox::mark_for_timing(Evaluation& ev) const {
  if (!time_cost_ || !ev.valid) return;
  // NaN: to be timed by evaluate_together(); infinity: over the bound, never timed.
  const double v = ev.values[0] <= error_bound_ ? std::numeric_limits<double>::quiet_NaN()
                                                : std::numeric_limits<double>::infinity();
  ev.values.push_back(v);
  ev.values.push_back(v);
}

void FuncApprox::evaluate_together(std::span<const Program* const> programs, std::span<Evaluation> results) const {
  if (!time_cost_) return;
  std::vector<native::NamedProgram> kernels;
  std::vector<std::size_t> which;
  for (std::size_t i = 0; i < programs.size(); ++i)
    if (results[i].valid && results[i].values.size() == 3 && std::isnan(results[i].values[1])) {
      which.push_back(i);
      kernels.push_back({"candidate " + std::to_string(i), *programs[i], false});
    }
  if (which.empty()) return;
  kernels.push_back({"reference", time_reference_, true});
  const auto report = native::time_programs(*this, kernels, false, search_timing());
  const double reference_ns = report.kernels.back().timing.median_ns;
  for (std::size_t k = 0; k < which.size(); ++k) {
    const double ns = report.kernels[k].timing.median_ns;
    results[which[k]].values[1] = ns / reference_ns;
    results[which[k]].values[2] = ns;
  }
}

}  // namespace evo::funcapprox
