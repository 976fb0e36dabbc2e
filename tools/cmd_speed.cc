// evo speed: stored candidates, or program files under a domain's settings, timed as native
// code beside the library functions they would replace, compiled together and timed in one
// interleaved run.
#include <algorithm>
#include <cstdio>
#include <iostream>

#include "evaluators/native/speed.h"
#include "evaluators/registry.h"
#include "search/errors.h"
#include "search/program_text.h"
#include "tools/candidate_source.h"
#include "tools/cli.h"

namespace evo::cli {
namespace {

nlohmann::json timing_json(const native::TimedKernel& k, double reference_ns) {
  return {{"kernel", k.name},          {"baseline", k.baseline},        {"ns_per_element", k.timing.median_ns},
          {"q1_ns", k.timing.q1_ns},   {"q3_ns", k.timing.q3_ns},       {"min_ns", k.timing.min_ns},
          {"rounds", k.timing.rounds}, {"elements", k.timing.elements}, {"relative_to_first", k.timing.median_ns / reference_ns}};
}

// The domain's best polynomial baseline (minimax, else any family) whose cost is at most the
// first candidate's: "the minimax polynomial of equal cost", timed through the same code.
void add_polynomial_baseline(const Domain& domain, const Program& candidate, std::vector<native::NamedProgram>& programs) {
  const auto costs = domain.structural_objectives(candidate);
  if (costs.empty()) return;
  const double cost = costs.front();
  // A degree costs 1 or 2 (fma_cost), so start from the largest degree that might fit.
  for (int degree = std::min(20, static_cast<int>(cost)); degree >= 1; --degree) {
    for (const auto& b : domain.baselines(degree, degree)) {
      const double b_cost = domain.structural_objectives(b.program).front();
      if (b.family != "minimax" || b_cost > cost) continue;
      programs.push_back({b.name + " (cost " + format_value(b_cost) + ")", b.program, true});
      return;
    }
  }
}

}  // namespace

int cmd_speed(int argc, char** argv) {
  po::options_description opts("evo speed");
  add_db_option(opts);
  opts.add_options()
      ("candidate", po::value<std::vector<std::string>>(), "candidate id (repeat for several of one run configuration)")
      ("program", po::value<std::vector<std::string>>(), "program text file (repeatable), with --domain")
      ("domain", po::value<std::string>(), "with --program: the domain")
      ("set", po::value<std::vector<std::string>>()->composing(), "with --program: KEY=VALUE domain setting (repeatable)")
      ("elements", po::value<std::string>()->default_value("16384"), "array length each call processes")
      ("rounds", po::value<std::string>()->default_value("21"), "timed rounds (the median is reported)")
      ("no-baselines", po::bool_switch(), "time only the candidates")
      ("format", po::value<std::string>()->default_value("table"), "table|json");
  po::variables_map vm;
  if (!parse(argc, argv,
             "evo speed (--db PATH --candidate ID [--candidate ID ...] | --domain D [--set k=v ...] --program FILE "
             "[--program FILE ...]) [--format table|json]",
             opts, vm))
    return 0;
  const Format fmt = format_option(vm, {"table", "json"});
  if (vm.count("candidate") == vm.count("program")) throw InputError("give --candidate or --program (not both)");
  if (vm.count("program") && !vm.count("domain")) throw InputError("--domain is required with --program");
  if (vm.count("candidate") && (vm.count("domain") || vm.count("set")))
    throw InputError("--domain and --set go with --program; a candidate is timed under its run's settings");
  native::TimingOptions timing;
  timing.elements = positive_count(vm["elements"].as<std::string>(), "--elements");
  timing.rounds = static_cast<int>(positive_count(vm["rounds"].as<std::string>(), "--rounds"));
  if (timing.elements > (1u << 26) || timing.rounds > 1000) throw InputError("--elements <= 67108864 and --rounds <= 1000");
  std::vector<StoredCandidate> stored;
  std::unique_ptr<Domain> file_domain;
  std::vector<native::NamedProgram> programs;
  if (vm.count("program")) {
    const auto sets = parse_sets(vm.count("set") ? vm["set"].as<std::vector<std::string>>() : std::vector<std::string>{});
    file_domain = make_domain(vm["domain"].as<std::string>(), sets);
    refuse_replaced_settings(*file_domain, sets);
    for (const auto& file : vm["program"].as<std::vector<std::string>>())
      programs.push_back({file, parse_program(read_text_file(file), file_domain->signature()), false});
  } else {
    const std::string path = db_path(vm);
    auto db = open_database(path, OpenMode::read_only);
    for (const auto& text : vm["candidate"].as<std::vector<std::string>>()) {
      const auto id = static_cast<std::int64_t>(positive_count(text, "--candidate"));
      stored.push_back(load_candidate(*db, id, path));
      if (stored.front().domain->fingerprint() != stored.back().domain->fingerprint())
        throw InputError("candidates " + std::to_string(stored.front().row.id) + " and " + std::to_string(id) +
                         " come from different run configurations; time them separately");
      programs.push_back({"candidate " + std::to_string(id), stored.back().program, false});
    }
  }
  const Domain& domain = file_domain ? *file_domain : *stored.front().domain;
  if (!vm["no-baselines"].as<bool>()) add_polynomial_baseline(domain, programs.front().program, programs);
  const auto report = native::time_programs(domain, programs, !vm["no-baselines"].as<bool>(), timing);
  const double reference = report.kernels.front().timing.median_ns;

  if (fmt == Format::json) {
    nlohmann::json kernels = nlohmann::json::array();
    for (const auto& k : report.kernels) kernels.push_back(timing_json(k, reference));
    std::cout << nlohmann::json{{"timed", report.describe}, {"value_type", report.value_type},
                                {"compiler", report.compiler}, {"kernels", kernels}}
                     .dump(2)
              << "\n";
    return 0;
  }
  std::printf("%s; %zu elements per call, median of %d rounds\ncompiled with: %s\n", report.describe.c_str(),
              timing.elements, timing.rounds, report.compiler.c_str());
  int width = 34;  // the kernel column fits the longest name (e.g. a program file's path)
  for (const auto& k : report.kernels) width = std::max(width, static_cast<int>(k.name.size()));
  std::printf("%-*s %10s %21s %9s\n", width, "kernel", "ns/elem", "quartiles", "vs first");
  for (const auto& k : report.kernels)
    std::printf("%-*s %10.3f %10.3f–%-10.3f %8.2fx\n", width, k.name.c_str(), k.timing.median_ns, k.timing.q1_ns,
                k.timing.q3_ns, k.timing.median_ns / reference);
  return 0;
}

}  // namespace evo::cli
