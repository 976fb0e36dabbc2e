// evo run: start a new search.
#include <spdlog/spdlog.h>
#include <SQLiteCpp/Transaction.h>

#include "evaluators/registry.h"
#include "search/errors.h"
#include "search/settings.h"
#include "tools/cli.h"
#include "tools/distributed.h"
#include "tools/run_config.h"
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

// What the run is made of, as a configuration file: the options that shape it, the session
// options given, and every setting with its default filled in.
static RunConfig effective_config(const po::variables_map& vm, const std::string& domain, const Settings& domain_set,
                                  const Settings& engine_set, const std::map<std::string, std::string>& given) {
  RunConfig c;
  c.options = {{"domain", domain},
               {"name", vm["name"].as<std::string>()},
               {"seed", vm["seed"].as<std::string>()},
               {"budget", vm["budget"].as<std::string>()},
               {"db", db_path(vm)}};
  for (auto& o : given_session_options(vm)) c.options.push_back(std::move(o));
  for (const auto* set : {&domain_set, &engine_set})
    for (const auto& [k, v] : set->all()) (given.count(k) ? c.settings : c.defaults)[k] = v;
  return c;
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
      ("config", po::value<std::string>(), "TOML file with the run's options and its [settings]; flags given here win")
      ("print-config", "print the effective configuration as TOML (a file for --config) and exit; nothing is written");
  add_session_options(opts);
  po::variables_map vm;
  if (!parse(argc, argv,
             "evo run (--domain D | --config FILE) [--set k=v ...] [--budget N] [--seed S] [--threads T] [--islands K] "
             "[--mpi] [--db PATH] [--print-config]",
             opts, vm))
    return 0;
  RunConfig file;
  if (vm.count("config")) {
    const std::string config_path = vm["config"].as<std::string>();
    file = read_run_config(config_path);
    // rank_timeout is how long an --mpi run waits for its ranks. MPI starts before options are
    // read, so only --mpi on the command line makes a run distributed; without it the file's
    // rank_timeout does not apply (as `evo resume` treats the stored one).
    if (!vm.count("mpi")) std::erase_if(file.options, [](const auto& o) { return o.first == "rank-timeout"; });
    store_config_options(file, opts, vm, false, config_path);
  }
  apply_log_level(vm);
  if (!vm.count("domain")) throw InputError("--domain is required, or a --config file that names it (evo domains lists the domains)");
  const std::string domain_name = vm["domain"].as<std::string>();
  std::map<std::string, std::string> engine_given, domain_given;
  const auto flag_sets =
      parse_sets(vm.count("set") ? vm["set"].as<std::vector<std::string>>() : std::vector<std::string>{});
  auto sets = file.settings;  // the file's [settings], then --set on top
  for (const auto& [k, v] : flag_sets) sets[k] = v;
  split_sets(sets, engine_given, domain_given);
  for (const auto& [flag, key] : {std::pair{"islands", "islands"}, std::pair{"migrate-every", "migrate_every"}}) {
    if (!vm.count(flag)) continue;
    if (flag_sets.count(key)) throw InputError(std::string("--") + flag + " and --set " + key + " both given");
    engine_given[key] = vm[flag].as<std::string>();
  }
  auto domain = make_domain(domain_name, domain_given);
  refuse_replaced_settings(*domain, domain_given);
  for (const auto& [k, v] : domain->engine_defaults()) engine_given.emplace(k, v);  // the user's win
  const Settings engine_set = resolve_settings(engine_settings(), engine_given, "the engine");

  EngineConfig cfg;
  apply_engine_settings(engine_set, cfg);
  // A setting that would be silently without effect (checked for new runs only: a stored run
  // resumes as it was made).
  if (engine_given.count("migrate_every") && cfg.islands == 1)
    throw InputError("migrate_every applies only with islands > 1 (--islands K)");
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
  // Stored and printed as used: a setting the domain replaced (a scaffold's interval) in place
  // of its default.
  auto in_use = domain_given;
  for (const auto& [k, v] : domain->settings_in_use()) in_use[k] = v;
  const Settings domain_set = resolve_settings(find_domain(domain_name)->settings(), in_use, "domain");
  std::map<std::string, std::string> given = in_use;  // printed as set, not as defaults
  given.insert(engine_given.begin(), engine_given.end());
  const std::string config = to_toml(effective_config(vm, domain_name, domain_set, engine_set, given));
  if (vm.count("print-config")) {
    std::printf("%s", config.c_str());
    return 0;
  }
  auto db = open_database(path, OpenMode::create);
  RunInfo run;
  run.name = vm["name"].as<std::string>();
  run.domain = domain_name;
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
    save_run_config(*db, run.id, config);
    tx.commit();
  }
  spdlog::info("run {} in {}: {}", run.id, path, domain->describe());
  if (!so.quiet) std::fprintf(stderr, "run %lld: %s\n", static_cast<long long>(run.id), domain->describe().c_str());
  return run_session(*db, path, run, *domain, cfg, so, std::nullopt);
}

}  // namespace evo::cli
