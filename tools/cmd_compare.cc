// evo compare: runs side by side: the settings that differ, the best value of each
// objective, and how many evaluations each run needed to reach a threshold on the primary
// objective (by default the weakest run's best, which every run reached).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <set>

#include <SQLiteCpp/Statement.h>

#include "search/errors.h"
#include "search/settings.h"
#include "tools/cli.h"
#include "tools/report_data.h"

namespace evo::cli {
namespace {

struct Compared {
  RunInfo run;
  std::vector<std::pair<std::string, bool>> objectives;  // (name, minimize), primary first
  std::vector<std::optional<double>> best;                // best value of each objective
  std::optional<double> seconds;
  std::optional<std::int64_t> reached;  // evaluations to reach the threshold
};

std::vector<std::int64_t> parse_run_ids(const std::string& text) {
  std::vector<std::int64_t> ids;
  for (const auto& part : split(text, ',')) {
    const auto id = static_cast<std::int64_t>(positive_count(part, "--runs items"));
    if (std::find(ids.begin(), ids.end(), id) != ids.end())
      throw InputError("--runs names run " + std::to_string(id) + " twice");
    ids.push_back(id);
  }
  if (ids.size() < 2) throw InputError("--runs takes two or more run ids, e.g. 1,2,3; got '" + text + "'");
  return ids;
}

// Evaluations (birth + 1) of the first valid candidate at or beyond the threshold.
std::optional<std::int64_t> evaluations_to(SQLite::Database& db, std::int64_t run_id, const std::string& objective,
                                           bool minimize, double threshold) {
  SQLite::Statement q(db, std::string("SELECT min(birth) FROM candidates WHERE run_id = ? AND valid = 1 AND "
                                      "json_extract(objectives, ?) ") +
                              (minimize ? "<=" : ">=") + " ?");
  q.bind(1, run_id);
  q.bind(2, "$.\"" + objective + "\"");
  q.bind(3, threshold);
  if (!q.executeStep() || q.getColumn(0).isNull()) return std::nullopt;
  return q.getColumn(0).getInt64() + 1;
}

// Every setting (domain and engine) as text, by key.
std::map<std::string, std::string> all_settings(const RunInfo& r) {
  std::map<std::string, std::string> out;
  for (const auto* j : {&r.settings, &r.engine})
    for (const auto& [k, v] : j->items()) out[k] = v.is_string() ? v.get<std::string>() : v.dump();
  return out;
}

std::string cell(const std::optional<double>& v) { return v ? format_value(*v) : "-"; }

}  // namespace

int cmd_compare(int argc, char** argv) {
  po::options_description opts("evo compare");
  add_db_option(opts);
  opts.add_options()
      ("runs", po::value<std::string>(), "run ids, comma separated: 1,2,3")
      ("threshold", po::value<std::string>(),
       "VALUE of the primary objective to count evaluations to (default: the weakest run's best)")
      ("format", po::value<std::string>()->default_value("table"), "table|json");
  po::variables_map vm;
  if (!parse(argc, argv, "evo compare --db PATH --runs 1,2,3 [--threshold VALUE] [--format table|json]", opts, vm))
    return 0;
  const Format fmt = format_option(vm, {"table", "json"});
  if (!vm.count("runs")) throw InputError("--runs is required, e.g. --runs 1,2");
  const auto ids = parse_run_ids(vm["runs"].as<std::string>());
  std::optional<double> threshold;
  if (vm.count("threshold")) {
    double t = 0;
    if (!parse_real(vm["threshold"].as<std::string>(), t) || !std::isfinite(t))
      throw InputError("--threshold must be a finite number, got '" + vm["threshold"].as<std::string>() + "'");
    threshold = t;
  }
  const std::string path = db_path(vm);
  auto db = open_database(path, OpenMode::read_only);

  std::vector<Compared> runs;
  for (std::int64_t id : ids) {
    Compared c{require_run(*db, id, path), objective_directions(*db, id), {}, run_wall_seconds(*db, id), {}};
    for (const auto& [name, minimize] : c.objectives) {
      const auto top = best_candidates(*db, id, name, minimize, 1);
      std::optional<double> v;
      if (!top.empty()) v = objective_value(top[0], name);
      c.best.push_back(v);
    }
    runs.push_back(std::move(c));
  }
  // Evaluations to a threshold only mean something when the runs share their primary objective.
  const auto& primary = runs[0].objectives.empty() ? std::pair<std::string, bool>{} : runs[0].objectives[0];
  const bool same_primary = !primary.first.empty() && std::all_of(runs.begin(), runs.end(), [&](const Compared& c) {
    return !c.objectives.empty() && c.objectives[0] == primary;
  });
  if (threshold && !same_primary)
    throw InputError("--threshold needs runs with the same primary objective; these differ");
  if (same_primary && !threshold) {
    bool all_have = true;
    double weakest = primary.second ? -INFINITY : INFINITY;
    for (const auto& c : runs) {
      if (!c.best[0] || !std::isfinite(*c.best[0])) {
        all_have = false;
        continue;
      }
      weakest = primary.second ? std::max(weakest, *c.best[0]) : std::min(weakest, *c.best[0]);
    }
    if (all_have) threshold = weakest;
  }
  if (threshold)
    for (auto& c : runs) c.reached = evaluations_to(*db, c.run.id, primary.first, primary.second, *threshold);

  // Settings that differ from one run to another (a key some runs lack counts as different).
  std::vector<std::map<std::string, std::string>> settings;
  std::set<std::string> keys;
  for (const auto& c : runs) {
    settings.push_back(all_settings(c.run));
    for (const auto& [k, v] : settings.back()) keys.insert(k);
  }
  std::vector<std::string> differing;
  for (const auto& k : keys) {
    std::set<std::string> values;
    for (const auto& s : settings) values.insert(s.count(k) ? s.at(k) : "\x01");
    if (values.size() > 1) differing.push_back(k);
  }
  // Objectives in the order of the first run, then any other run's own.
  std::vector<std::pair<std::string, bool>> objectives;
  for (const auto& c : runs)
    for (const auto& o : c.objectives)
      if (std::none_of(objectives.begin(), objectives.end(), [&](const auto& x) { return x.first == o.first; }))
        objectives.push_back(o);
  auto best_of = [&](const Compared& c, const std::string& name) -> std::optional<double> {
    for (std::size_t k = 0; k < c.objectives.size(); ++k)
      if (c.objectives[k].first == name) return c.best[k];
    return std::nullopt;
  };
  auto hit_rate = [](const RunInfo& r) -> std::optional<double> {
    if (!r.stats.is_object() || !r.stats.contains("cache_hits") || r.evaluations <= 0) return std::nullopt;
    return r.stats.value("cache_hits", 0.0) / static_cast<double>(r.evaluations);
  };

  if (fmt == Format::json) {
    nlohmann::json out = {{"runs", nlohmann::json::array()}, {"differing_settings", nlohmann::json::object()}};
    for (std::size_t i = 0; i < runs.size(); ++i) {
      const auto& c = runs[i];
      nlohmann::json best = nlohmann::json::object();
      for (const auto& [name, minimize] : c.objectives) {
        const auto v = best_of(c, name);
        best[name] = v && std::isfinite(*v) ? nlohmann::json(*v) : nlohmann::json(nullptr);
      }
      const auto hr = hit_rate(c.run);
      out["runs"].push_back({{"run", c.run.id},
                             {"name", c.run.name},
                             {"domain", c.run.domain},
                             {"status", shown_status(c.run)},
                             {"seed", c.run.seed},
                             {"budget", c.run.budget},
                             {"evaluations", c.run.evaluations},
                             {"best_candidate", c.run.best_candidate ? nlohmann::json(*c.run.best_candidate) : nlohmann::json(nullptr)},
                             {"best", best},
                             {"cache_hit_rate", hr ? nlohmann::json(*hr) : nlohmann::json(nullptr)},
                             {"seconds", c.seconds ? nlohmann::json(*c.seconds) : nlohmann::json(nullptr)},
                             {"evaluations_to_threshold", c.reached ? nlohmann::json(*c.reached) : nlohmann::json(nullptr)}});
    }
    for (const auto& k : differing) {
      nlohmann::json values = nlohmann::json::array();
      for (const auto& s : settings) values.push_back(s.count(k) ? nlohmann::json(s.at(k)) : nlohmann::json(nullptr));
      out["differing_settings"][k] = values;
    }
    out["threshold"] = threshold ? nlohmann::json({{"objective", primary.first}, {"value", *threshold}}) : nlohmann::json(nullptr);
    std::cout << out.dump(2) << "\n";
    return 0;
  }

  std::vector<std::pair<std::string, std::vector<std::string>>> rows;
  auto add = [&](const std::string& label, auto&& value_of) {
    std::vector<std::string> cells;
    for (const auto& c : runs) cells.push_back(value_of(c));
    rows.emplace_back(label, std::move(cells));
  };
  add("name", [](const Compared& c) { return one_line(c.run.name); });
  add("domain", [](const Compared& c) { return c.run.domain; });
  add("status", [](const Compared& c) { return shown_status(c.run); });
  add("seed", [](const Compared& c) { return std::to_string(c.run.seed); });
  add("evaluations", [](const Compared& c) { return std::to_string(c.run.evaluations) + "/" + std::to_string(c.run.budget); });
  for (const auto& k : differing)
    add("  " + k, [&](const Compared& c) {
      const auto& s = settings[static_cast<std::size_t>(&c - runs.data())];
      return s.count(k) ? one_line(s.at(k)) : std::string("-");
    });
  for (const auto& [name, minimize] : objectives)
    add("best " + name + (minimize ? " (min)" : " (max)"), [&](const Compared& c) { return cell(best_of(c, name)); });
  add("best candidate", [](const Compared& c) { return c.run.best_candidate ? std::to_string(*c.run.best_candidate) : "-"; });
  add("cache hit rate", [&](const Compared& c) {
    const auto hr = hit_rate(c.run);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f%%", hr ? 100 * *hr : 0.0);
    return hr ? std::string(buf) : std::string("-");
  });
  add("wall time (s)", [](const Compared& c) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", c.seconds.value_or(0));
    return c.seconds ? std::string(buf) : std::string("-");
  });
  if (threshold)
    add("evals to " + primary.first + (primary.second ? " <= " : " >= ") + format_value(*threshold),
        [](const Compared& c) { return c.reached ? std::to_string(*c.reached) : std::string("never"); });

