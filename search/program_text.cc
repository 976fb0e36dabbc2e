#include "search/program_text.h"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <sstream>
#include <vector>

#include "search/errors.h"

namespace evo {

std::string hex_double(double v) {
  // Same text as printf's %a (0x1.8p+0), via to_chars: this runs for every stored candidate.
  char buf[64];
  char* p = buf;
  if (std::signbit(v)) *p++ = '-';
  *p++ = '0';
  *p++ = 'x';
  auto [end, ec] = std::to_chars(p, buf + sizeof buf, std::fabs(v), std::chars_format::hex);
  if (ec != std::errc()) return "nan";
  return std::string(buf, end);
}

bool is_register_name(std::string_view name) {
  return name.size() > 1 && name[0] == 'r' && name.find_first_not_of("0123456789", 1) == std::string_view::npos;
}

std::string to_text(const Program& p) {
  const Signature& sig = *p.sig;
  const std::size_t named = sig.inputs.size() + sig.states.size();
  std::string out;
  out.reserve(64 + p.code.size() * 48);
  auto name = [&](Reg r) {
    if (r < sig.inputs.size()) out += sig.inputs[r];
    else if (r < named) out += sig.states[r - sig.inputs.size()];
    else out += 'r', out += std::to_string(r - named + 1);
  };
  for (const auto& n : sig.inputs) out += "input ", out += n, out += '\n';
  for (const auto& n : sig.states) out += "state ", out += n, out += '\n';
  for (std::size_t i = 0; i < p.code.size(); ++i) {
    const Instr& in = p.code[i];
    name(p.reg_of(i));
    out += " = ";
    out += op_info(in.op).name;
    out += '(';
    for (int k = 0; k < in.arity(); ++k) {
      if (k) out += ", ";
      if (in.args[k] == kImm) out += hex_double(in.imm);
      else name(in.args[k]);
    }
    out += ")\n";
  }
  for (std::size_t s = 0; s < sig.states.size(); ++s)
    out += "update ", out += sig.states[s], out += " = ", name(p.state_next[s]), out += '\n';
  for (std::size_t o = 0; o < sig.outputs.size(); ++o)
    out += "output ", out += sig.outputs[o], out += " = ", name(p.outputs[o]), out += '\n';
  return out;
}

namespace {

struct Parser {
  int line_no = 0;
  [[noreturn]] void fail(const std::string& what) const {
    throw InputError(line_no ? "program text line " + std::to_string(line_no) + ": " + what
                             : "program text: " + what);
  }
};

bool is_name(std::string_view s) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// Splits "a = b" into its two sides.
bool split_assign(std::string_view s, std::string_view& lhs, std::string_view& rhs) {
  auto eq = s.find('=');
  if (eq == std::string_view::npos) return false;
  lhs = trim(s.substr(0, eq));
  rhs = trim(s.substr(eq + 1));
  return true;
}

}  // namespace

Program parse_program(std::string_view text, const Signature* expected) {
  Parser ps;
  auto sig = std::make_shared<Signature>();
  std::map<std::string, Reg, std::less<>> regs;
  std::vector<std::pair<std::string, std::string>> updates, outputs;  // (slot, register name)
  Program p;
  bool in_body = false;

  std::istringstream in{std::string(text)};
  std::string raw;
  while (std::getline(in, raw)) {
    ++ps.line_no;
    std::string_view line = raw;
    if (auto hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
    line = trim(line);
    if (line.empty()) continue;

    auto starts = [&](std::string_view kw) {
      return line.size() > kw.size() && line.substr(0, kw.size()) == kw &&
             std::isspace(static_cast<unsigned char>(line[kw.size()]));
    };
    if (starts("input") || starts("state")) {
      const bool is_input = line[0] == 'i';
      std::string name(trim(line.substr(5)));
      if (!is_name(name)) ps.fail("bad name '" + name + "'");
      if (is_register_name(name))
        ps.fail("'" + name + "' is a register name; name inputs and states otherwise");
      if (in_body) ps.fail("declare inputs and states before the first instruction");
      if (regs.count(name)) ps.fail("'" + name + "' declared twice");
      if (is_input && !sig->states.empty()) ps.fail("declare inputs before states");
      (is_input ? sig->inputs : sig->states).push_back(name);
      regs[name] = 0;  // numbered once all declarations are known
      continue;
    }
    if (!in_body) {  // number the declared registers: inputs first, then states
      Reg r = 0;
      for (const auto& n : sig->inputs) regs[n] = r++;
      for (const auto& n : sig->states) regs[n] = r++;
      in_body = true;
    }
    std::string_view lhs, rhs;
    if (starts("output") || starts("update")) {
      const bool is_output = line[0] == 'o';
      if (!split_assign(line.substr(6), lhs, rhs)) ps.fail("expected '" + std::string(line.substr(0, 6)) + " NAME = REGISTER'");
      if (!is_name(lhs)) ps.fail("bad name '" + std::string(lhs) + "'");
      if (!regs.count(rhs)) ps.fail("unknown register '" + std::string(rhs) + "'");
      (is_output ? outputs : updates).emplace_back(std::string(lhs), std::to_string(regs.find(rhs)->second));
      continue;
    }
    if (!outputs.empty() || !updates.empty()) ps.fail("instruction after outputs");
    if (!split_assign(line, lhs, rhs)) ps.fail("expected 'NAME = op(args)', got '" + std::string(line) + "'");
    if (!is_name(lhs)) ps.fail("bad register name '" + std::string(lhs) + "'");
    for (const auto& n : sig->inputs)
      if (n == lhs) ps.fail("cannot assign to input '" + n + "'");
    for (const auto& n : sig->states)
      if (n == lhs) ps.fail("assign state '" + n + "' with 'update " + n + " = REGISTER'");
    const auto open = rhs.find('(');
    if (open == std::string_view::npos || rhs.back() != ')') ps.fail("expected 'op(args)' after '='");
    const std::string op_name(trim(rhs.substr(0, open)));
    const auto op = op_from_name(op_name);
    if (!op) ps.fail("unknown op '" + op_name + "'");
    Instr ins;
    ins.op = *op;
    std::string_view arglist = rhs.substr(open + 1, rhs.size() - open - 2);
    std::vector<std::string_view> args;
    if (!trim(arglist).empty()) {
      std::size_t start = 0;
      while (true) {
        auto comma = arglist.find(',', start);
        args.push_back(trim(arglist.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start)));
        if (comma == std::string_view::npos) break;
        start = comma + 1;
      }
    }
    if (static_cast<int>(args.size()) != ins.arity())
      ps.fail(op_name + " takes " + std::to_string(ins.arity()) + " arguments, got " + std::to_string(args.size()));
    for (std::size_t k = 0; k < args.size(); ++k) {
      const std::string a(args[k]);
      if (auto it = regs.find(a); it != regs.end()) {
        ins.args[k] = it->second;
        continue;
      }
      if (is_name(a) && a != "inf" && a != "nan") ps.fail("unknown register '" + a + "'");
      errno = 0;
      char* end = nullptr;
      const double v = std::strtod(a.c_str(), &end);
      if (a.empty() || end != a.c_str() + a.size() || errno == ERANGE || !std::isfinite(v))
        ps.fail("bad argument '" + a + "' (a register name or a finite number)");
      if (ins.imm_position() >= 0) ps.fail("at most one constant per instruction");
      ins.args[k] = kImm;
      ins.imm = v;
    }
    if (p.code.size() + sig->inputs.size() + sig->states.size() >= kImm - 1) ps.fail("program too long");
    regs[std::string(lhs)] = static_cast<Reg>(sig->inputs.size() + sig->states.size() + p.code.size());
    p.code.push_back(ins);
  }
  ps.line_no = 0;
  if (sig->inputs.empty() && sig->states.empty()) ps.fail("no 'input' declared");
  if (outputs.empty()) ps.fail("no 'output' given");
  for (const auto& [name, reg] : outputs) {
    for (const auto& seen : sig->outputs)
      if (seen == name) ps.fail("output '" + name + "' given twice");
    sig->outputs.push_back(name);
    p.outputs.push_back(static_cast<Reg>(std::stoi(reg)));
  }
  p.state_next.resize(sig->states.size());
  std::vector<bool> updated(sig->states.size(), false);
  for (std::size_t s = 0; s < sig->states.size(); ++s) p.state_next[s] = static_cast<Reg>(sig->inputs.size() + s);
  for (const auto& [name, reg] : updates) {
    std::size_t s = 0;
    while (s < sig->states.size() && sig->states[s] != name) ++s;
    if (s == sig->states.size()) ps.fail("update of undeclared state '" + name + "'");
    if (updated[s]) ps.fail("state '" + name + "' updated twice");
    updated[s] = true;
    p.state_next[s] = static_cast<Reg>(std::stoi(reg));
  }
  if (expected) {
    if (*expected != *sig) {
      auto list = [](const std::vector<std::string>& v) {
        std::string s;
        for (const auto& n : v) s += (s.empty() ? "" : ",") + n;
        return "(" + s + ")";
      };
      ps.fail("program has inputs " + list(sig->inputs) + " states " + list(sig->states) + " outputs " +
              list(sig->outputs) + "; the domain expects inputs " + list(expected->inputs) + " states " +
              list(expected->states) + " outputs " + list(expected->outputs));
    }
    p.sig = expected;
  } else {
    p.sig = intern_signature(*sig);
  }
  if (auto err = validation_error(p); !err.empty()) ps.fail(err);
  return p;
}

}  // namespace evo
