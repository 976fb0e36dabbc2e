#include "evaluators/native/speed.h"

#include "evaluators/native/compiler.h"
#include "search/errors.h"

namespace evo::native {
namespace {

template <class T>
std::vector<Timing> time_all(const Library& lib, const std::vector<std::string>& symbols, const std::vector<double>& inputs,
                             const TimingOptions& options) {
  std::vector<Kernel<T>*> kernels;
  for (const auto& s : symbols) kernels.push_back(lib.function<Kernel<T>>(s));
  const std::vector<T> in(inputs.begin(), inputs.end());
  return time_kernels<T>(kernels, in, options);
}

}  // namespace

SpeedReport time_programs(const Domain& domain, const std::vector<NamedProgram>& programs,
                          bool with_baselines, const TimingOptions& options, const CompileOptions& compile_options) {
  const auto bench = domain.speed_bench();
  if (!bench) throw InputError("domain " + domain.name() + " has no native kernels to time");
  SpeedReport report;
  report.describe = bench->describe;
  report.value_type = bench->value_type;

  std::vector<KernelSource> sources;
  for (std::size_t i = 0; i < programs.size(); ++i) {
    const std::string symbol = "evo_program_" + std::to_string(i);
    sources.push_back({programs[i].name, symbol, domain.kernel_source(programs[i].program, symbol), {}});
  }
  if (with_baselines) sources.insert(sources.end(), bench->baselines.begin(), bench->baselines.end());

  CompileOptions co = compile_options;
  const std::string code = combine_kernels(sources, co.libraries);
  report.compiler = co.describe();
  const auto lib = compile(code, co);

  std::vector<std::string> symbols;
  for (const auto& s : sources) symbols.push_back(s.symbol);
  const auto timings = bench->value_type == "float" ? time_all<float>(*lib, symbols, bench->inputs, options)
                                                    : time_all<double>(*lib, symbols, bench->inputs, options);
  for (std::size_t i = 0; i < sources.size(); ++i)
    report.kernels.push_back({sources[i].name, i >= programs.size() || programs[i].baseline, timings[i]});
  return report;
}

}  // namespace evo::native
