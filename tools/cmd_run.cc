// evo run: start a new search.
#include <spdlog/spdlog.h>
#include <SQLiteCpp/Transaction.h>

#include "evaluators/registry.h"
#include "search/errors.h"
#include "search/settings.h"
#include "tools/cli.h"
#include "tools/distributed.h"
#include "tools/search_session.h"

namespace evo::cli {

// Splits --set items into engine settings and domain settings.
static void split_sets(const std::map<std::string, std::string>& all, std::map<std::string, std::string>& engine,
                       std::map<std::string, std::string>& domain) {
  const auto specs = engine_settings();
  for (const auto& [k, v] : all) {
    bool is_engine = false;
    for (const auto& s : specs) is_engine |= s.key == k;
    (is_engine ? engine : domain)[k] = v;
  }
}

int cmd_run(int argc, char** argv) {
  po::options_description opts("evo run");
  add_db_option(opts);
  opts.add_options()
      ("domain", po::value<std::string>(), "domain to search (evo domains lists them)")
      ("set", po::value<std::vector<std::string>>()->composing(), "KEY=VALUE domain or engine setting (repeatable)")
      ("budget", po::value<std::string>()->default_value("10000"), "total candidates to create")
      ("seed", po::value<std::string>()->default_value("1"), "random seed (same seed, same candidates)")
      ("name", po::value<std::string>()->default_value("run"), "name of the run")
      ("islands", po::value<std::string>(), "K sub-populations with ring migration (same as --set islands=K)")
      ("migrate-every", po::value<std::string>(),
       "with --islands: migrate every M batches (same as --set migrate_every=M)")
  ;
  add_session_options(opts);
  po::variables_map vm;
  if (!parse(argc, argv, "evo run --domain D [--set k=v ...] [--budget N] [--seed S] [--threads T] [--islands K] [--mpi] [--db PATH]", opts, vm))
    return 0;

  apply_log_level(vm);
  if (!vm.count("domain")) throw InputError("--domain is required (evo domains lists them)");
  const std::string domain_name = vm["domain"].as<std::string>();
  std::map<std::string, std::string> engine_given, domain_given;
  split_sets(parse_sets(vm.count("set") ? vm["set"].as<std::vector<std::string>>() : std::vector<std::string>{}),
             engine_given, domain_given);
  for (const auto& [flag, key] : {std::pair{"islands", "islands"}, std::pair{"migrate-every", "migrate_every"}}) {
    if (!vm.count(flag)) continue;
    if (engine_given.count(key)) throw InputError(std::string("--") + flag + " and --set " + key + " both given");
    engine_given[key] = vm[flag].as<std::string>();
  }
  auto domain = make_domain(domain_name, domain_given);
  for (const auto& [k, v] : domain->engine_defaults()) engine_given.emplace(k, v);  // the user's win
  const Settings engine_set = resolve_settings(engine_settings(), engine_given, "the engine");

  EngineConfig cfg;
  apply_engine_settings(engine_set, cfg);
  cfg.budget = positive_count(vm["budget"].as<std::string>(), "--budget");
  long long seed = 0;
  if (!parse_integer(vm["seed"].as<std::string>(), seed) || seed < 0)
    throw InputError("--seed must be a non-negative integer, got '" + vm["seed"].as<std::string>() + "'");
  cfg.seed = static_cast<std::uint64_t>(seed);
  SessionOptions so;
  so.threads = threads_option(vm);
  cfg.time_limit = time_limit_option(vm);
  cfg.stop_at = stop_at_option(vm);
  so.quiet = vm.count("quiet") > 0;
  so.measure = vm.count("no-measure") == 0;
  so.mpi = vm.count("mpi") > 0;
  so.rank_timeout = rank_timeout_option(vm);
  check_mpi_options(so.mpi, !vm["rank-timeout"].defaulted());

  const std::string path = db_path(vm);
  auto db = open_database(path, OpenMode::create);
  RunInfo run;
  run.name = vm["name"].as<std::string>();
  run.domain = domain_name;
  const Settings domain_set = resolve_settings(find_domain(domain_name)->settings(), domain_given, "domain");
  for (const auto& [k, v] : domain_set.all()) run.settings[k] = v;
  run.engine = engine_json(engine_set);
  for (const auto& o : domain->objectives()) {
    nlohmann::json spec = {{"name", o.name}, {"minimize", o.minimize}, {"help", o.help}};
    if (!o.steers) spec["steers"] = false;
    if (o.measured) spec["measured"] = true;
    run.objectives.push_back(std::move(spec));
  }
  run.fingerprint = domain->fingerprint();
  run.seed = cfg.seed;
  run.budget = cfg.budget;
  {
    SQLite::Transaction tx(*db, SQLite::TransactionBehavior::IMMEDIATE);
    require_no_live_writer(*db, path);
    run.id = create_run(*db, run);
    tx.commit();
  }
  spdlog::info("run {} in {}: {}", run.id, path, domain->describe());
  if (!so.quiet) std::fprintf(stderr, "run %lld: %s\n", static_cast<long long>(run.id), domain->describe().c_str());
  return run_session(*db, path, run, *domain, cfg, so, std::nullopt);
}

}  // namespace evo::cli
