#include "evaluators/optimizer/update_speed.h"

#include <nlohmann/json.hpp>

#include "evaluators/native/compiler.h"
#include "evaluators/native/timing.h"
#include "evaluators/optimizer/rule_export.h"
#include "evaluators/optimizer/rules.h"
#include "search/rng.h"

namespace evo::optimizer {
namespace {

// A kernel `void k<i>(const float* g, float* w, size_t n)` around rule i: its state lives
// in the kernel (zero at the first call), t counts the calls, lr is 1e-3 and wd 0.
std::string kernel(const Program& rule, std::size_t i) {
  const std::string id = std::to_string(i);
  std::string out = "namespace rule";
  out.append(id).append(" {\n").append(cpp_update_function(rule)).append("}\n");
  out.append("extern \"C\" void k").append(id).append("(const float* g, float* w, std::size_t n) {\n");
  out.append("  static std::vector<float> m, v;\n  static float t = 0;\n");
  out.append("  if (m.size() != n) m.assign(n, 0.0f), v.assign(n, 0.0f);\n  t += 1;\n");
  out.append("  rule").append(id).append("::evo_update(n, g, w, m.data(), v.data(), 1e-3f, t, 0.0f);\n}\n");
  return out;
}

}  // namespace

std::vector<std::vector<Measurement>> measure_update_speed(const std::vector<Program>& rules) {
  if (rules.empty()) return {};
  const std::vector<std::string> references = {"sgd", "lion", "adamw"};
  std::vector<Program> all = rules;
  for (const auto& name : references) all.push_back(seed_program(name));
  std::string source = "#include <algorithm>\n#include <cmath>\n#include <cstddef>\n#include <vector>\n";
  for (std::size_t i = 0; i < all.size(); ++i) source += kernel(all[i], i);
  const native::CompileOptions options;
  const auto lib = native::compile(source, options);
  std::vector<native::Kernel<float>*> kernels;
  for (std::size_t i = 0; i < all.size(); ++i) kernels.push_back(lib->function<native::Kernel<float>>(std::string("k").append(std::to_string(i))));
  Rng rng(17);
  std::vector<float> gradients(native::TimingOptions{}.elements);
  for (float& g : gradients) g = static_cast<float>(rng.normal());
  const auto timings = native::time_kernels<float>(kernels, gradients);

  const std::size_t first_ref = rules.size();
  const double adamw = timings[first_ref + 2].median_ns;
  nlohmann::json refs = nlohmann::json::object();
  for (std::size_t r = 0; r < references.size(); ++r) refs[references[r] + "_ns"] = timings[first_ref + r].median_ns;
  std::vector<std::vector<Measurement>> out;
  for (std::size_t i = 0; i < rules.size(); ++i) {
    const native::Timing& t = timings[i];
    nlohmann::json detail = {{"q1_ns", t.q1_ns},
                             {"q3_ns", t.q3_ns},
                             {"rounds", t.rounds},
                             {"parameters", t.elements},
                             {"adamw_ratio", t.median_ns / adamw},
                             {"compiler", options.describe()}};
    detail.update(refs);
    out.push_back({{"ns_per_param", t.median_ns, detail.dump()}});
  }
  return out;
}

}  // namespace evo::optimizer
