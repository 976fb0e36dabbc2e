#include "evaluators/external/protocol.h"

#include <cctype>
#include <cmath>
#include <set>

#include <nlohmann/json.hpp>

#include "search/errors.h"

namespace evo::external {

bool is_name(const std::string& s) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  return true;
}

Evaluation invalid_evaluation(std::string reason) {
  Evaluation e;
  e.valid = false;
  e.reason = std::move(reason);
  return e;
}

namespace {

std::string clip(std::string_view s, std::size_t n = 120) {
  std::string out(s.substr(0, n));
  if (s.size() > n) out += "...";
  return out;
}

}  // namespace

std::vector<ObjectiveName> parse_objective_list(const std::vector<std::string>& items) {
  if (items.empty()) throw InputError("objectives: name at least one, e.g. objectives=loss");
  std::vector<ObjectiveName> out;
  std::set<std::string> seen;
  for (const std::string& item : items) {
    ObjectiveName o;
    const auto colon = item.find(':');
    o.name = item.substr(0, colon);
    if (colon != std::string::npos) {
      const std::string dir = item.substr(colon + 1);
      if (dir != "max" && dir != "min")
        throw InputError("objectives: '" + item + "' should end in :min or :max, or neither (minimised)");
      o.maximize = dir == "max";
    }
    if (!is_name(o.name)) throw InputError("objectives: '" + o.name + "' is not a name (letters, digits, _)");
    if (!seen.insert(o.name).second) throw InputError("objectives: '" + o.name + "' is named twice");
    out.push_back(std::move(o));
  }
  return out;
}

Evaluation parse_answer(std::string_view text, const std::vector<ObjectiveName>& objectives, bool* well_formed) {
  if (well_formed) *well_formed = false;
  auto malformed = [&](const std::string& what) { return invalid_evaluation("malformed answer (" + what); };
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const std::exception&) {
    return malformed("not JSON): " + clip(text));
  }
  if (!j.is_object()) return malformed("not a JSON object): " + clip(text));
  if (const auto it = j.find("invalid"); it != j.end()) {
    if (well_formed) *well_formed = true;
    return invalid_evaluation("evaluator: " + (it->is_string() ? clip(it->get<std::string>(), 200) : clip(it->dump(), 200)));
  }
  Evaluation e;
  for (const ObjectiveName& o : objectives) {
    const auto it = j.find(o.name);
    if (it == j.end()) return malformed("no '" + o.name + "'): " + clip(text));
    if (!it->is_number()) return malformed("'" + o.name + "' is not a number): " + clip(text));
    const double v = it->get<double>();
    if (!std::isfinite(v)) return malformed("'" + o.name + "' is not finite)");
    e.values.push_back(v);
  }
  if (well_formed) *well_formed = true;
  return e;
}

}  // namespace evo::external
