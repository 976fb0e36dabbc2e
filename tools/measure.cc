#include "tools/measure.h"

#include "search/program_text.h"
#include "store/measurements.h"

namespace evo::cli {

std::vector<MeasuredCandidate> measure_candidates(SQLite::Database& db, const Domain& domain,
                                                  const std::vector<CandidateRow>& rows, bool again) {
  std::vector<MeasuredCandidate> out;
  std::vector<std::size_t> unmeasured;  // indexes into out
  for (const auto& r : rows) {
    out.push_back({r, again ? std::vector<Measurement>{} : get_measurements(db, r.id)});
    if (out.back().measurements.empty()) unmeasured.push_back(out.size() - 1);
  }
  if (unmeasured.empty()) return out;
  std::vector<Program> programs;
  for (std::size_t i : unmeasured) programs.push_back(parse_program(out[i].row.program, domain.signature()));
  const auto results = domain.measure(programs);
  if (results.empty()) return {};
  for (std::size_t k = 0; k < unmeasured.size(); ++k) {
    out[unmeasured[k]].measurements = results[k];
    save_measurements(db, out[unmeasured[k]].row.id, results[k]);
  }
  return out;
}

}  // namespace evo::cli
