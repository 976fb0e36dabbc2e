// evo export: a candidate as self-contained source code.
#include <fstream>
#include <iostream>

#include "search/errors.h"
#include "tools/candidate_source.h"
#include "tools/cli.h"

namespace evo::cli {

int cmd_export(int argc, char** argv) {
  po::options_description opts("evo export");
  add_db_option(opts);
  opts.add_options()
      ("candidate", po::value<std::string>(), "candidate id")
      ("lang", po::value<std::string>()->default_value("cpp"), "funcapprox: cpp|c|text; optimizer: cpp|pytorch|text; compression: json|safetensors|text; external: json|text")
      ("output,o", po::value<std::string>(), "file to write (default: standard output)");
  po::variables_map vm;
  if (!parse(argc, argv, "evo export --db PATH --candidate ID --lang LANG [-o FILE]", opts, vm)) return 0;
  const std::int64_t id = positive_id(vm, "candidate");
  const std::string lang = vm["lang"].as<std::string>();
  const std::string path = db_path(vm);
  auto db = open_database(path, OpenMode::read_only);
  StoredCandidate c = load_candidate(*db, id, path);
  const auto langs = c.domain->languages();
  if (std::find(langs.begin(), langs.end(), lang) == langs.end()) {
    std::string list;
    for (const auto& l : langs) list += (list.empty() ? "" : "|") + l;
    throw InputError("--lang must be " + list + " for domain " + c.run.domain + ", got '" + lang + "'");
  }
  const std::string source = c.domain->render(c.program, lang, c.context());
  if (!vm.count("output")) {
    std::cout << source;
    return 0;
  }
  const std::string out_path = vm["output"].as<std::string>();
  std::ofstream out(out_path, std::ios::binary | std::ios::trunc);
  if (!out) throw InputError("cannot write " + out_path);
  out << source;
  out.close();
  if (!out) throw InputError("cannot write " + out_path);
  return 0;
}

}  // namespace evo::cli
