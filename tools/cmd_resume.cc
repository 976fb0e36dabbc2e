// evo resume: continue a run from its last committed batch.
#include "evaluators/registry.h"
#include "search/errors.h"
#include <SQLiteCpp/Transaction.h>

#include "store/checkpoint.h"
#include "tools/cli.h"
#include "tools/distributed.h"
#include "tools/search_session.h"

namespace evo::cli {

int cmd_resume(int argc, char** argv) {
  po::options_description opts("evo resume");
  add_db_option(opts);
  opts.add_options()
      ("run", po::value<std::string>(), "run id")
      ("budget", po::value<std::string>(), "total candidates for the run (default: its budget)");
  add_session_options(opts);
  po::variables_map vm;
  if (!parse(argc, argv, "evo resume --db PATH --run ID [--budget N]", opts, vm)) return 0;

  apply_log_level(vm);
  const std::int64_t run_id = positive_id(vm, "run");
  std::uint64_t budget = 0;
  if (vm.count("budget")) budget = positive_count(vm["budget"].as<std::string>(), "--budget");
  SessionOptions so;
  so.threads = threads_option(vm);
  so.quiet = vm.count("quiet") > 0;
  so.measure = vm.count("no-measure") == 0;
  so.mpi = vm.count("mpi") > 0;
  so.rank_timeout = rank_timeout_option(vm);
  check_mpi_options(so.mpi, !vm["rank-timeout"].defaulted());
  const double time_limit = time_limit_option(vm);
  const std::optional<double> stop_at = stop_at_option(vm);

  const std::string path = db_path(vm);
  auto db = open_database(path, OpenMode::read_write);
  RunInfo run = require_run(*db, run_id, path);
  auto domain = make_domain(run.domain, run_settings(run));
  if (domain->fingerprint() != run.fingerprint)
    throw InputError("run " + std::to_string(run_id) + " was made by an evo whose " + run.domain +
                     " domain evaluates differently; it cannot be resumed exactly");
  if (!budget) budget = run.budget;
  EngineConfig cfg = engine_from_json(run.engine, run.seed, budget);
  cfg.time_limit = time_limit;
  cfg.stop_at = stop_at;

  auto point = load_resume_point(*db, run, *domain);  // reads only; throws before any write
  const std::uint64_t done = point ? point->state.births : 0;
  SQLite::Transaction claim(*db, SQLite::TransactionBehavior::IMMEDIATE);
  require_no_live_writer(*db, path);
  if (done >= budget) {
    if (run.status == "running") set_run_status(*db, run_id, "done", "budget");  // killed after its last batch
    claim.commit();
    std::printf("run %lld already has %llu evaluations (budget %llu); nothing to do\n", static_cast<long long>(run_id),
                static_cast<unsigned long long>(done), static_cast<unsigned long long>(budget));
    return 0;
  }
  claim_run(*db, run_id, budget);
  claim.commit();
  run.budget = budget;
  if (!so.quiet)
    std::fprintf(stderr, "run %lld: resuming at %llu evaluations: %s\n", static_cast<long long>(run_id),
                 static_cast<unsigned long long>(done), domain->describe().c_str());
  return run_session(*db, path, run, *domain, cfg, so, std::move(point));
}

}  // namespace evo::cli
