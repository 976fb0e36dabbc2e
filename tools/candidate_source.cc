#include "tools/candidate_source.h"

#include "evaluators/registry.h"
#include "search/errors.h"
#include "search/program_text.h"
#include "tools/cli.h"

namespace evo::cli {

RenderContext StoredCandidate::context() const {
  RenderContext ctx;
  ctx.candidate = row.id;
  ctx.run = row.run_id;
  ctx.objectives = row.objectives;
  return ctx;
}

StoredCandidate load_candidate(SQLite::Database& db, std::int64_t id, const std::string& path) {
  StoredCandidate c;
  auto row = get_candidate(db, id);
  if (!row) throw InputError("no candidate " + std::to_string(id) + " in " + path);
  c.row = *row;
  c.run = require_run(db, row->run_id, path);
  c.domain = make_domain(c.run.domain, run_settings(c.run));
  if (c.row.program.empty())
    throw InputError("candidate " + std::to_string(id) + "'s program was not kept: run " +
                     std::to_string(c.run.id) + " keeps only its best programs (keep_programs=" +
                     c.run.engine.value("keep_programs", std::string("?")) + ")");
  c.program = parse_program(c.row.program, c.domain->signature());
  return c;
}

}  // namespace evo::cli
