// evo runs: the runs in a database.
#include <algorithm>
#include <cstdio>
#include <iostream>

#include "tools/cli.h"

namespace evo::cli {

int cmd_runs(int argc, char** argv) {
  po::options_description opts("evo runs");
  add_db_option(opts);
  opts.add_options()("format", po::value<std::string>()->default_value("table"), "table|json");
  po::variables_map vm;
  if (!parse(argc, argv, "evo runs --db PATH [--format table|json]", opts, vm)) return 0;
  const Format fmt = format_option(vm, {"table", "json"});
  const std::string path = db_path(vm);
  auto db = open_database(path, OpenMode::read_only);
  const auto runs = list_runs(*db);
  if (fmt == Format::json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& r : runs) {
      nlohmann::json best = nlohmann::json::object();
      if (r.best_value && !r.objectives.empty() && r.objectives[0].is_object())
        best[r.objectives[0].value("name", "primary")] = *r.best_value;
      out.push_back({{"run", r.id},
                     {"name", r.name},
                     {"domain", r.domain},
                     {"status", shown_status(r)},
                     {"stop_reason", r.stop_reason.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.stop_reason)},
                     {"evaluations", r.evaluations},
                     {"budget", r.budget},
                     {"seed", r.seed},
                     {"best_candidate", r.best_candidate ? nlohmann::json(*r.best_candidate) : nlohmann::json(nullptr)},
                     {"best", best},
                     {"settings", r.settings},
                     {"engine", r.engine},
                     {"objectives", r.objectives},
                     {"stats", r.stats},
                     {"created_at", r.created_at},
                     {"updated_at", r.updated_at}});
    }
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  // The name column as wide as the longest name, so that the columns after it line up.
  std::size_t name_width = 16;
  for (const auto& r : runs) name_width = std::max(name_width, text_width(one_line(r.name)));
  std::printf("%-5s %s %-11s %-12s %12s %12s %-14s %s\n", "run", padded("name", name_width).c_str(), "domain", "status",
              "evaluations", "best", "best_candidate", "created");
  for (const auto& r : runs) {
    std::printf("%-5lld %s %-11s %-12s %12lld %12s %-14s %s\n", static_cast<long long>(r.id),
                padded(one_line(r.name), name_width).c_str(),
                r.domain.c_str(), shown_status(r).c_str(), static_cast<long long>(r.evaluations),
                r.best_value ? format_value(*r.best_value).c_str() : "-",
                r.best_candidate ? std::to_string(*r.best_candidate).c_str() : "-", r.created_at.c_str());
  }
  return 0;
}

}  // namespace evo::cli
