// evo eval: evaluate a program file, or a stored candidate, under a domain's settings.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>

#include "evaluators/registry.h"
#include "search/errors.h"
#include "search/program_text.h"
#include "tools/candidate_source.h"
#include "tools/cli.h"

namespace evo::cli {
namespace {

// NaN (not applicable) is shown as "-" and written as null.
nlohmann::json report_json(const Report& r) {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& row : r.rows) {
    nlohmann::json obj = {{"part", row.name}};
    for (std::size_t c = 0; c < r.columns.size(); ++c)
      obj[r.columns[c]] = std::isnan(row.values[c]) ? nlohmann::json(nullptr) : nlohmann::json(row.values[c]);
    rows.push_back(obj);
  }
  return rows;
}

void print_report(const Report& r) {
  if (r.rows.empty()) return;
  std::size_t width = 4;
  for (const auto& row : r.rows) width = std::max(width, row.name.size());
  std::printf("\n%-*s", static_cast<int>(width), "");
  for (const auto& c : r.columns) std::printf(" %12s", c.c_str());
  std::printf("\n");
  for (const auto& row : r.rows) {
    std::printf("%-*s", static_cast<int>(width), row.name.c_str());
    for (double v : row.values) {
      if (std::isnan(v)) std::printf(" %12s", "-");
      else std::printf(" %12.6g", v);
    }
    std::printf("\n");
  }
}

}  // namespace

int cmd_eval(int argc, char** argv) {
  po::options_description opts("evo eval");
  add_db_option(opts);
  opts.add_options()
      ("domain", po::value<std::string>(), "domain (default with --candidate: the candidate's run's)")
      ("set", po::value<std::vector<std::string>>()->composing(), "KEY=VALUE domain setting (repeatable)")
      ("candidate", po::value<std::string>(), "stored candidate id")
      ("program", po::value<std::string>(), "program text file")
      ("measure", "also run the domain's expensive checks (e.g. float32 error on every input), as evo measure does")
      ("format", po::value<std::string>()->default_value("table"), "table|json");
  po::variables_map vm;
  if (!parse(argc, argv, "evo eval --domain D [--set k=v ...] (--db PATH --candidate ID | --program FILE) [--measure]", opts, vm))
    return 0;
  const Format fmt = format_option(vm, {"table", "json"});
  if (vm.count("candidate") == vm.count("program")) throw InputError("give exactly one of --candidate and --program");
  const auto sets = parse_sets(vm.count("set") ? vm["set"].as<std::vector<std::string>>() : std::vector<std::string>{});

  std::unique_ptr<Domain> domain;
  std::string text;
  if (vm.count("program")) {
    if (!vm.count("domain")) throw InputError("--domain is required with --program");
    domain = make_domain(vm["domain"].as<std::string>(), sets);
    refuse_replaced_settings(*domain, sets);
    text = read_text_file(vm["program"].as<std::string>());
  } else {
    const std::string path = db_path(vm);
    auto db = open_database(path, OpenMode::read_only);
    StoredCandidate c = load_candidate(*db, positive_id(vm, "candidate"), path);
    // A stored candidate is scored in its run's domain (--domain may name it, not change it).
    if (vm.count("domain") && vm["domain"].as<std::string>() != c.run.domain)
      throw InputError("candidate " + std::to_string(c.row.id) + " is a program of domain " + c.run.domain + ", not " +
                       vm["domain"].as<std::string>() + " (leave --domain out with --candidate)");
    auto settings = run_settings(c.run);
    for (const auto& [k, v] : sets) settings[k] = v;
    domain = make_domain(c.run.domain, settings);
    refuse_replaced_settings(*domain, sets);
    text = c.row.program;
  }
  const Program p = parse_program(text, domain->signature());
  const Evaluation ev = domain->evaluate(p);
  const auto structural = domain->structural_objectives(p);
  const auto specs = domain->objectives();
  const Report report = domain->report(p);
  std::vector<Measurement> measured;
  if (vm.count("measure")) {
    require_measurements(*domain);
    if (ev.valid) measured = domain->measure({p}).at(0);
  }
  std::vector<std::pair<std::string, double>> values;
  std::size_t f = 0, s = 0;
  for (const auto& o : specs) {
    if (o.functional && ev.valid && f < ev.values.size()) values.emplace_back(o.name, ev.values[f++]);
    if (!o.functional && s < structural.size()) values.emplace_back(o.name, structural[s++]);
  }
  if (fmt == Format::json) {
    nlohmann::json obj = nlohmann::json::object();
    for (const auto& [n, v] : values) obj[n] = v;
    nlohmann::json out{{"domain", domain->name()},
                       {"describe", domain->describe()},
                       {"valid", ev.valid},
                       {"invalid_reason", ev.valid ? nlohmann::json(nullptr) : nlohmann::json(ev.reason)},
                       {"objectives", obj},
                       {"ops", op_count(p)},
                       {"report", report_json(report)}};
    for (const auto& m : measured) out["measurements"][m.name] = measurement_json(m);
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  std::printf("%s\n", domain->describe().c_str());
  if (!ev.valid) std::printf("invalid: %s\n", ev.reason.c_str());
  bool has_ops = false;
  for (const auto& [n, v] : values) {
    std::printf("%-11s %.17g\n", n.c_str(), v);
    has_ops = has_ops || n == "ops";
  }
  if (!has_ops) std::printf("%-11s %d\n", "ops", op_count(p));
  for (const auto& m : measured) std::printf("%-11s %.17g  %s\n", m.name.c_str(), m.value, m.detail.c_str());
  if (vm.count("measure") && !ev.valid) std::printf("not measured: the program is invalid\n");
  print_report(report);
  return 0;
}

}  // namespace evo::cli
