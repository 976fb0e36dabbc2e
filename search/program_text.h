// The human-readable form of a program, which parses back to the same program:
//
//   input x
//   r1 = fma(x, 0x1.62e42fefa39efp-1, 0x1p+0)
//   r2 = mul(r1, r1)
//   output y = r2
//
// `state m` declares a state slot (read as register m), `update m = r3` gives its new
// value. Immediates print as hex floats so they round-trip exactly; the parser also takes
// decimal numbers. Register names are free: a name may be reassigned, later uses read the
// latest value. `#` starts a comment.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "search/program.h"

namespace evo {

std::string to_text(const Program& p);

// Throws InputError naming the line and the problem. When `expected` is given, the text's
// inputs, states and outputs must match it and the program shares that signature object.
Program parse_program(std::string_view text, const Signature* expected = nullptr);

// r1, r2, ...: the names printed programs give their instructions' results, which inputs,
// states and outputs therefore may not take.
bool is_register_name(std::string_view name);

// Hex float text of a double (exact), e.g. 0x1.8p+0.
std::string hex_double(double v);

}  // namespace evo
