#include "evaluators/native/vector_codegen.h"

#include "evaluators/native/codegen.h"

namespace evo {
namespace {

// Vector forms of the ops, in the op table's pattern language ({0} {1} {2} the arguments,
// {H} the helper prefix). Comparisons of GCC vectors give lane masks, and ?: on them
// selects per lane exactly as the scalar ?: does; sqrt and fma round once, like the scalar
// functions. Ops that call the C library (exp, log), or convert comparisons to numbers (sign),
// have none: their kernels stay scalar.
std::optional<std::string_view> vector_pattern(Op op) {
  switch (op) {
    case Op::add: return "({0} + {1})";
    case Op::sub: return "({0} - {1})";
    case Op::mul: return "({0} * {1})";
    case Op::div: return "({0} / {1})";
    case Op::fma: return "{H}_fma({0}, {1}, {2})";
    case Op::neg: return "(-{0})";
    case Op::abs: return "{H}_abs({0})";
    case Op::sqrt: return "{H}_sqrt({0})";
    case Op::square: return "({0} * {0})";
    case Op::mul2: return "({0} * {H}_set(2))";
    case Op::half: return "({0} * {H}_set(0.5))";
    case Op::min: return "({1} < {0} ? {1} : {0})";
    case Op::max: return "({0} < {1} ? {1} : {0})";
    case Op::const_: return "{0}";
    case Op::pdiv: return "({1} == {H}_set(0) ? {H}_set(0) : {0} / {1})";
    case Op::interp: return "({0} + {2} * ({1} - {0}))";
    default: return std::nullopt;
  }
}

std::string prefix(std::string_view type) { return type == "float" ? "evo_vf" : "evo_vd"; }

}  // namespace

std::string vector_type(std::string_view type) { return prefix(type); }

std::string vector_helper(std::string_view type, std::string_view name) { return prefix(type) + "_" + std::string(name); }

std::string vector_prelude(std::string_view type) {
  const bool f = type == "float";
  const std::string v = prefix(type), t(type), ps = f ? "ps" : "pd", guard = f ? "EVO_VF_PRELUDE" : "EVO_VD_PRELUDE";
  const std::string m = f ? "__m512" : "__m512d";
  return "#ifndef " + guard + "\n#define " + guard + "\n#include <immintrin.h>\n" +
         "typedef " + t + " " + v + " __attribute__((vector_size(64)));\n" +
         "static inline " + v + " " + v + "_set(" + t + " c) { return (" + v + ")_mm512_set1_" + ps + "(c); }\n" +
         "static inline " + v + " " + v + "_fma(" + v + " a, " + v + " b, " + v + " c) { return (" + v + ")_mm512_fmadd_" +
         ps + "((" + m + ")a, (" + m + ")b, (" + m + ")c); }\n" +
         "static inline " + v + " " + v + "_abs(" + v + " a) { return (" + v + ")_mm512_abs_" + ps + "((" + m + ")a); }\n" +
         "static inline " + v + " " + v + "_sqrt(" + v + " a) { return (" + v + ")_mm512_sqrt_" + ps + "((" + m + ")a); }\n" +
         "// a * 2^floor(n), rounded once: overflow and gradual underflow as the true product's.\n" +
         "static inline " + v + " " + v + "_scalef(" + v + " a, " + v + " n) { return (" + v + ")_mm512_scalef_" + ps +
         "((" + m + ")a, (" + m + ")n); }\n" +
         "#endif\n";
}

std::optional<std::string> emit_vector_statements(const Program& p, std::string_view type, std::string_view indent) {
  const std::string h = prefix(type), v = vector_type(type);
  std::string out;
  for (std::size_t i = 0; i < p.code.size(); ++i) {
    const Instr& in = p.code[i];
    const auto pattern = vector_pattern(in.op);
    if (!pattern) return std::nullopt;
    std::string expr;
    for (std::size_t k = 0; k < pattern->size(); ++k) {
      const std::string_view rest = pattern->substr(k);
      if (rest.substr(0, 3) == "{H}") {
        expr += h;
      } else if (rest.size() >= 3 && rest[0] == '{' && rest[2] == '}') {
        const Reg a = in.args[rest[1] - '0'];
        expr += a == kImm ? h + "_set(" + source_literal(in.imm, type) + ")" : register_name(p, a);
      } else {
        expr += rest[0];
        continue;
      }
      k += 2;
    }
    out += std::string(indent) + "const " + v + " " + register_name(p, p.reg_of(i)) + " = " + expr + ";\n";
  }
  return out;
}

}  // namespace evo
