// The external evaluator's answer parser never throws: every answer becomes either one
// finite value per objective or an invalid evaluation with a reason.
#include <cmath>
#include <cstdlib>
#include <string_view>

#include "evaluators/external/protocol.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto objectives = evo::external::parse_objective_list({"loss", "accuracy:max"});
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const evo::Evaluation e = evo::external::parse_answer(text, objectives);
  if (e.valid) {
    if (e.values.size() != objectives.size()) std::abort();
    for (double v : e.values)
      if (!std::isfinite(v)) std::abort();
  } else if (e.reason.empty()) {
    std::abort();
  }
  return 0;
}
