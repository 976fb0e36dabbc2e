// The functions funcapprox can approximate, with reference values in long double
// (64-bit mantissa: about 1e-19 relative, far below the float64 round-off it measures).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace evo::funcapprox {

struct Target {
  std::string_view name;
  long double (*reference)(long double);
  std::string_view math;  // how the export comment writes it, e.g. "2^x"
  double domain_lo, domain_hi;  // where the function is defined (open at a finite lo for log)
  bool open_lo;
};

const std::vector<Target>& targets();
const Target* find_target(std::string_view name);
std::vector<std::string> target_names();

}  // namespace evo::funcapprox
