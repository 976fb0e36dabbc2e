// funcapprox's expensive check: in float32 mode, the error of each program on every float
// of the interval, in ULPs, run as compiled code (see exhaustive.h).
#include <cmath>
#include <cstdio>
#include <limits>

#include "evaluators/funcapprox/exhaustive.h"
#include "evaluators/funcapprox/funcapprox.h"
#include "evaluators/native/compiler.h"

namespace evo::funcapprox {
namespace {

double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

// The C library's double functions, accurate to far below a float ULP; other targets fall
// back to their long double reference (slower, as accurate).
std::function<double(double)> double_reference(const Target& t) {
  using F = double (*)(double);
  static const std::pair<std::string_view, F> table[] = {
      {"exp2", [](double x) { return std::exp2(x); }}, {"exp", [](double x) { return std::exp(x); }},
      {"log2", [](double x) { return std::log2(x); }}, {"log", [](double x) { return std::log(x); }},
      {"sin", [](double x) { return std::sin(x); }},   {"cos", [](double x) { return std::cos(x); }},
      {"tanh", [](double x) { return std::tanh(x); }}, {"sigmoid", sigmoid},
      {"erf", [](double x) { return std::erf(x); }}};
  for (const auto& [name, f] : table)
    if (name == t.name) return f;
  auto* ref = t.reference;
  return [ref](double x) { return static_cast<double>(ref(x)); };
}

std::string json_number(double v) {
  if (!std::isfinite(v)) return std::isnan(v) ? "\"nan\"" : (v > 0 ? "\"inf\"" : "\"-inf\"");
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

}  // namespace

// Where the exhaustive check runs: measure_interval, else the program's interval, else (with
// a scaffold) every finite float where the whole-range function is valid.
static std::pair<float, float> measured_range(const std::string& setting, const Scaffold* scaffold, double lo, double hi) {
  if (setting != "auto") {
    const auto colon = setting.find(':');
    // Checked when the settings were read: two finite float32 values.
    return {static_cast<float>(std::stod(setting.substr(0, colon))), static_cast<float>(std::stod(setting.substr(colon + 1)))};
  }
  if (!scaffold) return {static_cast<float>(lo), static_cast<float>(hi)};
  if (scaffold->kind == ScaffoldKind::sin || scaffold->kind == ScaffoldKind::cos) return {-0x1p30f, 0x1p30f};
  return {-std::numeric_limits<float>::max(), std::numeric_limits<float>::max()};
}

std::vector<std::string> FuncApprox::measurement_names() const {
  if (precision_ != Precision::float32) return {};
  return {"ulp_exhaustive"};
}

std::vector<std::vector<Measurement>> FuncApprox::measure(const std::vector<Program>& programs) const {
  if (precision_ != Precision::float32 || programs.empty()) return {};
  std::string source;
  for (std::size_t i = 0; i < programs.size(); ++i) source += kernel_source(programs[i], "evo_measure_" + std::to_string(i));
  const auto lib = native::compile(source);
  std::vector<void (*)(const float*, float*, std::size_t)> kernels;
  for (std::size_t i = 0; i < programs.size(); ++i)
    kernels.push_back(lib->function<void(const float*, float*, std::size_t)>("evo_measure_" + std::to_string(i)));
  const auto [from, to] = measured_range(measure_interval_, scaffold_, lo_, hi_);
  const Target& function = scaffold_ ? *find_target(scaffold_->whole) : *target_;
  const auto results = exhaustive_ulp(kernels, double_reference(function), from, to);
  std::vector<std::vector<Measurement>> out;
  for (const auto& r : results) {
    const std::string detail = "{\"function\": \"" + std::string(function.name) + "\", \"from\": " + json_number(from) +
                               ", \"to\": " + json_number(to) + ", \"inputs\": " + std::to_string(r.inputs) +
                               ", \"not_correctly_rounded\": " + std::to_string(r.not_correctly_rounded) +
                               ", \"worst_x\": " + json_number(r.worst_x) + ", \"worst_y\": " + json_number(r.worst_y) +
                               ", \"worst_reference\": " + json_number(r.worst_ref) + "}";
    out.push_back({{"ulp_exhaustive", r.max_ulp, detail}});
  }
  return out;
}

}  // namespace evo::funcapprox
