// Times a domain's programs as native code beside the domain's baselines, in one compiled
// library and one interleaved timing run, so the ratios between them are what to trust.
#pragma once

#include <string>
#include <vector>

#include "evaluators/native/compiler.h"
#include "evaluators/native/timing.h"
#include "search/domain.h"

namespace evo::native {

struct TimedKernel {
  std::string name;
  bool baseline = false;
  Timing timing;
};

struct SpeedReport {
  std::string describe;  // what was timed, from the domain
  std::string value_type;
  std::string compiler;  // the compile command's flags
  std::vector<TimedKernel> kernels;  // the programs in the order given, then the baselines
};

struct NamedProgram {
  std::string name;
  Program program;
  bool baseline = false;  // e.g. a minimax polynomial timed beside the candidates
};

// InputError when the domain has no native kernels.
SpeedReport time_programs(const Domain& domain, const std::vector<NamedProgram>& programs,
                          bool with_baselines, const TimingOptions& options = {}, const CompileOptions& compile_options = {});

}  // namespace evo::native
