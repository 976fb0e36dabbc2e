// evo export: a candidate as self-contained source code.
#include <filesystem>
#include <fstream>
#include <iostream>

#include <unistd.h>

#include "search/errors.h"
#include "search/program_text.h"
#include "store/output_file.h"
#include "tools/candidate_source.h"
#include "tools/cli.h"

namespace evo::cli {

int cmd_export(int argc, char** argv) {
  po::options_description opts("evo export");
  add_db_option(opts);
  opts.add_options()
      ("candidate", po::value<std::string>(), "candidate id")
      ("lang", po::value<std::string>(),
       "funcapprox: cpp|c|text; optimizer: cpp|pytorch|text; compression: json|safetensors|text; external: json|text "
       "(default: cpp where the domain has it, else json)")
      ("output,o", po::value<std::string>(), "file to write (default: standard output)");
  po::variables_map vm;
  if (!parse(argc, argv, "evo export --db PATH --candidate ID [--lang LANG] [-o FILE]", opts, vm)) return 0;
  const std::int64_t id = positive_id(vm, "candidate");
  const std::string path = db_path(vm);
  auto db = open_database(path, OpenMode::read_only);
  StoredCandidate c = load_candidate(*db, id, path);
  const auto langs = c.domain->languages();
  const bool has_cpp = std::find(langs.begin(), langs.end(), "cpp") != langs.end();
  const std::string lang = vm.count("lang") ? vm["lang"].as<std::string>() : has_cpp ? "cpp" : "json";
  if (std::find(langs.begin(), langs.end(), lang) == langs.end()) {
    std::string list;
    for (const auto& l : langs) list += (list.empty() ? "" : "|") + l;
    throw InputError("--lang must be " + list + " for domain " + c.run.domain + ", got '" + lang + "'");
  }
  // An invalid program has no error bound or behaviour to ship; `evo show` prints it.
  if (!c.row.valid) throw InputError("candidate " + std::to_string(id) + " is invalid: nothing to export (evo show prints it)");
  // text is the program text `evo eval --program` reads back in every domain; a domain's own
  // text rendering (a compression layout as a table) is for reading, and `evo show` gives it.
  const std::string source = lang == "text" ? to_text(c.program) : c.domain->render(c.program, lang, c.context());
  if (!vm.count("output")) {
    // A binary format would fill a terminal with bytes; a pipe or a file takes it as it is.
    if (lang == "safetensors" && ::isatty(STDOUT_FILENO))
      throw InputError("--lang safetensors is binary: give -o FILE, or send the output to a file or a pipe");
    std::cout << source;
    return 0;
  }
  const std::string out_path = vm["output"].as<std::string>();
  if (out_path.empty()) throw InputError("-o must name a file");
  check_output_path("-o", out_path, path, files_the_run_reads(c.run, c.domain.get()));
  write_output_file(out_path, source);
  return 0;
}

}  // namespace evo::cli
