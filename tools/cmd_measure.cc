// evo measure: the domain's expensive checks (e.g. float32 error on every input) of a run's
// Pareto front or of chosen candidates, stored in the measurements table and printed.
#include <cstdio>
#include <iostream>

#include "search/errors.h"
#include "tools/candidate_source.h"
#include "tools/cli.h"
#include "tools/measure.h"

namespace evo::cli {

int cmd_measure(int argc, char** argv) {
  po::options_description opts("evo measure");
  add_db_option(opts);
  opts.add_options()
      ("run", po::value<std::string>(), "run id: measure its Pareto front")
      ("candidate", po::value<std::vector<std::string>>(), "candidate id instead (repeatable; one run)")
      ("again", "measure again candidates that already have measurements")
      ("format", po::value<std::string>()->default_value("table"), "table|json");
  po::variables_map vm;
  if (!parse(argc, argv, "evo measure --db PATH (--run ID | --candidate ID ...) [--again] [--format table|json]", opts, vm))
    return 0;
  const Format fmt = format_option(vm, {"table", "json"});
  if (vm.count("run") == vm.count("candidate")) throw InputError("give either --run or --candidate");
  const std::string path = db_path(vm);
  auto db = open_database(path, OpenMode::read_write);

  std::vector<CandidateRow> rows;
  std::optional<StoredCandidate> first;
  if (vm.count("run")) {
    const RunInfo run = require_run(*db, positive_id(vm, "run"), path);
    rows = pareto_front(*db, run.id);
    if (rows.empty()) throw InputError("run " + std::to_string(run.id) + " has no valid candidate to measure");
    first = load_candidate(*db, rows.front().id, path);
  } else {
    for (const auto& text : vm["candidate"].as<std::vector<std::string>>()) {
      StoredCandidate c = load_candidate(*db, static_cast<std::int64_t>(positive_count(text, "--candidate")), path);
      if (first && c.run.id != first->run.id)
        throw InputError("candidates " + std::to_string(first->row.id) + " and " + std::to_string(c.row.id) +
                         " are from different runs; measure them separately");
      if (!c.row.valid) throw InputError("candidate " + std::to_string(c.row.id) + " is invalid: nothing to measure");
      rows.push_back(c.row);
      if (!first) first = std::move(c);
    }
  }
  const Domain& domain = *first->domain;
  require_measurements(domain);
  const auto measured = measure_candidates(*db, domain, rows, vm.count("again") > 0);

  if (fmt == Format::json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& m : measured) {
      nlohmann::json j = candidate_json(m.row);
      nlohmann::json ms = nlohmann::json::object();
      for (const auto& x : m.measurements)
        ms[x.name] = measurement_json(x);
      j["measurements"] = ms;
      out.push_back(j);
    }
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  std::printf("%-10s", "candidate");
  for (const auto& [n, v] : measured.front().row.objectives) std::printf(" %14s", n.c_str());
  for (const auto& n : domain.measurement_names()) std::printf(" %16s", n.c_str());
  std::printf("\n");
  for (const auto& m : measured) {
    std::printf("%-10lld", static_cast<long long>(m.row.id));
    for (const auto& [n, v] : m.row.objectives) std::printf(" %14s", format_value(v).c_str());
    for (const auto& x : m.measurements) std::printf(" %16s", format_value(x.value).c_str());
    std::printf("\n");
  }
  return 0;
}

}  // namespace evo::cli
