// Update rules as code to use outside evo.
//
//   cpp      `evo_update(n, g, w, m, v, lr, t, wd)` over float arrays: w <- w - u and the new
//            state in place
//   pytorch  a torch.optim.Optimizer subclass, `EvoOptimizer(params, lr, weight_decay)`, with
//            the rule's constants; state tensors only for the slots the rule uses
#pragma once

#include <string>

#include "search/domain.h"

namespace evo::optimizer {

std::string render_cpp(const Program& rule, const RenderContext& ctx);
// Only the definition of `evo_update` (no header comment, no includes): for callers that
// put several rules in one source, each in its own namespace. Needs <algorithm>, <cmath>,
// <cstddef> and <vector>.
std::string cpp_update_function(const Program& rule);
std::string render_pytorch(const Program& rule, const RenderContext& ctx);

}  // namespace evo::optimizer
