#include "search/settings.h"

#include <charconv>
#include <cmath>
#include <cstdlib>

#include "search/errors.h"

namespace evo {

bool parse_integer(std::string_view s, long long& out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

bool parse_real(std::string_view s, double& out) {
  if (s.empty() || std::isspace(static_cast<unsigned char>(s[0]))) return false;
  std::string tmp(s);
  char* end = nullptr;
  out = std::strtod(tmp.c_str(), &end);
  return end == tmp.c_str() + tmp.size() && std::isfinite(out);
}

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    auto pos = s.find(sep, start);
    parts.emplace_back(s.substr(start, pos == std::string_view::npos ? std::string_view::npos : pos - start));
    if (pos == std::string_view::npos) break;
    start = pos + 1;
  }
  return parts;
}

const std::string& Settings::str(std::string_view key) const {
  auto it = values_.find(key);
  if (it == values_.end()) throw std::logic_error("undeclared setting " + std::string(key));
  return it->second;
}

long long Settings::integer(std::string_view key) const {
  long long v = 0;
  if (!parse_integer(str(key), v)) throw std::logic_error("setting " + std::string(key) + " is not an integer");
  return v;
}

double Settings::real(std::string_view key) const {
  double v = 0;
  if (!parse_real(str(key), v)) throw std::logic_error("setting " + std::string(key) + " is not a number");
  return v;
}

std::vector<std::string> Settings::list(std::string_view key) const { return split(str(key), ','); }

namespace {

// A value as an error message quotes it: whole up to a line's worth, else its start.
std::string quoted(const std::string& v) {
  constexpr std::size_t kShown = 60;
  if (v.size() <= kShown) return "'" + v + "'";
  std::size_t cut = kShown;
  while (cut > 0 && (static_cast<unsigned char>(v[cut]) & 0xC0) == 0x80) --cut;  // not inside a UTF-8 character
  return "'" + v.substr(0, cut) + "...' (" + std::to_string(v.size()) + " bytes)";
}

}  // namespace

bool is_default(const std::vector<SettingSpec>& specs, const Settings& s, std::string_view key) {
  for (const auto& spec : specs)
    if (spec.key == key) return s.str(key) == spec.default_value;
  return true;
}

Settings resolve_settings(const std::vector<SettingSpec>& specs, const std::map<std::string, std::string>& given,
                          std::string_view owner) {
  std::map<std::string, std::string> values;
  for (const auto& [key, value] : given) {
    const SettingSpec* spec = nullptr;
    for (const auto& s : specs)
      if (s.key == key) spec = &s;
    if (!spec) {
      std::string known;
      for (const auto& s : specs) known += (known.empty() ? "" : ", ") + s.key;
      throw InputError("unknown setting " + quoted(key) + " for " + std::string(owner) + " (known: " + known + ")");
    }
  }
  for (const auto& s : specs) {
    auto it = given.find(s.key);
    const std::string v = it == given.end() ? s.default_value : it->second;
    if (s.check) {
      if (std::string err = s.check(v); !err.empty())
        throw InputError("bad value " + quoted(v) + " for setting '" + s.key + "' of " + std::string(owner) + ": " + err);
    }
    values[s.key] = v;
  }
  return Settings(std::move(values));
}

std::string shortest_decimal(double x) {
  char buf[40];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, x);
  return std::string(buf, ec == std::errc() ? end : buf);
}

SettingCheck integer_in(long long lo, long long hi) {
  return [lo, hi](const std::string& v) -> std::string {
    long long x = 0;
    if (!parse_integer(v, x)) return "not an integer";
    if (x < lo || x > hi) return "must be between " + std::to_string(lo) + " and " + std::to_string(hi);
    return {};
  };
}

SettingCheck real_in(double lo, double hi) {
  return [lo, hi](const std::string& v) -> std::string {
    double x = 0;
    if (!parse_real(v, x)) return "not a number";
    if (x < lo || x > hi) return "must be between " + shortest_decimal(lo) + " and " + shortest_decimal(hi);
    return {};
  };
}

SettingCheck one_of(std::vector<std::string> allowed) {
  return [allowed](const std::string& v) -> std::string {
    std::string all;
    for (const auto& a : allowed) {
      if (a == v) return {};
      all += (all.empty() ? "" : ", ") + a;
    }
    return "must be one of " + all;
  };
}

SettingCheck list_of(std::vector<std::string> allowed) {
  return [allowed](const std::string& v) -> std::string {
    const auto items = split(v, ',');
    for (std::size_t i = 0; i < items.size(); ++i)
      for (std::size_t j = 0; j < i; ++j)
        if (items[i] == items[j]) return "'" + items[i] + "' is listed twice";
    for (const auto& item : items) {
      bool ok = false;
      for (const auto& a : allowed) ok |= a == item;
      if (!ok) {
        std::string all;
        for (const auto& a : allowed) all += (all.empty() ? "" : ", ") + a;
        return "'" + item + "' is not one of " + all;
      }
    }
    return {};
  };
}

}  // namespace evo
