#include "tools/search_session.h"

#include <array>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <iostream>

#include <unistd.h>

#include <spdlog/spdlog.h>
#include <SQLiteCpp/Exception.h>
#include <SQLiteCpp/Statement.h>

#include "evaluators/external/process.h"
#include "search/async_sink.h"
#include "search/hold_until_answered.h"
#include "search/batch_evaluator.h"
#include "search/errors.h"
#include "search/program_text.h"
#include "store/checkpoint.h"
#include "store/queries.h"
#include "store/writer.h"
#include "tools/cli.h"
#include "tools/distributed.h"
#include "tools/measure.h"
#include "tools/progress.h"

namespace evo::cli {
namespace {

std::atomic<int> g_signal{0};
std::atomic<bool> g_quiet{false};

// The first SIGINT/SIGTERM asks the search to stop after the batch in flight (which may take
// a while with slow evaluations: say so); a second ends evo at once, with the external
// evaluators it started, which loses nothing committed (a kill does not either, see the
// reliability tests). Only async-signal-safe calls.
extern "C" void on_signal(int sig) {
  const int saved_errno = errno;  // the interrupted code may be about to read it
  if (g_signal.exchange(sig) != 0) {
    external::kill_evaluator_groups();
    std::signal(sig, SIG_DFL);
    std::raise(sig);  // delivered once this handler returns
  } else if (!g_quiet.load()) {
    static constexpr char kMsg[] = "\nstopping after the batch in flight (again to stop at once)\n";
    [[maybe_unused]] const auto n = ::write(2, kMsg, sizeof kMsg - 1);
  }
  errno = saved_errno;
}

// SIGINT and SIGTERM go to on_signal while a search runs, and back to what they were after.
// A signal ignored when evo started stays ignored (a shell script's background job ignores
// SIGINT: a Ctrl-C meant for the script's foreground must not stop it).
class StopSignals {
 public:
  StopSignals() {
    for (std::size_t i = 0; i < kSignals.size(); ++i) {
      ::sigaction(kSignals[i], nullptr, &before_[i]);
      if (before_[i].sa_handler != SIG_IGN) std::signal(kSignals[i], on_signal);
    }
  }
  ~StopSignals() { release(); }
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

  void release() {
    for (std::size_t i = 0; i < kSignals.size(); ++i) ::sigaction(kSignals[i], &before_[i], nullptr);
  }

 private:
  static constexpr std::array<int, 2> kSignals = {SIGINT, SIGTERM};
  std::array<struct sigaction, 2> before_{};
};

}  // namespace

nlohmann::json engine_json(const Settings& s) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [k, v] : s.all()) j[k] = v;
  return j;
}

EngineConfig engine_from_json(const nlohmann::json& j, std::uint64_t seed, std::uint64_t budget) {
  std::map<std::string, std::string> given;
  if (j.is_object())
    for (const auto& [k, v] : j.items())
      if (v.is_string()) given[k] = v.get<std::string>();
  EngineConfig cfg;
  apply_engine_settings(resolve_settings(engine_settings(), given, "the stored run"), cfg);
  cfg.seed = seed;
  cfg.budget = budget;
  return cfg;
}

std::optional<ResumePoint> load_resume_point(SQLite::Database& db, const RunInfo& run, const Domain& domain) {
  std::optional<EngineState> state = load_checkpoint(db, run.id);
  if (!state) return std::nullopt;
  std::vector<std::string> names;
  for (const auto& o : domain.objectives()) names.push_back(o.name);
  ResumePoint point;
  point.population = load_members(db, state->population, domain.signature(), names);
  point.pending = load_members(db, state->pending, domain.signature(), names);
  point.seen = run_functional_hashes(db, run.id, state->births);
  point.state = std::move(*state);
  return point;
}

void require_no_live_writer(SQLite::Database& db, const std::string& path) {
  for (const RunInfo& other : list_runs(db))
    if (run_is_live(other))
      throw InputError(path + " is being written by run " + std::to_string(other.id) + " (process " +
                       std::to_string(other.pid) + "); one writer at a time");
}

// The domain's expensive checks of the final Pareto front, stored and summarised. The run's
// summary is out before they start: a signal during the check ends evo the default way,
// with the search already stored as done and only the check left for `evo measure`.
static void report_front_measurements(SQLite::Database& db, const std::string& db_path, std::int64_t run_id,
                                      const Domain& domain, bool quiet) {
  if (domain.measurement_names().empty()) return;
  const auto front = pareto_front(db, run_id);
  if (front.empty()) return;
  std::fflush(stdout);
  if (!quiet)
    std::fprintf(stderr,
                 "checking the %s of the Pareto front (if stopped, evo measure --db %s --run %lld checks "
                 "them)...\n",
                 count_of(front.size(), "program").c_str(), db_path.c_str(), static_cast<long long>(run_id));
  const auto measured = measure_candidates(db, domain, front, false);
  for (const auto& m : measured) {
    std::printf("front: candidate %lld", static_cast<long long>(m.row.id));
    for (const auto& [n, v] : m.row.objectives) std::printf(", %s %s", n.c_str(), format_value(v).c_str());
    for (const auto& x : m.measurements) std::printf(", %s %s", x.name.c_str(), format_value(x.value).c_str());
    std::printf("\n");
  }
}

