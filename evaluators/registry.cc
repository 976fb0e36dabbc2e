#include "evaluators/registry.h"

#include "evaluators/compression/compression.h"
#include "evaluators/external/external.h"
#include "evaluators/funcapprox/funcapprox.h"
#include "evaluators/funcapprox/targets.h"
#include "evaluators/optimizer/optimizer.h"
#include "search/errors.h"

namespace evo {

namespace {
std::string funcapprox_target_list() {
  std::string out;
  for (const auto& name : funcapprox::target_names()) out += (out.empty() ? "" : ", ") + name;
  return out;
}
}  // namespace

const std::vector<DomainEntry>& domain_registry() {
  static const std::vector<DomainEntry> all = {
      {"funcapprox", "approximate a function (" + funcapprox_target_list() + ") on an interval",
       funcapprox::FuncApprox::settings,
       [](const Settings& s) -> std::unique_ptr<Domain> { return std::make_unique<funcapprox::FuncApprox>(s); },
       {},
       {{"fit_start", "current"}, {"argument_rounding", "ignore"}}},
      {"optimizer", "evolve update rules (from AdamW) that train proxy tasks to a lower validation loss",
       optimizer::OptimizerDomain::settings,
       [](const Settings& s) -> std::unique_ptr<Domain> { return std::make_unique<optimizer::OptimizerDomain>(s); }},
      {"compression", "per-layer sparsity or bit-width of a model under a global budget, by KL to the dense model",
       compression::CompressionDomain::settings,
       [](const Settings& s) -> std::unique_ptr<Domain> {
         return std::make_unique<compression::CompressionDomain>(s);
       },
       [] { return compression::CompressionDomain::objective_specs(); }},
      {"external", "your own evaluator: a command that scores each candidate (JSON lines on stdin and stdout)",
       external::ExternalDomain::settings,
       [](const Settings& s) -> std::unique_ptr<Domain> { return std::make_unique<external::ExternalDomain>(s); },
       [] { return external::ExternalDomain::objective_specs({{"score", false}}, true); }},
  };
  return all;
}

std::vector<ObjectiveSpec> listed_objectives(const DomainEntry& entry) {
  if (entry.objectives) return entry.objectives();
  return entry.make(resolve_settings(entry.settings(), {}, "domain " + entry.name))->objectives();
}

const DomainEntry* find_domain(const std::string& name) {
  for (const auto& d : domain_registry())
    if (d.name == name) return &d;
  return nullptr;
}

std::unique_ptr<Domain> make_domain(const std::string& name, const std::map<std::string, std::string>& settings) {
  const DomainEntry* entry = find_domain(name);
  if (!entry) {
    std::string known;
    for (const auto& d : domain_registry()) known += (known.empty() ? "" : ", ") + d.name;
    throw InputError("unknown domain '" + name + "' (known: " + known + ")");
  }
  return entry->make(resolve_settings(entry->settings(), settings, "domain " + name));
}

void refuse_replaced_settings(const Domain& domain, const std::map<std::string, std::string>& given) {
  const DomainEntry* entry = find_domain(domain.name());
  if (!entry) return;
  for (const auto& [key, used] : domain.settings_in_use()) {
    // The domain refuses a value that disagrees with what it uses; what it cannot tell from
    // its default is the default's text typed.
    const auto it = given.find(key);
    std::string default_value;
    for (const auto& spec : entry->settings())
      if (spec.key == key) default_value = spec.default_value;
    if (it != given.end() && it->second == default_value && default_value != used)
      throw InputError("setting " + key + "=" + it->second + " would be ignored: this " + domain.name() + " run uses " +
                       key + "=" + used + " (leave " + key + " unset)");
  }
}

}  // namespace evo
