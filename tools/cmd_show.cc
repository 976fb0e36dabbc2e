// evo show: one candidate as program text (with a header of comments), C++ or JSON.
#include <algorithm>
#include <cstdio>
#include <iostream>

#include "search/errors.h"
#include "tools/candidate_source.h"
#include "tools/cli.h"

namespace evo::cli {

int cmd_show(int argc, char** argv) {
  po::options_description opts("evo show");
  add_db_option(opts);
  opts.add_options()
      ("candidate", po::value<std::string>(), "candidate id")
      ("format", po::value<std::string>()->default_value("text"), "text|cpp|json");
  po::variables_map vm;
  if (!parse(argc, argv, "evo show --db PATH --candidate ID [--format text|cpp|json]", opts, vm)) return 0;
  const Format fmt = format_option(vm, {"text", "cpp", "json"});
  const std::int64_t id = positive_id(vm, "candidate");
  const std::string path = db_path(vm);
  auto db = open_database(path, OpenMode::read_only);
  StoredCandidate c;
  std::string described;
  try {
    c = load_candidate(*db, id, path);
    described = c.domain->describe();
  } catch (const InputError& e) {
    // The stored row reads without the domain: a run whose model has since changed (or an
    // evo that no longer makes its domain) still shows its candidates as text or JSON.
    const auto row = get_candidate(*db, id);
    if (fmt == Format::cpp || !row || row->program.empty()) throw;
    c.row = *row;
    c.run = require_run(*db, row->run_id, path);
    described = "its domain cannot be set up as stored (" + one_line(e.what()) + ")";
  }
  if (fmt == Format::json) {
    std::cout << candidate_json(c.row).dump(2) << "\n";
  } else if (fmt == Format::cpp) {
    const auto langs = c.domain->languages();
    if (std::find(langs.begin(), langs.end(), "cpp") == langs.end())
      throw InputError("--format cpp: domain " + c.run.domain + " has no C++ form (evo export --lang lists what it has)");
    std::cout << c.domain->render(c.program, "cpp", c.context());
  } else {
    std::printf("# candidate %lld of run %lld (%s): %s\n", static_cast<long long>(c.row.id),
                static_cast<long long>(c.row.run_id), c.run.domain.c_str(), described.c_str());
    std::printf("# birth %lld, ", static_cast<long long>(c.row.birth));
    if (c.row.parent) std::printf("parent %lld by %s", static_cast<long long>(*c.row.parent), c.row.mutation.c_str());
    else std::printf("start population");
    std::printf("%s\n", c.row.cache_hit ? ", objectives from the FEC cache" : "");
    if (c.row.valid) {
      std::printf("#");
      bool ops_objective = false;  // then the count is already there
      for (const auto& [n, v] : c.row.objectives) {
        std::printf(" %s %s", n.c_str(), format_value(v).c_str());
        ops_objective = ops_objective || n == "ops";
      }
      if (!ops_objective) std::printf(", %d ops", c.row.ops);
      std::printf("\n");
    } else {
      std::printf("# invalid: %s\n", c.row.invalid_reason.c_str());
    }
    std::printf("%s", c.row.program.c_str());
  }
  return 0;
}

}  // namespace evo::cli