  std::size_t label_width = 8;
  for (const auto& [label, cells] : rows) label_width = std::max(label_width, text_width(label));
  std::vector<std::size_t> widths(runs.size(), 8);
  for (std::size_t i = 0; i < runs.size(); ++i) {
    widths[i] = std::max(widths[i], ("run " + std::to_string(runs[i].run.id)).size());
    for (const auto& [label, cells] : rows) widths[i] = std::max(widths[i], text_width(cells[i]));
  }
  std::printf("%-*s", static_cast<int>(label_width), "");
  for (std::size_t i = 0; i < runs.size(); ++i)
    std::printf("  %*s", static_cast<int>(widths[i]), ("run " + std::to_string(runs[i].run.id)).c_str());
  std::printf("\n");
  for (const auto& [label, cells] : rows) {
    if (label == "  " + (differing.empty() ? std::string() : differing.front()))
      std::printf("settings that differ:\n");
    std::printf("%s", padded(label, label_width).c_str());
    for (std::size_t i = 0; i < runs.size(); ++i) std::printf("  %s", padded(cells[i], widths[i], true).c_str());
    std::printf("\n");
  }
  if (differing.empty()) std::printf("(the runs share every setting)\n");
  if (!same_primary) std::printf("(the runs' primary objectives differ: no evaluations to a threshold)\n");
  else if (!threshold)
    std::printf("(a run has no valid candidate, so no common threshold: --threshold VALUE gives evaluations to one)\n");
  return 0;
}

}  // namespace evo::cli