int run_session(SQLite::Database& db, const std::string& db_path, const RunInfo& run, const Domain& domain,
                const EngineConfig& cfg, const SessionOptions& opts, std::optional<ResumePoint> resume) {
  FecCache cache(cfg.cache_size);
  const std::size_t warm = load_cache(db, domain.fingerprint(), cache);
  spdlog::info("run {}: {} cached results loaded for this configuration", run.id, warm);

  std::vector<std::string> names;
  for (const auto& o : domain.objectives()) names.push_back(o.name);
  Workers workers(opts.threads);
  EvaluatorChoice evaluator =
      choose_evaluator(opts.mpi, opts.rank_timeout, workers, run, domain, [] { return g_signal.load() != 0; });
  StoreWriter writer(db, run.id, domain.fingerprint(), names, cfg.keep_programs);
  AsyncSink sink(writer);
  HoldUntilAnswered answered(sink, domain);  // nothing of a session whose evaluator never answers
  Engine engine(domain, cfg, workers, *evaluator.evaluator, cache, answered);

  if (resume) {
    resume->state.next_id = std::max(resume->state.next_id, next_candidate_id(db));
    engine.remember(resume->seen);
    engine.restore(std::move(resume->state), std::move(resume->population), std::move(resume->pending));
  } else {
    engine.start(next_candidate_id(db));  // a new run, or one killed before its first commit
  }

  g_signal = 0;
  g_quiet = opts.quiet;
  StopSignals stop_signals;

  ProgressLine progress(!opts.quiet, cfg.budget, engine.state().stats.evaluations, names.empty() ? "" : names[0],
                        cfg.time_limit);
  // What was committed stays; the run says it failed (resumable once the cause is fixed).
  auto record_failure = [&] {
    stop_signals.release();
    try {
      sink.flush();
      set_run_status(db, run.id, "failed", "error");
      return true;
    } catch (...) {
      return false;
    }
  };
  StopReason reason;
  try {
    reason = engine.run([] { return g_signal.load() != 0; }, [&](const RunStats& s) {
      progress.update(s);
      spdlog::debug("run {}: {} candidates, {} evaluated, {} cache hits, {} invalid, best {}", run.id, s.evaluations,
                    s.evaluated, s.cache_hits, s.invalid,
                    s.best_objectives.empty() ? std::string("-") : format_value(s.best_objectives[0]));
    });
    answered.flush();
    if (const std::string why = domain.evaluator_failure(); !why.empty()) throw std::runtime_error(why);
  } catch (const std::exception& e) {
    const bool kept = record_failure();
    // A failure outside the database (e.g. an MPI rank that died) says how to go on.
    if (!kept || dynamic_cast<const InputError*>(&e) || dynamic_cast<const SQLite::Exception*>(&e)) throw;
    throw std::runtime_error(std::string(e.what()) + "; the batches committed before it are kept: evo resume --db " +
                             db_path + " --run " + std::to_string(run.id) + " continues the run");
  } catch (...) {
    record_failure();
    throw;
  }
  stop_signals.release();

  const RunStats& st = engine.state().stats;
  progress.finish(st);
  const std::string status = reason == StopReason::interrupted ? "interrupted"
                             : reason == StopReason::time_limit ? "stopped"
                                                                : "done";
  set_run_status(db, run.id, status, std::string(stop_reason_name(reason)));

  // "done on budget", "stopped on time_limit", but "interrupted" once.
  const std::string why = reason == StopReason::interrupted ? status : status + " on " + std::string(stop_reason_name(reason));
  std::printf("run %lld (%s) %s: %llu evaluation%s, %.1f s this session (%.0f/s), cache hit rate %.1f%%, "
              "%.2f s of evaluation saved\n",
              static_cast<long long>(run.id), one_line(run.name).c_str(), why.c_str(),
              static_cast<unsigned long long>(st.evaluations), st.evaluations == 1 ? "" : "s", progress.seconds(), progress.rate(st),
              100.0 * st.hit_rate(), st.saved_seconds());
  if (evaluator.summary) std::printf("%s\n", evaluator.summary().c_str());
  if (st.best_candidate) {
    auto best = get_candidate(db, st.best_candidate);
    if (best) {
      std::printf("best: candidate %lld", static_cast<long long>(best->id));
      for (const auto& [n, v] : best->objectives) std::printf(", %s %s", n.c_str(), format_value(v).c_str());
      // As the domain writes it (e.g. a compression layout as a table), the stored text if
      // the domain cannot.
      std::string shown = best->program;
      try {
        shown = domain.render(parse_program(best->program, domain.signature()), "text", {});
      } catch (const std::exception&) {
      }
      std::printf("\n%s", shown.c_str());
    }
  } else {
    std::printf("no valid candidate yet\n");
  }
  if (reason != StopReason::interrupted && opts.measure) report_front_measurements(db, db_path, run.id, domain, opts.quiet);
  if (reason == StopReason::interrupted || reason == StopReason::time_limit)
    std::printf("resume with: evo resume --db %s --run %lld\n", db_path.c_str(), static_cast<long long>(run.id));
  std::fflush(stdout);
  if (reason == StopReason::interrupted) return 128 + g_signal.load();
  return 0;
}

}  // namespace evo::cli
