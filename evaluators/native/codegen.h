// C and C++ source for programs, from the op table's emitted-code column. Shared by every
// domain's exports and by the native timing harness.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "search/program.h"

namespace evo {

enum class SourceLang { cpp, c };

// A literal of `type` ("float", "double", "long double") with the exact value v.
std::string source_literal(double v, std::string_view type);

// The expression an instruction computes, its register arguments named by `name`.
std::string emit_expression(const Instr& in, std::string_view type, SourceLang lang,
                            const std::function<std::string(Reg)>& name);

// One `const T rN = <expr>;` line per instruction, indented by `indent`. Input and state
// registers are referred to by their signature names.
std::string emit_statements(const Program& p, std::string_view type, SourceLang lang, std::string_view indent);

// The name (or literal) that holds register r after emit_statements().
std::string register_name(const Program& p, Reg r);

// The C library function names in the target language for a type, e.g. "fmaf".
std::string libm_name(std::string_view base, std::string_view type, SourceLang lang);

}  // namespace evo
