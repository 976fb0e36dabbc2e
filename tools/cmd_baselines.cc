// evo baselines: the domain's known answers (e.g. Taylor and minimax polynomials), scored by
// the same evaluate() and cost as evolved candidates, one row per degree.
#include <cmath>
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <map>
#include <optional>

#include "evaluators/registry.h"
#include "search/errors.h"
#include "search/program_text.h"
#include "store/queries.h"
#include "store/runs.h"
#include "search/settings.h"
#include "tools/baseline_scores.h"
#include "tools/cli.h"

namespace evo::cli {
namespace {

constexpr int kMaxDegree = 20;  // beyond this long double cannot resolve the errors

struct DegreeRange {
  int lo, hi;
};

// "LO:HI" or "N", within 1..kMaxDegree.
DegreeRange parse_degrees(const std::string& text) {
  const auto parts = split(text, ':');
  long long lo = 0, hi = 0;
  const bool ok = (parts.size() == 1 && parse_integer(parts[0], lo) && (hi = lo, true)) ||
                  (parts.size() == 2 && parse_integer(parts[0], lo) && parse_integer(parts[1], hi));
  if (!ok) throw InputError("--degrees takes LO:HI or N, e.g. 1:9; got '" + text + "'");
  if (lo < 1 || hi > kMaxDegree) throw InputError("--degrees must lie within 1:" + std::to_string(kMaxDegree) + "; got '" + text + "'");
  if (lo > hi) throw InputError("--degrees LO:HI needs LO <= HI; got '" + text + "'");
  return {static_cast<int>(lo), static_cast<int>(hi)};
}

}  // namespace

int cmd_baselines(int argc, char** argv) {
  po::options_description opts("evo baselines");
  opts.add_options()
      ("domain", po::value<std::string>(), "domain (default with --run: the run's)")
      ("set", po::value<std::vector<std::string>>()->composing(), "KEY=VALUE domain setting (repeatable)")
      ("degrees", po::value<std::string>()->default_value("1:9"), "LO:HI or N: the degrees (sizes) to build, 1..20")
      ("format", po::value<std::string>()->default_value("table"), "table|json")
      ("db", po::value<std::string>()->default_value("evo.db"), "with --run: the database holding the run")
      ("run", po::value<std::string>(),
       "also list this run's best candidate, scored the same way; the run's settings are used, --set changes them")
      ("report", "add the columns of the domain's report on each (its last row, e.g. the test split)")
      ("measure", "add the domain's expensive checks of each (e.g. float32 error on every input), as evo measure runs them");
  po::variables_map vm;
  if (!parse(argc, argv,
             "evo baselines --domain D [--set k=v ...] [--degrees LO:HI] [--db PATH --run ID] [--report] [--measure] "
             "[--format table|json]",
             opts, vm))
    return 0;
  const Format fmt = format_option(vm, {"table", "json"});
  if (!vm.count("domain") && !vm.count("run")) throw InputError("--domain is required");
  const DegreeRange range = parse_degrees(vm["degrees"].as<std::string>());
  const auto sets = parse_sets(vm.count("set") ? vm["set"].as<std::vector<std::string>>() : std::vector<std::string>{});
  // With --run, the run's problem: its domain and settings (--set changes some, as in eval),
  // so its best is scored, and the baselines built, as the run scored its candidates.
  std::unique_ptr<SQLite::Database> db;
  std::optional<RunInfo> run;
  if (vm.count("run")) {
    const std::int64_t run_id = positive_id(vm, "run");
    const std::string path = db_path(vm);
    db = open_database(path, OpenMode::read_only);
    run = get_run(*db, run_id);
    if (!run) throw InputError("no run " + std::to_string(run_id) + " in " + path);
    if (vm.count("domain") && vm["domain"].as<std::string>() != run->domain)
      throw InputError("run " + std::to_string(run_id) + " is of domain " + run->domain + ", not " +
                       vm["domain"].as<std::string>());
  }
  std::unique_ptr<Domain> domain;
  if (run) {
    auto settings = run_settings(*run);
    for (const auto& [k, v] : sets) settings[k] = v;
    domain = make_domain(run->domain, settings);
  } else {
    domain = make_domain(vm["domain"].as<std::string>(), sets);
  }
  refuse_replaced_settings(*domain, sets);
  const bool measure = vm.count("measure") > 0;
  if (measure) require_measurements(*domain);

  const auto specs = domain->objectives();
  std::vector<Baseline> baselines = domain->baselines(range.lo, range.hi);
  if (run) {
    const std::string id = std::to_string(run->id);
    const auto best = run->best_candidate ? get_candidate(*db, *run->best_candidate) : std::nullopt;
    if (!best) throw InputError("run " + id + " has no valid candidate yet");
    baselines.push_back({"evo run " + id + " (candidate " + std::to_string(best->id) + ")", "evo", 0,
                         parse_program(best->program, domain->signature())});
  }
  // Evaluated like a batch of candidates: each on its own, then together (e.g. timed).
  const std::vector<ScoredBaseline> scored = score_baselines(*domain, std::move(baselines));
  // The report's last row, as extra columns.
  std::vector<std::string> report_columns;
  std::vector<std::vector<double>> report_values(scored.size());
  if (vm.count("report"))
    for (std::size_t i = 0; i < scored.size(); ++i) {
      const Report r = domain->report(scored[i].baseline.program);
      if (r.rows.empty()) continue;
      report_columns = r.columns;
      report_values[i] = r.rows.back().values;
    }
  auto report_cell = [&](std::size_t i, std::size_t k) -> std::optional<double> {
    if (k >= report_values[i].size() || std::isnan(report_values[i][k])) return std::nullopt;
    return report_values[i][k];
  };
  // The expensive checks, of the valid baselines only, in one batch (one compile).
  std::vector<std::vector<Measurement>> measured(scored.size());
  if (measure) {
    std::vector<Program> programs;
    std::vector<std::size_t> which;
    for (std::size_t i = 0; i < scored.size(); ++i)
      if (scored[i].ev.valid) {
        programs.push_back(scored[i].baseline.program);
        which.push_back(i);
      }
    auto results = domain->measure(programs);
    for (std::size_t k = 0; k < which.size() && k < results.size(); ++k) measured[which[k]] = std::move(results[k]);
  }
  // The columns of each baseline: its objectives, then its measurements.
  std::vector<std::string> columns;
  for (const auto& o : specs) columns.push_back(o.name);
  if (measure)
    for (const auto& n : domain->measurement_names()) columns.push_back(n);
  auto cell = [&](std::size_t i, std::size_t k) -> std::string {
    if (k < scored[i].values.size()) {
      const auto& v = scored[i].values[k].second;
      return v ? format_value(*v) : "invalid";
    }
    for (const auto& m : measured[i])
      if (m.name == columns[k]) return format_value(m.value);
    return "-";
  };
  if (fmt == Format::json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& s : scored) {
      nlohmann::json row = {{"name", s.baseline.name},
                            {"family", s.baseline.family},
                            {"degree", s.baseline.degree},
                            {"valid", s.ev.valid},
                            {"invalid_reason", s.ev.valid ? nlohmann::json(nullptr) : nlohmann::json(s.ev.reason)}};
      for (const auto& [name, v] : s.values) row[name] = v ? nlohmann::json(*v) : nlohmann::json(nullptr);
      for (std::size_t k = 0; k < report_columns.size(); ++k) {
        const auto v = report_cell(static_cast<std::size_t>(&s - scored.data()), k);
        row["report"][report_columns[k]] = v ? nlohmann::json(*v) : nlohmann::json(nullptr);
      }
      for (const auto& m : measured[static_cast<std::size_t>(&s - scored.data())])
        row["measurements"][m.name] = measurement_json(m);
      row["program"] = to_text(s.baseline.program);
      out.push_back(row);
    }
    std::cout << out.dump(2) << "\n";
    return 0;
  }

