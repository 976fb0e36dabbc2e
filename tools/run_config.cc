#include "tools/run_config.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include <toml++/toml.h>

#include "search/errors.h"
#include "search/settings.h"

namespace evo::cli {
namespace {

namespace po = boost::program_options;

// Top-level keys (flag names with '_' for '-') and the kind of value each takes.
enum class Kind { text, integer, number, boolean };
const std::map<std::string, Kind> kTopLevel = {
    {"domain", Kind::text},       {"name", Kind::text},         {"db", Kind::text},
    {"log_level", Kind::text},    {"seed", Kind::integer},      {"budget", Kind::integer},
    {"threads", Kind::integer},   {"time_limit", Kind::number}, {"stop_at", Kind::number},
    {"rank_timeout", Kind::number}, {"quiet", Kind::boolean},   {"measure", Kind::boolean},
};

constexpr std::size_t kMaxConfigBytes = std::size_t{1} << 20;

std::string where(const toml::node& n, const std::string& origin) {
  const auto& b = n.source().begin;
  return origin + ":" + std::to_string(b.line) + ":" + std::to_string(b.column);
}

// A scalar as the text a flag would take.
std::string scalar_text(const toml::node& n, const std::string& key, const std::string& origin) {
  if (const auto* s = n.as_string()) return s->get();
  if (const auto* i = n.as_integer()) return std::to_string(i->get());
  if (const auto* f = n.as_floating_point()) return shortest_decimal(f->get());
  if (const auto* b = n.as_boolean()) return b->get() ? "true" : "false";
  throw InputError(where(n, origin) + ": " + key + " must be a string, a number or true/false");
}

// A TOML basic string: quotes, backslashes and control characters escaped, so any text
// (a run name with quotes or newlines) reads back exactly.
std::string toml_string(const std::string& text) {
  std::string out = "\"";
  for (unsigned char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

std::string flag_name(std::string key) {
  for (char& c : key)
    if (c == '_') c = '-';
  return key;
}

}  // namespace

RunConfig parse_run_config(const std::string& text, const std::string& origin) {
  toml::table root;
  try {
    root = toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    const auto& b = e.source().begin;
    throw InputError(origin + ":" + std::to_string(b.line) + ":" + std::to_string(b.column) + ": " +
                     std::string(e.description()));
  }
  RunConfig config;
  for (const auto& [k, node] : root) {
    const std::string key(k.str());
    if (key == "settings") {
      const auto* table = node.as_table();
      if (!table) throw InputError(where(node, origin) + ": settings must be a table ([settings])");
      for (const auto& [sk, value] : *table) {
        const std::string name(sk.str());
        if (const auto* array = value.as_array()) {  // ops = ["add", "mul"] -> "add,mul"
          std::string joined;
          for (const auto& item : *array) {
            if (!joined.empty()) joined += ',';
            joined += scalar_text(item, name, origin);
          }
          config.settings[name] = joined;
        } else {
          config.settings[name] = scalar_text(value, name, origin);
        }
      }
      continue;
    }
    const auto known = kTopLevel.find(key);
    if (known == kTopLevel.end())
      throw InputError(where(node, origin) + ": unknown key '" + key + "' (domain and engine settings go in [settings])");
    switch (known->second) {
      case Kind::boolean: {
        const auto* b = node.as_boolean();
        if (!b) throw InputError(where(node, origin) + ": " + key + " must be true or false");
        if (key == "quiet" && b->get()) config.options.emplace_back("quiet", "");
        if (key == "measure" && !b->get()) config.options.emplace_back("no-measure", "");
        continue;
      }
      case Kind::integer: {
        if (!node.is_integer()) throw InputError(where(node, origin) + ": " + key + " must be an integer");
        // The range the flag takes, said here with the file's position.
        const long long v = node.as_integer()->get();
        if (key == "seed" && v < 0) throw InputError(where(node, origin) + ": seed must be a non-negative integer");
        if ((key == "budget" || key == "threads") && v < 1)
          throw InputError(where(node, origin) + ": " + key + " must be a positive integer");
        if (key == "threads" && v > 1024) throw InputError(where(node, origin) + ": threads must be at most 1024");
        break;
      }
      case Kind::number:
        if (!node.is_number() || !std::isfinite(node.value<double>().value_or(NAN)))
          throw InputError(where(node, origin) + ": " + key + " must be a finite number");
        if ((key == "time_limit" || key == "rank_timeout") && !(*node.value<double>() > 0))
          throw InputError(where(node, origin) + ": " + key + " must be a positive number of seconds");
        // As the double it is, in one spelling: an integer (55005000000) and the float
        // to_toml writes for it (5.5005e+10) are the same option.
        config.options.emplace_back(flag_name(key), shortest_decimal(*node.value<double>()));
        continue;
      case Kind::text:
        if (!node.is_string()) throw InputError(where(node, origin) + ": " + key + " must be a string");
        break;
    }
    config.options.emplace_back(flag_name(key), scalar_text(node, key, origin));
  }
  return config;
}

RunConfig read_run_config(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw InputError("no configuration file " + path);
  if (!std::filesystem::is_regular_file(path, ec)) throw InputError("the configuration file " + path + " is not a regular file");
  const auto size = std::filesystem::file_size(path, ec);
  if (ec || size > kMaxConfigBytes) throw InputError("the configuration file " + path + " is larger than 1 MiB");
  std::ifstream in(path, std::ios::binary);
  if (!in.is_open()) throw InputError("cannot read the configuration file " + path);
  std::ostringstream text;
  if (size > 0) text << in.rdbuf();
  return parse_run_config(text.str(), path);
}

void store_config_options(const RunConfig& config, const po::options_description& opts, po::variables_map& vm,
                          bool known_only, const std::string& origin) {
  po::parsed_options parsed(&opts);
  for (const auto& [name, value] : config.options) {
    if (!opts.find_nothrow(name, false)) {
      if (known_only) continue;
      throw InputError(origin + ": '" + name + "' is not an option of this command");
    }
    po::option o(name, value.empty() ? std::vector<std::string>{} : std::vector<std::string>{value});
    o.original_tokens = {"--" + name};
    parsed.options.push_back(std::move(o));
  }
  try {
    po::store(parsed, vm);  // values from the command line stay: store() keeps what is there
    po::notify(vm);
  } catch (const po::error& e) {
    throw InputError(origin + ": " + e.what());
  }
}

std::string to_toml(const RunConfig& config) {
  static const std::regex plain_integer("0|-?[1-9][0-9]{0,17}");  // no "-0": TOML reads it as 0
  auto value = [](const std::string& v) {
    return std::regex_match(v, plain_integer) ? v : toml_string(v);
  };
  // Options that take an integer: any 64-bit integer is written bare (what TOML reads back).
  auto integer = [&](const std::string& v) {
    long long x = 0;
    const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
    return ec == std::errc() && end == v.data() + v.size() && std::to_string(x) == v ? v : value(v);
  };
  // Options that take a number are written as TOML numbers (the file's own check wants one).
  auto number = [&](const std::string& v) {
    double x = 0;
    if (!parse_real(v, x)) return value(v);
    std::string text = shortest_decimal(x);
    if (text == "inf" || text == "-inf" || text == "nan" || text == "-nan") return text;  // TOML spells them so
    if (text.find_first_of(".en") == std::string::npos) text += ".0";  // a float, not an integer
    return text;
  };
  std::string out;
  for (const auto& [name, v] : config.options) {
    std::string key = name;
    for (char& c : key)
      if (c == '-') c = '_';
    const auto kind = kTopLevel.find(key);
    if (name == "quiet") out += "quiet = true\n";
    else if (name == "no-measure") out += "measure = false\n";
    else if (kind != kTopLevel.end() && kind->second == Kind::number) out += key + " = " + number(v) + "\n";
    else if (kind != kTopLevel.end() && kind->second == Kind::text) out += key + " = " + toml_string(v) + "\n";
    else if (kind != kTopLevel.end() && kind->second == Kind::integer) out += key + " = " + integer(v) + "\n";
    else out += key + " = " + value(v) + "\n";
  }
  auto line = [&](const std::string& k, const std::string& v) {
    return (std::regex_match(k, std::regex("[A-Za-z0-9_-]+")) ? k : toml_string(k)) + " = " + value(v);
  };
  if (!config.settings.empty() || !config.defaults.empty()) {
    out += "\n[settings]\n";
    for (const auto& [k, v] : config.settings) out += line(k, v) + "\n";
    if (!config.defaults.empty()) out += "# left at their defaults:\n";
    for (const auto& [k, v] : config.defaults) out += "# " + line(k, v) + "\n";
  }
  return out;
}

}  // namespace evo::cli
