// The external evaluator protocol, both directions. evo sends one JSON object per
// candidate on one line; the evaluator answers with one JSON object: a number for every
// objective, e.g. {"loss": 0.31, "latency_ms": 2.5}, or {"invalid": "why"} for a candidate
// it refuses. Anything else is a malformed answer, recorded on the candidate as such.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "search/domain.h"

namespace evo::external {

struct ObjectiveName {
  std::string name;
  bool maximize = false;
};

// Letters, digits and _, not starting with a digit.
bool is_name(const std::string& s);
Evaluation invalid_evaluation(std::string reason);

// "loss,accuracy:max" -> {loss, minimise}, {accuracy, maximise}. Throws InputError for an
// empty list, a name that is not an identifier, an unknown suffix or a repeated name.
std::vector<ObjectiveName> parse_objective_list(const std::vector<std::string>& items);

// The evaluator's answer (trailing whitespace allowed) as an Evaluation in the order of
// `objectives`; never throws. `well_formed`, when given, tells a reply that keeps the protocol
// (objectives, or {"invalid": ...}) from one that does not (not JSON, an objective missing,
// not a number or not finite): the invalid Evaluation of the latter names what is wrong.
Evaluation parse_answer(std::string_view text, const std::vector<ObjectiveName>& objectives,
                        bool* well_formed = nullptr);

}  // namespace evo::external
