// evo resume: continue a run from its last committed batch.
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "evaluators/registry.h"
#include "search/errors.h"
#include <SQLiteCpp/Transaction.h>

#include "store/checkpoint.h"
#include "tools/cli.h"
#include "tools/distributed.h"
#include "tools/run_config.h"
#include "tools/search_session.h"

namespace evo::cli {

namespace {

// How the run was started to run (threads, log level; the rank timeout with --mpi) applies
// again, beneath the flags given now; when to stop (a time limit, a target) and what to
// print belong to the session that asked. With --print-config, prints the run's
// configuration and returns true.
bool show_stored_config(SQLite::Database& db, const RunInfo& run, const std::string& path,
                        const po::options_description& opts, po::variables_map& vm) {
  const std::string origin = "run " + std::to_string(run.id) + "'s stored configuration";
  const bool print = vm.count("print-config") > 0;
  const auto stored = get_run_config(db, run.id);
  if (!stored && print) throw InputError("run " + std::to_string(run.id) + " was made before evo stored configurations");
  if (!stored) return false;
  RunConfig config;
  try {
    config = parse_run_config(*stored, origin);
  } catch (const InputError& e) {  // it only adds session options: go on without them
    if (print) throw;
    spdlog::warn("{}; resuming without it", e.what());
    return false;
  }
  RunConfig session = config;
  const bool mpi = vm.count("mpi") > 0;
  std::erase_if(session.options, [&](const auto& o) {
    return !(o.first == "threads" || o.first == "log-level" || (o.first == "rank-timeout" && mpi));
  });
  store_config_options(session, opts, vm, true, origin);
  if (!print) return false;

  // The values shown are checked as a resume would check them.
  apply_log_level(vm);
  threads_option(vm);
  time_limit_option(vm);
  stop_at_option(vm);
  rank_timeout_option(vm);
  if (vm.count("budget")) positive_count(vm["budget"].as<std::string>(), "--budget");
  std::erase_if(config.options, [](const auto& o) { return o.first != "domain" && o.first != "name" && o.first != "seed"; });
  config.options.emplace_back("budget", vm.count("budget") ? vm["budget"].as<std::string>() : std::to_string(run.budget));
  config.options.emplace_back("db", path);
  for (auto& o : given_session_options(vm)) config.options.push_back(std::move(o));
  for (const auto& [k, v] : run_settings(run))
    if (!config.settings.count(k)) config.defaults[k] = v;
  for (const auto& [k, v] : run.engine.items())
    if (v.is_string() && !config.settings.count(k)) config.defaults[k] = v.get<std::string>();
  std::printf("%s", to_toml(config).c_str());
  return true;
}

// Where two domain fingerprints part: the first word that differs, with the word before it
// (e.g. "model 7d5d0584ef65594c" in the run, "model 0c2e9f1b7a6d3e42" now).
std::string first_difference(const std::string& stored, const std::string& now) {
  auto words = [](const std::string& s) {
    std::vector<std::string> w(1);
    for (char c : s) {
      if (c == ' ' || c == '|' || c == ';' || c == ',') {
        if (!w.back().empty()) w.emplace_back();
      } else {
        w.back() += c;
      }
    }
    return w;
  };
  const auto a = words(stored), b = words(now);
  std::size_t i = 0;
  while (i < a.size() && i < b.size() && a[i] == b[i]) ++i;
  auto around = [&](const std::vector<std::string>& w) {
    std::string s = i > 0 && i - 1 < w.size() ? w[i - 1] + " " : "";
    s += i < w.size() ? w[i] : "(nothing)";
    return "'" + (s.size() > 60 ? s.substr(0, 57) + "..." : s) + "'";
  };
  return around(a) + " in the run, " + around(b) + " now";
}

}  // namespace

int cmd_resume(int argc, char** argv) {
  po::options_description opts("evo resume");
  add_db_option(opts);
  opts.add_options()
      ("run", po::value<std::string>(), "run id")
      ("budget", po::value<std::string>(), "total candidates for the run (default: its budget)")
      ("print-config", "print the run's configuration (as stored, with the flags given here) and exit");
  add_session_options(opts);
  po::variables_map vm;
  if (!parse(argc, argv, "evo resume --db PATH --run ID [--budget N] [--print-config]", opts, vm)) return 0;

  const std::int64_t run_id = positive_id(vm, "run");
  const std::string path = db_path(vm);
  {
    auto db = open_database(path, OpenMode::read_only);
    const RunInfo run = require_run(*db, run_id, path);
    if (run.stop_reason == "simplified")
      throw InputError("run " + std::to_string(run_id) + " holds what evo simplify made, not a search: nothing to resume");
    if (show_stored_config(*db, run, path, opts, vm)) return 0;
  }
  apply_log_level(vm);
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

  auto db = open_database(path, OpenMode::read_write);
  RunInfo run = require_run(*db, run_id, path);
  auto domain = make_domain(run.domain, run_settings(run));
  if (domain->fingerprint() != run.fingerprint)
    throw InputError("run " + std::to_string(run_id) + " cannot be resumed exactly: its " + run.domain +
                     " domain now evaluates differently (" + first_difference(run.fingerprint, domain->fingerprint()) +
                     "): a file the run reads (a model, data) has changed, or this evo is another version");
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
    std::fprintf(stderr, "run %lld: resuming at %llu evaluation%s: %s\n", static_cast<long long>(run_id),
                 static_cast<unsigned long long>(done), done == 1 ? "" : "s", domain->describe().c_str());
  return run_session(*db, path, run, *domain, cfg, so, std::move(point));
}

}  // namespace evo::cli
