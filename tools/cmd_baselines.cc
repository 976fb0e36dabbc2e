// evo baselines: the domain's known answers (e.g. Taylor and minimax polynomials), scored by
// the same evaluate() and cost as evolved candidates, one row per degree.
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <map>
#include <optional>

#include "evaluators/registry.h"
#include "search/errors.h"
#include "search/program_text.h"
#include "search/settings.h"
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

struct Scored {
  const Baseline* baseline;
  Evaluation ev;
  std::vector<std::pair<std::string, std::optional<double>>> values;  // objectives() order; empty when invalid
};

Scored score(const Domain& d, const std::vector<ObjectiveSpec>& specs, const Baseline& b, Evaluation ev) {
  Scored s{&b, std::move(ev), {}};
  const auto structural = d.structural_objectives(b.program);
  std::size_t f = 0, st = 0;
  for (const auto& o : specs) {
    std::optional<double> v;
    if (o.functional && s.ev.valid && f < s.ev.values.size()) v = s.ev.values[f];
    if (!o.functional && st < structural.size()) v = structural[st];
    (o.functional ? f : st)++;
    s.values.emplace_back(o.name, v);
  }
  return s;
}

}  // namespace

int cmd_baselines(int argc, char** argv) {
  po::options_description opts("evo baselines");
  opts.add_options()
      ("domain", po::value<std::string>(), "domain")
      ("set", po::value<std::vector<std::string>>()->composing(), "KEY=VALUE domain setting (repeatable)")
      ("degrees", po::value<std::string>()->default_value("1:9"), "LO:HI or N: the degrees (sizes) to build, 1..20")
      ("format", po::value<std::string>()->default_value("table"), "table|json");
  po::variables_map vm;
  if (!parse(argc, argv, "evo baselines --domain D [--set k=v ...] [--degrees LO:HI] [--format table|json]", opts, vm))
    return 0;
  const Format fmt = format_option(vm, {"table", "json"});
  if (!vm.count("domain")) throw InputError("--domain is required");
  const DegreeRange range = parse_degrees(vm["degrees"].as<std::string>());
  const auto sets = parse_sets(vm.count("set") ? vm["set"].as<std::vector<std::string>>() : std::vector<std::string>{});
  const auto domain = make_domain(vm["domain"].as<std::string>(), sets);

  const auto specs = domain->objectives();
  const std::vector<Baseline> baselines = domain->baselines(range.lo, range.hi);
  // Evaluated like a batch of candidates: each on its own, then together (e.g. timed).
  std::vector<Evaluation> evs;
  std::vector<const Program*> programs;
  for (const auto& b : baselines) {
    evs.push_back(domain->evaluate(b.program));
    programs.push_back(&b.program);
  }
  domain->evaluate_together(programs, evs);
  std::vector<Scored> scored;
  for (std::size_t i = 0; i < baselines.size(); ++i) scored.push_back(score(*domain, specs, baselines[i], std::move(evs[i])));

  if (fmt == Format::json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& s : scored) {
      nlohmann::json row = {{"name", s.baseline->name},
                            {"family", s.baseline->family},
                            {"degree", s.baseline->degree},
                            {"valid", s.ev.valid},
                            {"invalid_reason", s.ev.valid ? nlohmann::json(nullptr) : nlohmann::json(s.ev.reason)}};
      for (const auto& [name, v] : s.values) row[name] = v ? nlohmann::json(*v) : nlohmann::json(nullptr);
      row["program"] = to_text(s.baseline->program);
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
  if (std::all_of(scored.begin(), scored.end(), [](const Scored& s) { return s.baseline->degree == 0; })) {
    std::printf("%-12s", "baseline");
    for (const auto& o : specs) std::printf(" %14s", o.name.c_str());
    std::printf("\n");
    for (const auto& s : scored) {
      std::printf("%-12s", s.baseline->name.c_str());
      for (const auto& [name, v] : s.values) std::printf(" %14s", v ? format_value(*v).c_str() : "invalid");
      std::printf("\n");
    }
    return 0;
  }
  // One row per degree, the families side by side in the order the domain lists them.
  std::vector<std::string> families;
  std::map<int, std::map<std::string, const Scored*>> rows;
  for (const auto& s : scored) {
    const std::string& fam = s.baseline->family;
    if (std::find(families.begin(), families.end(), fam) == families.end()) families.push_back(fam);
    rows[s.baseline->degree][fam] = &s;
  }
  std::printf("%-6s", "degree");
  for (const auto& fam : families)
    for (const auto& o : specs) std::printf(" %16s", (fam + " " + o.name).c_str());
  std::printf("\n");
  for (const auto& [degree, by_family] : rows) {
    std::printf("%-6d", degree);
    for (const auto& fam : families) {
      const auto it = by_family.find(fam);
      for (std::size_t k = 0; k < specs.size(); ++k) {
        std::string cell = "-";
        if (it != by_family.end()) {
          const auto& v = it->second->values[k].second;
          cell = v ? format_value(*v) : "invalid";
        }
        std::printf(" %16s", cell.c_str());
      }
    }
    std::printf("\n");
  }
  // Say how a baseline is written when its name carries more than family and degree.
  for (const auto& s : scored)
    if (s.baseline->name != s.baseline->family + " " + std::to_string(s.baseline->degree))
      std::printf("note: %s\n", s.baseline->name.c_str());
  return 0;
}

}  // namespace evo::cli
