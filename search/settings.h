// Named settings (`--set key=value`) with defaults, help and validation. Domains and the
// engine declare theirs; resolve_settings() checks what the user gave once, in one place,
// so a domain may assume its settings are valid.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace evo {

// Returns an empty string when the value is acceptable, else what is wrong with it.
using SettingCheck = std::function<std::string(const std::string&)>;

struct SettingSpec {
  std::string key;
  std::string default_value;
  std::string help;
  SettingCheck check;
};

class Settings {
 public:
  Settings() = default;
  explicit Settings(const std::map<std::string, std::string>& values) : values_(values.begin(), values.end()) {}

  const std::string& str(std::string_view key) const;
  long long integer(std::string_view key) const;
  double real(std::string_view key) const;
  std::vector<std::string> list(std::string_view key) const;  // comma separated
  const std::map<std::string, std::string, std::less<>>& all() const { return values_; }

 private:
  std::map<std::string, std::string, std::less<>> values_;
};

// Defaults filled in, every value checked. Unknown keys and bad values throw InputError
// naming `owner` (e.g. "domain funcapprox") and the key.
Settings resolve_settings(const std::vector<SettingSpec>& specs, const std::map<std::string, std::string>& given,
                          std::string_view owner);

// Whether `key` holds its spec's default text: a setting given as its default cannot be told
// from one not given, so a check that refuses a setting a run would ignore asks this.
bool is_default(const std::vector<SettingSpec>& specs, const Settings& s, std::string_view key);

// Checks.
SettingCheck integer_in(long long lo, long long hi);
SettingCheck real_in(double lo, double hi);
SettingCheck one_of(std::vector<std::string> allowed);
SettingCheck list_of(std::vector<std::string> allowed);  // non-empty comma-separated subset

// Strict number parsing (whole string, finite); nullopt-like failure by return flag.
bool parse_integer(std::string_view s, long long& out);
bool parse_real(std::string_view s, double& out);
std::vector<std::string> split(std::string_view s, char sep);
// The shortest text that reads back as exactly x (0.95, 0.2, 1e-05): a number as a user types it.
std::string shortest_decimal(double x);

}  // namespace evo
