#include "evaluators/native/codegen.h"

#include "search/program_text.h"

namespace evo {

std::string source_literal(double v, std::string_view type) {
  std::string s = hex_double(v);
  if (type == "float") s += "f";
  if (type == "long double") s += "L";
  return v < 0 ? "(" + s + ")" : s;
}

std::string libm_name(std::string_view base, std::string_view type, SourceLang lang) {
  if (lang == SourceLang::cpp) return "std::" + std::string(base);
  return std::string(base) + (type == "float" ? "f" : type == "long double" ? "l" : "");
}

std::string register_name(const Program& p, Reg r) {
  const auto& sig = *p.sig;
  if (r < sig.inputs.size()) return sig.inputs[r];
  if (r < sig.inputs.size() + sig.states.size()) return sig.states[r - sig.inputs.size()];
  std::string name = std::to_string(r - p.first_temp() + 1);
  name.insert(0, 1, 'r');  // not "r" + ...: GCC 12 warns falsely (-Wrestrict) on that form
  return name;
}

std::string emit_expression(const Instr& in, std::string_view type, SourceLang lang,
                            const std::function<std::string(Reg)>& name) {
  std::string expr;
  const std::string_view pattern = op_info(in.op).cpp;
  for (std::size_t k = 0; k < pattern.size(); ++k) {
    if (pattern[k] == '{' && k + 2 < pattern.size() && pattern[k + 2] == '}') {
      const char c = pattern[k + 1];
      if (c == 'T') {
        expr += type;
      } else {
        const Reg a = in.args[c - '0'];
        expr += a == kImm ? source_literal(in.imm, type) : name(a);
      }
      k += 2;
    } else if (pattern.substr(k, 5) == "std::") {
      const auto paren = pattern.find('(', k);
      expr += libm_name(pattern.substr(k + 5, paren - k - 5), type, lang);
      k = paren - 1;
    } else {
      expr += pattern[k];
    }
  }
  return expr;
}

std::string emit_statements(const Program& p, std::string_view type, SourceLang lang, std::string_view indent) {
  std::string out;
  const auto name = [&](Reg r) { return register_name(p, r); };
  for (std::size_t i = 0; i < p.code.size(); ++i)
    out += std::string(indent) + "const " + std::string(type) + " " + register_name(p, p.reg_of(i)) + " = " +
           emit_expression(p.code[i], type, lang, name) + ";\n";
  return out;
}

}  // namespace evo
