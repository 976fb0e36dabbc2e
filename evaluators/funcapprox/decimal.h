// Numbers in messages, export comments and descriptions: shortest-looking decimal text.
#pragma once

#include <cstdio>
#include <string>

namespace evo::funcapprox {

// v with `digits` significant digits (%g); 17 round-trips any double.
inline std::string decimal(double v, int digits = 17) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.*g", digits, v);
  return buf;
}

}  // namespace evo::funcapprox