  std::printf("%s\n", domain->describe().c_str());
  if (scored.empty()) {
    std::printf("domain %s has no baselines\n", domain->name().c_str());
    return 0;
  }
  // Baselines without a size (e.g. known optimizers): one row each, by name.
  if (std::all_of(scored.begin(), scored.end(), [](const ScoredBaseline& s) { return s.baseline.degree == 0; })) {
    std::size_t width = 12;
    for (const auto& s : scored) width = std::max(width, s.baseline.name.size());
    std::printf("%-*s", static_cast<int>(width), "baseline");
    for (const auto& c : columns) std::printf(" %14s", c.c_str());
    for (const auto& c : report_columns) std::printf(" %14s", ("report " + c).c_str());
    std::printf("\n");
    for (std::size_t i = 0; i < scored.size(); ++i) {
      const ScoredBaseline& s = scored[i];
      std::printf("%-*s", static_cast<int>(width), s.baseline.name.c_str());
      for (std::size_t k = 0; k < columns.size(); ++k) std::printf(" %14s", cell(i, k).c_str());
      for (std::size_t k = 0; k < report_columns.size(); ++k) {
        const auto v = report_cell(i, k);
        std::printf(" %14s", v ? format_value(*v).c_str() : "-");
      }
      std::printf("\n");
    }
    return 0;
  }
  // One row per degree, the families side by side in the order the domain lists them; what
  // has no size (the run's best, with --run) on a line of its own below.
  std::vector<std::string> families;
  std::map<int, std::map<std::string, std::size_t>> rows;  // degree -> family -> index into scored
  for (std::size_t i = 0; i < scored.size(); ++i) {
    if (scored[i].baseline.degree == 0) continue;
    const std::string& fam = scored[i].baseline.family;
    if (std::find(families.begin(), families.end(), fam) == families.end()) families.push_back(fam);
    rows[scored[i].baseline.degree][fam] = i;
  }
  std::printf("%-6s", "degree");
  for (const auto& fam : families)
    for (const auto& c : columns) std::printf(" %16s", (fam + " " + c).c_str());
  std::printf("\n");
  for (const auto& [degree, by_family] : rows) {
    std::printf("%-6d", degree);
    for (const auto& fam : families) {
      const auto it = by_family.find(fam);
      for (std::size_t k = 0; k < columns.size(); ++k)
        std::printf(" %16s", it == by_family.end() ? "-" : cell(it->second, k).c_str());
    }
    std::printf("\n");
  }
  for (std::size_t i = 0; i < scored.size(); ++i) {
    if (scored[i].baseline.degree != 0) continue;
    std::printf("%s:", scored[i].baseline.name.c_str());
    for (std::size_t k = 0; k < columns.size(); ++k)
      std::printf("%s %s %s", k ? "," : "", columns[k].c_str(), cell(i, k).c_str());
    std::printf("\n");
  }
  // Say how a baseline is written when its name carries more than family and degree.
  for (const auto& s : scored)
    if (s.baseline.degree != 0 && s.baseline.name != s.baseline.family + " " + std::to_string(s.baseline.degree))
      std::printf("note: %s\n", s.baseline.name.c_str());
  return 0;
}

}  // namespace evo::cli
