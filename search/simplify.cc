#include "search/simplify.h"

#include <cmath>

#include "search/mutation.h"

namespace evo {

SimplifyResult simplify(const Program& p, const std::function<double(const Program&)>& score, bool minimize,
                        double tolerance) {
  SimplifyResult r{p, score(p), 0, 1};
  const double original = r.value;
  const double slack = tolerance * std::fabs(original);
  auto acceptable = [&](double v) {
    if (std::isnan(v)) return false;
    return minimize ? v <= original + slack : v >= original - slack;
  };
  for (bool changed = true; changed;) {
    changed = false;
    for (std::size_t i = 0; i < r.program.code.size() && !changed; ++i) {
      const Instr in = r.program.code[i];
      for (int k = 0; k < in.arity() && !changed; ++k) {
        if (in.args[k] == kImm) continue;
        Program next = r.program;
        remove_instruction(next, i, in.args[k]);
        const double v = score(next);
        ++r.tried;
        if (!acceptable(v)) continue;
        r.removed += static_cast<int>(r.program.code.size() - next.code.size());
        r.program = std::move(next);
        r.value = v;
        changed = true;
      }
    }
  }
  return r;
}

}  // namespace evo
