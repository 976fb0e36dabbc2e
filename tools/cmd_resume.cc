// evo resume: continue a run from its last committed batch.
#include <thread>

#include "evaluators/registry.h"
#include "search/errors.h"
#include "store/checkpoint.h"
#include "tools/cli.h"
#include "tools/search_session.h"

namespace evo::cli {

int cmd_resume(int argc, char** argv) {
  po::options_description opts("evo resume");
  add_db_option(opts);
  opts.add_options()
      ("run", po::value<std::string>(), "run id")
      ("budget", po::value<std::string>(), "total candidates for the run (default: its budget)")
      ("threads", po::value<std::string>(), "worker threads (default: all cores)")
      ("time-limit", po::value<std::string>(), "stop after SECONDS (at a batch boundary)")
      ("stop-at", po::value<std::string>(), "stop once the primary objective reaches VALUE")
      ("quiet,q", "no progress line");
  po::variables_map vm;
  if (!parse(argc, argv, "evo resume --db PATH --run ID [--budget N]", opts, vm)) return 0;

  const std::int64_t run_id = positive_id(vm, "run");
  std::uint64_t budget = 0;
  if (vm.count("budget")) budget = positive_count(vm["budget"].as<std::string>(), "--budget");
  SessionOptions so;
  so.threads = vm.count("threads") ? static_cast<int>(positive_count(vm["threads"].as<std::string>(), "--threads"))
                                   : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  so.quiet = vm.count("quiet") > 0;
  double time_limit = 0;
  if (vm.count("time-limit") && (!parse_real(vm["time-limit"].as<std::string>(), time_limit) || time_limit <= 0))
    throw InputError("--time-limit must be a positive number of seconds");
  std::optional<double> stop_at;
  if (vm.count("stop-at")) {
    double v = 0;
    if (!parse_real(vm["stop-at"].as<std::string>(), v)) throw InputError("--stop-at must be a number");
    stop_at = v;
  }

  const std::string path = db_path(vm);
  auto db = open_database(path, OpenMode::read_write);
  RunInfo run = require_run(*db, run_id, path);
  if (run_is_live(run))
    throw InputError("run " + std::to_string(run_id) + " is being written by process " + std::to_string(run.pid));
  std::map<std::string, std::string> settings;
  for (const auto& [k, v] : run.settings.items())
    if (v.is_string()) settings[k] = v.get<std::string>();
  auto domain = make_domain(run.domain, settings);
  if (domain->fingerprint() != run.fingerprint)
    throw InputError("run " + std::to_string(run_id) + " was made by an evo whose " + run.domain +
                     " domain evaluates differently; it cannot be resumed exactly");
  if (!budget) budget = run.budget;
  EngineConfig cfg = engine_from_json(run.engine, run.seed, budget);
  cfg.time_limit = time_limit;
  cfg.stop_at = stop_at;

  const auto state = load_checkpoint(*db, run_id);
  const std::uint64_t done = state ? state->births : 0;
  if (done >= budget) {
    std::printf("run %lld already has %llu evaluations (budget %llu); nothing to do\n", static_cast<long long>(run_id),
                static_cast<unsigned long long>(done), static_cast<unsigned long long>(budget));
    return 0;
  }
  claim_run(*db, run_id, budget);
  run.budget = budget;
  if (!so.quiet)
    std::fprintf(stderr, "run %lld: resuming at %llu evaluations: %s\n", static_cast<long long>(run_id),
                 static_cast<unsigned long long>(done), domain->describe().c_str());
  return run_session(*db, path, run, *domain, cfg, so, true);
}

}  // namespace evo::cli
