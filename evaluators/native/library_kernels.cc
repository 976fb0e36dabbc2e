#include "evaluators/native/library_kernels.h"

#include <algorithm>
#include <array>

namespace evo::native {
namespace {

constexpr std::array<std::string_view, 8> kFunctions = {"exp", "exp2", "log", "log2", "sin", "cos", "tanh", "erf"};

struct VectorIsa {
  std::string_view label;      // "avx2", "avx512"
  int bits;
  char mangling;               // x86_64 vector ABI letter: 'd' AVX2, 'e' AVX-512
  std::string_view float_reg;  // register types and load/store intrinsics
  std::string_view double_reg;
  std::string_view prefix;     // _mm256 / _mm512
};

constexpr VectorIsa kAvx2{"avx2", 256, 'd', "__m256", "__m256d", "_mm256"};
constexpr VectorIsa kAvx512{"avx512", 512, 'e', "__m512", "__m512d", "_mm512"};

std::string scalar_name(std::string_view f, bool single) { return std::string(f) + (single ? "f" : ""); }

std::string header() { return "#include <immintrin.h>\n#include <math.h>\n#include <stddef.h>\n"; }

// A loop over whole vectors with `call` (an expression of `v`), then the scalar function for the tail.
std::string vector_loop(const std::string& symbol, std::string_view type, const VectorIsa& isa, const std::string& call,
                        const std::string& tail_fn) {
  const bool single = type == "float";
  const int lanes = isa.bits / (single ? 32 : 64);
  const std::string reg(single ? isa.float_reg : isa.double_reg);
  const std::string suffix = single ? "_ps" : "_pd";
  const std::string t(type);
  return "extern \"C\" void " + symbol + "(const " + t + "* in, " + t + "* out, size_t n) {\n  size_t i = 0;\n  for (; i + " +
         std::to_string(lanes) + " <= n; i += " + std::to_string(lanes) + ") {\n    const " + reg + " v = " +
         std::string(isa.prefix) + "_loadu" + suffix + "(in + i);\n    " + std::string(isa.prefix) + "_storeu" + suffix +
         "(out + i, " + call + ");\n  }\n  for (; i < n; ++i) out[i] = " + tail_fn + "(in[i]);\n}\n";
}

KernelSource glibc_scalar(std::string_view f, std::string_view type) {
  const std::string fn = scalar_name(f, type == "float"), t(type);
  const std::string symbol = "evo_glibc_" + fn;
  // No -ffast-math: GCC keeps the calls scalar, which is how a plain loop over expf() runs.
  return {"glibc " + fn + " (scalar loop)", symbol,
          "extern \"C\" void " + symbol + "(const " + t + "* in, " + t + "* out, size_t n) {\n" +
              "  for (size_t i = 0; i < n; ++i) out[i] = " + fn + "(in[i]);\n}\n",
          {"-lm"}};
}

KernelSource libmvec(std::string_view f, std::string_view type, const VectorIsa& isa) {
  const bool single = type == "float";
  const int lanes = isa.bits / (single ? 32 : 64);
  const std::string fn = scalar_name(f, single), reg(single ? isa.float_reg : isa.double_reg);
  const std::string mangled = std::string("_ZGV") + isa.mangling + "N" + std::to_string(lanes) + "v_" + fn;
  const std::string symbol = "evo_libmvec_" + fn + "_" + std::string(isa.label);
  return {"libmvec " + fn + " (" + std::string(isa.label) + ")", symbol,
          "extern \"C\" " + reg + " " + mangled + "(" + reg + ");\n" + vector_loop(symbol, type, isa, mangled + "(v)", fn),
          {"-lmvec", "-lm"}};
}

KernelSource sleef(std::string_view f, std::string_view type, const VectorIsa& isa) {
  const bool single = type == "float";
  const int lanes = isa.bits / (single ? 32 : 64);
  const std::string fn = scalar_name(f, single);
  const std::string sleef_fn = "Sleef_" + std::string(f) + (single ? "f" : "d") + std::to_string(lanes) + "_u10";
  const std::string symbol = "evo_sleef_" + fn + "_" + std::string(isa.label);
  return {"SLEEF " + fn + " u10 (" + std::string(isa.label) + ")", symbol,
          "#include <sleef.h>\n" + vector_loop(symbol, type, isa, sleef_fn + "(v)", fn), {"-lsleef", "-lm"}};
}

}  // namespace

std::vector<KernelSource> library_kernels(std::string_view function, std::string_view type) {
  if (std::find(kFunctions.begin(), kFunctions.end(), function) == kFunctions.end()) return {};
  std::vector<KernelSource> out = {glibc_scalar(function, type)};
  std::vector<const VectorIsa*> isas;
  if (__builtin_cpu_supports("avx2")) isas.push_back(&kAvx2);
  if (__builtin_cpu_supports("avx512f")) isas.push_back(&kAvx512);
  for (const VectorIsa* isa : isas) out.push_back(libmvec(function, type, *isa));
  for (const VectorIsa* isa : isas) out.push_back(sleef(function, type, *isa));
  return out;
}

std::string combine_kernels(const std::vector<KernelSource>& kernels, std::vector<std::string>& libraries) {
  std::string code = header();
  for (const auto& k : kernels) {
    code += "\n" + k.code;
    for (const auto& l : k.libraries)
      if (std::find(libraries.begin(), libraries.end(), l) == libraries.end()) libraries.push_back(l);
  }
  return code;
}

}  // namespace evo::native
