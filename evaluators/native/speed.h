// Times a domain's programs as native code beside the domain's baselines, in one compiled
// library and one interleaved timing run, so the ratios between them are what to trust.
#pragma once

#include <string>
#include <utility>
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

// InputError when the domain has no native kernels.
SpeedReport time_programs(const Domain& domain, const std::vector<std::pair<std::string, Program>>& programs,
                          bool with_baselines, const TimingOptions& options = {}, const CompileOptions& compile_options = {});

}  // namespace evo::native
