// funcapprox programs as native array kernels, and what they are timed against. With a
// scaffold the kernel is the whole-range function (core + range reduction), timed on inputs
// spread over the whole range, beside the library functions of that whole-range target;
// without one it is the program itself on its interval.
#include <cmath>
#include <random>

#include "evaluators/funcapprox/decimal.h"
#include "evaluators/funcapprox/funcapprox.h"
#include "evaluators/native/codegen.h"

namespace evo::funcapprox {
namespace {

// float32 programs are timed as float; float64 and real ones as double, the type they ship in.
std::string kernel_type(Precision p) { return p == Precision::float32 ? "float" : "double"; }

// Where whole-range kernels are timed: the inputs whose results are neither overflow nor
// underflow (exp, exp2), positive numbers of every binade (log, log2), or moderate
// arguments (sin, cos), so each kernel does its real work on every element.
struct TimingRange {
  double lo, hi;
  bool log_uniform;
};
TimingRange timing_range(ScaffoldKind k, bool single) {
  switch (k) {
    case ScaffoldKind::exp2_round:
    case ScaffoldKind::exp2_floor: return {single ? -126.0 : -1022.0, single ? 127.0 : 1023.0, false};
    case ScaffoldKind::exp: return {single ? -87.0 : -708.0, single ? 88.0 : 709.0, false};
    case ScaffoldKind::log2:
    case ScaffoldKind::log: return {single ? 0x1p-126 : 0x1p-1022, single ? 0x1p127 : 0x1p1023, true};
    case ScaffoldKind::sin:
    case ScaffoldKind::cos: return {-100.0, 100.0, false};
  }
  return {0, 1, false};
}

}  // namespace

std::optional<SpeedBench> FuncApprox::speed_bench() const {
  SpeedBench b;
  b.value_type = kernel_type(precision_);
  const bool single = b.value_type == "float";
  TimingRange range{lo_, hi_, false};
  std::string name(target_->name);
  if (scaffold_) {
    range = timing_range(scaffold_->kind, single);
    name = scaffold_->whole;
  }
  const bool vector = vector_kernels();
  b.describe = name + " on [" + decimal(range.lo, 6) + ", " + decimal(range.hi, 6) + "]" +
               (range.log_uniform ? " (log-uniform)" : "") + ", " + b.value_type +
               (scaffold_ ? ", whole-range kernels (scaffold " + std::string(scaffold_->name) + ")"
                          : ", the program alone (no scaffold)") +
               (vector ? " in AVX-512 form where the core's ops have one (unless the compiler command defines "
                         "EVO_SCALAR_KERNELS or targets no AVX-512F)"
                       : "");
  // Inputs from a fixed seed: every kernel sees the same values, run after run.
  std::mt19937_64 gen(12345);
  std::uniform_real_distribution<double> u(range.log_uniform ? std::log2(range.lo) : range.lo,
                                           range.log_uniform ? std::log2(range.hi) : range.hi);
  b.inputs.resize(4096);
  for (auto& x : b.inputs) {
    const double v = range.log_uniform ? std::exp2(u(gen)) : u(gen);
    x = single ? static_cast<float>(v) : v;
  }
  b.baselines = native::library_kernels(name, b.value_type);
  return b;
}

// The compiler targets this CPU (-march=native): with AVX-512F the exp scaffolds' kernels
// take their vector form (emit_vector_loop()).
bool FuncApprox::vector_kernels() const {
  if (!scaffold_ || !has_vector_form(*scaffold_)) return false;
  static const bool avx512 = __builtin_cpu_supports("avx512f");
  return avx512;
}

std::string FuncApprox::kernel_source(const Program& p, const std::string& symbol) const {
  const std::string t = kernel_type(precision_);
  std::string out = "#include <cmath>\n#include <cstddef>\n";
  const std::string core = symbol + "_core", whole = symbol + "_scalar";
  out += "static inline " + t + " " + (scaffold_ ? core : whole) + "(" + t + " x) {\n";
  out += emit_statements(p, t, SourceLang::cpp, "  ");
  out += "  return " + register_name(p, p.outputs[0]) + ";\n}\n";
  if (scaffold_) out += scaffold_includes(SourceLang::cpp) + emit_scaffold(*scaffold_, t, SourceLang::cpp, core, whole, keeps_nan(p));
  const std::string head = "extern \"C\" void " + symbol + "(const " + t + "* in, " + t + "* out, std::size_t n)";
  const std::string scalar_loop = emit_scalar_loop(head, whole, "std::size_t");
  const auto vector = scaffold_ ? emit_vector_loop(p, *scaffold_, t, symbol, head) : std::nullopt;
  if (!vector) return out + scalar_loop;
  // EVO_SCALAR_KERNELS: the scalar form even on AVX-512 (the tests compare the two).
  return out + "#if defined(__AVX512F__) && !defined(EVO_SCALAR_KERNELS)\n" + *vector + "#else\n" + scalar_loop + "#endif\n";
}

}  // namespace evo::funcapprox
