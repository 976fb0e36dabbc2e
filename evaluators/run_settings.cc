#include "evaluators/run_settings.h"

#include "evaluators/registry.h"

namespace evo {

std::map<std::string, std::string> run_settings(const RunInfo& run) {
  std::map<std::string, std::string> settings;
  for (const auto& [k, v] : run.settings.items())
    if (v.is_string()) settings[k] = v.get<std::string>();
  if (const DomainEntry* d = find_domain(run.domain))
    for (const auto& [k, v] : d->before_added) settings.try_emplace(k, v);
  return settings;
}

}  // namespace evo
