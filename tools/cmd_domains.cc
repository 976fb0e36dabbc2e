// evo domains: each domain, its objectives and settings with defaults; then the engine's.
#include <algorithm>
#include <cstdio>
#include <iostream>

#include "evaluators/registry.h"
#include "search/engine.h"
#include "tools/cli.h"

namespace evo::cli {

int cmd_domains(int argc, char** argv) {
  po::options_description opts("evo domains");
  opts.add_options()("format", po::value<std::string>()->default_value("table"), "table|json");
  po::variables_map vm;
  if (!parse(argc, argv, "evo domains [--format table|json]", opts, vm)) return 0;
  const Format fmt = format_option(vm, {"table", "json"});
  auto settings_json = [](const std::vector<SettingSpec>& specs) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& s : specs) out.push_back({{"key", s.key}, {"default", s.default_value}, {"help", s.help}});
    return out;
  };
  if (fmt == Format::json) {
    nlohmann::json out = {{"domains", nlohmann::json::array()}, {"engine", settings_json(engine_settings())}};
    for (const auto& d : domain_registry()) {
      nlohmann::json objectives = nlohmann::json::array();
      for (const auto& o : listed_objectives(d))
        objectives.push_back({{"name", o.name}, {"minimize", o.minimize}, {"functional", o.functional}, {"help", o.help}});
      out["domains"].push_back({{"name", d.name}, {"summary", d.summary}, {"objectives", objectives},
                                {"settings", settings_json(d.settings())}});
    }
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  // Keys in a column as wide as the longest; a default too long for its column puts the
  // help on a line of its own, at the column where help starts.
  std::size_t key_width = 16;
  for (const auto& d : domain_registry())
    for (const auto& s : d.settings()) key_width = std::max(key_width, s.key.size());
  for (const auto& s : engine_settings()) key_width = std::max(key_width, s.key.size());
  constexpr std::size_t kDefaultWidth = 22;
  auto print_settings = [&](const std::vector<SettingSpec>& specs) {
    for (const auto& s : specs) {
      std::printf("    %s %s", padded(s.key, key_width).c_str(), s.default_value.c_str());
      if (s.default_value.size() > kDefaultWidth)
        std::printf("\n%s", std::string(4 + key_width + 1 + kDefaultWidth, ' ').c_str());
      else
        std::printf("%s", std::string(kDefaultWidth - s.default_value.size(), ' ').c_str());
      std::printf(" %s\n", s.help.c_str());
    }
  };
  for (const auto& d : domain_registry()) {
    std::printf("%s: %s\n  objectives:", d.name.c_str(), d.summary.c_str());
    for (const auto& o : listed_objectives(d))
      std::printf(" %s (%s)", o.name.c_str(), o.minimize ? "minimize" : "maximize");
    std::printf("\n  settings (--set KEY=VALUE):   default\n");
    print_settings(d.settings());
    std::printf("\n");
  }
  std::printf("engine settings (--set KEY=VALUE, any domain):\n");
  print_settings(engine_settings());
  return 0;
}

}  // namespace evo::cli
