// evo best: the best candidates of a run by its primary objective (or another one).
#include <cstdio>
#include <iostream>

#include <SQLiteCpp/Statement.h>

#include "search/errors.h"
#include "search/settings.h"
#include "tools/cli.h"

namespace evo::cli {

int cmd_best(int argc, char** argv) {
  po::options_description opts("evo best");
  add_db_option(opts);
  opts.add_options()
      ("run", po::value<std::string>(), "run id (default: the latest run)")
      ("top", po::value<std::string>()->default_value("5"), "how many candidates")
      ("objective", po::value<std::string>(), "rank by this objective (default: the run's primary one)")
      ("where", po::value<std::vector<std::string>>()->composing(),
       "only candidates with NAME<=VALUE or NAME>=VALUE (repeatable), e.g. --objective cost --where error<=1e-7")
      ("format", po::value<std::string>()->default_value("table"), "table|json");
  po::variables_map vm;
  if (!parse(argc, argv, "evo best --db PATH [--run ID] [--top K] [--objective NAME] [--where NAME<=V ...] [--format table|json]", opts, vm)) return 0;
  const Format fmt = format_option(vm, {"table", "json"});
  const auto top = positive_count(vm["top"].as<std::string>(), "--top");
  if (top > 1000000) throw InputError("--top must be at most 1000000");
  std::int64_t run_id = vm.count("run") ? positive_id(vm, "run") : 0;

  const std::string path = db_path(vm);
  auto db = open_database(path, OpenMode::read_only);
  if (!run_id) {
    SQLite::Statement q(*db, "SELECT MAX(id) FROM runs");
    if (!q.executeStep() || q.getColumn(0).isNull()) throw InputError("no runs in " + path);
    run_id = q.getColumn(0).getInt64();
  }
  const RunInfo run = require_run(*db, run_id, path);
  std::string objective;
  bool minimize = true;
  const std::string wanted = vm.count("objective") ? vm["objective"].as<std::string>() : "";
  for (const auto& o : run.objectives) {
    const std::string name = o.is_object() ? o.value("name", "") : "";
    if (objective.empty() && !name.empty() && (wanted.empty() || name == wanted)) {
      objective = name;
      minimize = o.value("minimize", true);
    }
  }
  if (objective.empty()) throw InputError("run " + std::to_string(run_id) + " has no objective '" + wanted + "'");

  std::vector<ObjectiveBound> bounds;
  for (const auto& w : vm.count("where") ? vm["where"].as<std::vector<std::string>>() : std::vector<std::string>{}) {
    const auto le = w.find("<="), ge = w.find(">=");
    const auto op = le != std::string::npos ? le : ge;
    ObjectiveBound b;
    b.at_most = le != std::string::npos;
    if (op == std::string::npos || op == 0 || !parse_real(w.substr(op + 2), b.value))
      throw InputError("--where takes NAME<=VALUE or NAME>=VALUE, got '" + w + "'");
    b.name = w.substr(0, op);
    bool known = false;
    for (const auto& o : run.objectives) known |= o.is_object() && o.value("name", "") == b.name;
    if (!known) throw InputError("run " + std::to_string(run_id) + " has no objective '" + b.name + "'");
    bounds.push_back(b);
  }
  const auto rows = best_candidates(*db, run_id, objective, minimize, static_cast<int>(top), bounds);
  if (fmt == Format::json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& r : rows) out.push_back(candidate_json(r));
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  std::printf("run %lld (%s), ranked by %s\n", static_cast<long long>(run_id), one_line(run.name).c_str(), objective.c_str());
  print_candidate_table(run, rows, true);
  if (rows.empty()) std::printf(bounds.empty() ? "no valid candidate in this run\n" : "no valid candidate meets --where\n");
  if (!rows.empty() && rows[0].program.empty())
    std::printf("\nbest program (candidate %lld): not kept; run %lld keeps only its best programs (keep_programs=%s)\n",
                static_cast<long long>(rows[0].id), static_cast<long long>(run_id),
                run.engine.value("keep_programs", std::string("?")).c_str());
  else if (!rows.empty())
    std::printf("\nbest program (candidate %lld):\n%s", static_cast<long long>(rows[0].id), rows[0].program.c_str());
  return 0;
}

}  // namespace evo::cli
