// evo simplify: a stored candidate with the instructions it does not need removed (see
// search/simplify.h), judged by its run's primary objective, stored as a new candidate
// (unless nothing could be removed: then nothing is written).
// The new candidate goes into a run of its own (same domain and settings, named
// "simplify <id>") whose one candidate names the original as its parent, so the searched
// run's births and checkpoints stay exactly as the search left them.
#include <cmath>
#include <cstdio>
#include <iostream>
#include <limits>

#include <SQLiteCpp/Transaction.h>

#include "hashing/canonical.h"
#include "search/errors.h"
#include "search/program_text.h"
#include "search/simplify.h"
#include "store/queries.h"
#include "store/runs.h"
#include "store/writer.h"
#include "tools/candidate_source.h"
#include "tools/cli.h"
#include "tools/search_session.h"

namespace evo::cli {
namespace {

// The simplified program as the one candidate of a new run ("simplify ID") linked to the
// original; on failure the new run is removed again, so the database is as it was.
void write_simplified(SQLite::Database& db, const std::string& path, const Domain& domain, std::int64_t id,
                      const std::vector<ObjectiveSpec>& specs, CandidateRecord& rec, RunInfo& run) {
  run.name = "simplify " + std::to_string(id);
  run.budget = 1;
  std::vector<std::string> names;
  for (const auto& o : specs) names.push_back(o.name);
  {
    SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
    require_no_live_writer(db, path);
    run.id = create_run(db, run);
    tx.commit();
  }
  try {
    rec.id = next_candidate_id(db);
    BatchRecord batch;
    batch.state.births = 1;
    batch.state.next_id = rec.id + 1;
    batch.state.population = {rec.id};
    batch.state.stats.evaluations = batch.state.stats.evaluated = 1;
    batch.state.stats.best_candidate = rec.id;
    batch.state.stats.best_objectives = rec.objectives;
    batch.candidates.push_back(rec);
    StoreWriter(db, run.id, domain.fingerprint(), names).commit(std::move(batch));
    set_run_status(db, run.id, "done", "simplified");
  } catch (...) {
    SQLite::Transaction undo(db);
    for (const char* sql : {"DELETE FROM objectives WHERE run_id = ?", "DELETE FROM checkpoints WHERE run_id = ?",
                            "DELETE FROM candidates WHERE run_id = ?", "DELETE FROM runs WHERE id = ?"}) {
      SQLite::Statement q(db, sql);
      q.bind(1, static_cast<std::int64_t>(run.id));
      q.exec();
    }
    undo.commit();
    throw;
  }
}

}  // namespace

int cmd_simplify(int argc, char** argv) {
  po::options_description opts("evo simplify");
  add_db_option(opts);
  opts.add_options()
      ("candidate", po::value<std::string>(), "candidate id")
      ("tolerance", po::value<std::string>()->default_value("0.01"),
       "how much worse (relative) the primary objective may get, e.g. 0.01 = 1%")
      ("format", po::value<std::string>()->default_value("table"), "table|json");
  po::variables_map vm;
  if (!parse(argc, argv, "evo simplify --db PATH --candidate ID [--tolerance T] [--format table|json]", opts, vm))
    return 0;
  const Format fmt = format_option(vm, {"table", "json"});
  const std::int64_t id = positive_id(vm, "candidate");
  double tolerance = 0;
  const std::string tol_text = vm["tolerance"].as<std::string>();
  if (!parse_real(tol_text, tolerance) || !(tolerance >= 0) || tolerance > 1)
    throw InputError("--tolerance must be a number in [0, 1], got '" + tol_text + "'");
  const std::string path = db_path(vm);
  auto db = open_database(path, OpenMode::read_write);
  StoredCandidate c = load_candidate(*db, id, path);
  if (!c.row.valid) throw InputError("candidate " + std::to_string(id) + " is invalid: nothing to simplify");
  require_no_live_writer(*db, path);

  const Domain& domain = *c.domain;
  const auto specs = domain.objectives();
  const bool minimize = specs.front().minimize;
  const double worst = std::numeric_limits<double>::quiet_NaN();
  const SimplifyResult r = simplify(
      c.program,
      [&](const Program& p) {
        const Evaluation ev = domain.evaluate_primary(p);
        return ev.valid && !ev.values.empty() ? ev.values[0] : worst;
      },
      minimize, tolerance);

  // The result, scored in full like any candidate of the run.
  CandidateRecord rec;
  rec.program = canonicalize(r.program);
  Evaluation full = domain.evaluate(rec.program);
  if (full.valid) {
    const Program* one[] = {&rec.program};
    domain.evaluate_together(one, std::span<Evaluation>(&full, 1));
  }
  if (!full.valid) throw InputError("the simplified program is invalid: " + full.reason);
  rec.birth = 0;
  rec.parent = id;
  rec.mutation = MutationKind::simplify;
  rec.text = to_text(rec.program);
  rec.ops = op_count(rec.program);
  rec.structural_hash = structural_hash(rec.program);
  rec.functional_hash = domain.functional_hash(rec.program);
  rec.objectives = full.values;
  for (double v : domain.structural_objectives(rec.program)) rec.objectives.push_back(v);

  // Nothing removable: the original is the answer, and nothing is written.
  const bool unchanged = rec.text == c.row.program;
  RunInfo run = c.run;
  if (unchanged) rec.id = id;
  else write_simplified(*db, path, domain, id, specs, rec, run);

  const double before = c.row.objectives.empty() ? worst : c.row.objectives.front().second;
  // The domain's structural objectives (e.g. the optimizer's live-instruction count),
  // before and after: what the search itself counts.
  std::vector<std::string> structural_names;
  for (const auto& o : specs)
    if (!o.functional) structural_names.push_back(o.name);
  const std::vector<double> s_before = domain.structural_objectives(c.program),
                            s_after = domain.structural_objectives(rec.program);
  if (fmt == Format::json) {
    nlohmann::json sb = nlohmann::json::object(), sa = nlohmann::json::object();
    for (std::size_t k = 0; k < structural_names.size() && k < s_before.size() && k < s_after.size(); ++k) {
      sb[structural_names[k]] = s_before[k];
      sa[structural_names[k]] = s_after[k];
    }
    std::cout << nlohmann::json{{"original", id},
                                {"candidate", rec.id},
                                {"run", run.id},
                                {"objective", specs.front().name},
                                {"before", before},
                                {"after", rec.objectives.front()},
                                {"ops_before", op_count(c.program)},
                                {"ops_after", rec.ops},
                                {"structural_before", sb},
                                {"structural_after", sa},
                                {"programs_scored", r.tried},
                                {"unchanged", unchanged},
                                {"program", rec.text}}
                     .dump(2)
              << "\n";
    return 0;
  }
  std::string sizes;
  for (std::size_t k = 0; k < structural_names.size() && k < s_before.size() && k < s_after.size(); ++k) {
    sizes += ", ";
    sizes += structural_names[k] + " " + format_value(s_before[k]) + " -> " + format_value(s_after[k]);
  }
  if (unchanged) {
    std::printf("candidate %lld: nothing to remove within tolerance %s (%d programs scored); nothing written\n",
                static_cast<long long>(id), tol_text.c_str(), r.tried);
    std::printf("%s", rec.text.c_str());
    return 0;
  }
  std::printf("candidate %lld -> candidate %lld (run %lld): %s %s -> %s%s, input-dependent ops %d -> %d, "
              "%d programs scored\n",
              static_cast<long long>(id), static_cast<long long>(rec.id), static_cast<long long>(run.id),
              specs.front().name.c_str(), format_value(before).c_str(), format_value(rec.objectives.front()).c_str(),
              sizes.c_str(), op_count(c.program), rec.ops, r.tried);
  std::printf("%s", rec.text.c_str());
  return 0;
}

}  // namespace evo::cli
