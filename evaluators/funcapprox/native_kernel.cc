// funcapprox programs as native array kernels, and what they are timed against.
#include <random>

#include "evaluators/funcapprox/funcapprox.h"
#include "evaluators/native/codegen.h"

namespace evo::funcapprox {
namespace {

std::string fmt_bound(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

// float32 programs are timed as float; float64 and real ones as double, the type they ship in.
std::string kernel_type(Precision p) { return p == Precision::float32 ? "float" : "double"; }

}  // namespace

std::optional<SpeedBench> FuncApprox::speed_bench() const {
  SpeedBench b;
  b.value_type = kernel_type(precision_);
  b.describe = std::string(target_->name) + " on [" + fmt_bound(lo_) + ", " + fmt_bound(hi_) + "], " + b.value_type;
  // Uniform inputs from a fixed seed: every kernel sees the same values, run after run.
  std::mt19937_64 gen(12345);
  std::uniform_real_distribution<double> u(lo_, hi_);
  b.inputs.resize(4096);
  for (auto& x : b.inputs) x = b.value_type == "float" ? static_cast<float>(u(gen)) : u(gen);
  b.baselines = native::library_kernels(target_->name, b.value_type);
  return b;
}

std::string FuncApprox::kernel_source(const Program& p, const std::string& symbol) const {
  const std::string t = kernel_type(precision_);
  std::string out = "#include <cmath>\n#include <cstddef>\n";
  out += "static inline " + t + " " + symbol + "_scalar(" + t + " x) {\n";
  out += emit_statements(p, t, SourceLang::cpp, "  ");
  out += "  return " + register_name(p, p.outputs[0]) + ";\n}\n";
  out += "extern \"C\" void " + symbol + "(const " + t + "* in, " + t + "* out, std::size_t n) {\n";
  out += "  for (std::size_t i = 0; i < n; ++i) out[i] = " + symbol + "_scalar(in[i]);\n}\n";
  return out;
}

}  // namespace evo::funcapprox
