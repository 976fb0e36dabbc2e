// evo pareto: the non-dominated candidates of a run over the objectives that steer its search
// (an objective recorded with `steers: false` is shown but does not rank).
#include <cstdio>
#include <iostream>

#include "search/errors.h"
#include "tools/cli.h"

namespace evo::cli {

int cmd_pareto(int argc, char** argv) {
  po::options_description opts("evo pareto");
  add_db_option(opts);
  opts.add_options()
      ("run", po::value<std::string>(), "run id")
      ("format", po::value<std::string>()->default_value("table"), "table|json");
  po::variables_map vm;
  if (!parse(argc, argv, "evo pareto --db PATH --run ID [--format table|json]", opts, vm)) return 0;
  const Format fmt = format_option(vm, {"table", "json"});
  const std::int64_t run_id = positive_id(vm, "run");
  const std::string path = db_path(vm);
  auto db = open_database(path, OpenMode::read_only);
  const RunInfo run = require_run(*db, run_id, path);
  const auto front = pareto_front(*db, run_id);
  if (fmt == Format::json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& r : front) out.push_back(candidate_json(r));
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  std::printf("run %lld (%s): %s on the Pareto front\n", static_cast<long long>(run_id), one_line(run.name).c_str(),
              count_of(front.size(), "candidate").c_str());
  print_candidate_table(run, front, false);
  return 0;
}

}  // namespace evo::cli
