// Small helpers shared by the unit tests.
#pragma once

#include <memory>

#include "search/program.h"
#include "search/program_text.h"

namespace evo::test {

inline std::shared_ptr<const Signature> xy_signature() {
  static const auto sig = [] {
    auto s = std::make_shared<Signature>();
    s->inputs = {"x"};
    s->outputs = {"y"};
    return s;
  }();
  return sig;
}

inline Program parse_xy(const std::string& body) {
  return parse_program("input x\n" + body, xy_signature());
}

}  // namespace evo::test
