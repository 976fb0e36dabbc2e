// Small helpers shared by the unit tests.
#pragma once

#include <memory>

#include "search/program.h"
#include "search/program_text.h"

namespace evo::test {

inline const Signature* xy_signature() {
  Signature s;
  s.inputs = {"x"};
  s.outputs = {"y"};
  return intern_signature(s);
}

inline Program parse_xy(const std::string& body) {
  return parse_program("input x\n" + body, xy_signature());
}

}  // namespace evo::test
