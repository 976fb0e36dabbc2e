#include "search/program.h"

#include <list>
#include <mutex>
#include <string>

namespace evo {

const Signature* intern_signature(const Signature& s) {
  static std::mutex mu;
  static std::list<Signature> interned;  // never freed: programs point into it
  std::lock_guard lock(mu);
  for (const Signature& known : interned)
    if (known == s) return &known;
  interned.push_back(s);
  return &interned.back();
}

Program trivial_program(const Signature* sig) {
  Program p;
  p.outputs.assign(sig->outputs.size(), 0);
  p.state_next.resize(sig->states.size());
  for (std::size_t s = 0; s < sig->states.size(); ++s)
    p.state_next[s] = static_cast<Reg>(sig->inputs.size() + s);
  p.sig = sig;
  return p;
}

std::string validation_error(const Program& p) {
  if (!p.sig) return "program has no signature";
  if (p.sig->inputs.empty() && p.sig->states.empty()) return "signature has no inputs";
  if (p.outputs.size() != p.sig->outputs.size())
    return "program has " + std::to_string(p.outputs.size()) + " outputs, signature " +
           std::to_string(p.sig->outputs.size());
  if (p.state_next.size() != p.sig->states.size()) return "state update count differs from signature";
  if (p.num_registers() >= kImm) return "program too long";
  for (std::size_t i = 0; i < p.code.size(); ++i) {
    const Instr& in = p.code[i];
    if (static_cast<int>(in.op) >= kOpCount) return "instruction " + std::to_string(i) + ": bad op";
    const int defined = p.first_temp() + static_cast<int>(i);
    int imms = 0;
    for (int k = 0; k < 3; ++k) {
      const Reg a = in.args[k];
      if (k >= in.arity()) {
        if (a != 0) return "instruction " + std::to_string(i) + ": unused argument not zero";
        continue;
      }
      if (a == kImm) {
        ++imms;
      } else if (a >= defined) {
        return "instruction " + std::to_string(i) + ": reads register " + std::to_string(a) +
               " before it is defined";
      }
    }
    if (imms > 1) return "instruction " + std::to_string(i) + ": more than one immediate";
    if (imms == 0 && in.imm != 0.0) return "instruction " + std::to_string(i) + ": stray immediate";
    if (!std::isfinite(in.imm)) return "instruction " + std::to_string(i) + ": non-finite immediate";
  }
  for (Reg r : p.outputs)
    if (r >= p.num_registers()) return "output reads an undefined register";
  for (Reg r : p.state_next)
    if (r >= p.num_registers()) return "state update reads an undefined register";
  return {};
}

std::vector<bool> live_instructions(const Program& p) {
  const int base = p.first_temp();
  std::vector<bool> live(p.code.size(), false);
  auto mark = [&](Reg r) {
    if (r != kImm && r >= base) live[r - base] = true;
  };
  for (Reg r : p.outputs) mark(r);
  for (Reg r : p.state_next) mark(r);
  for (std::size_t i = p.code.size(); i-- > 0;) {
    if (!live[i]) continue;
    const Instr& in = p.code[i];
    for (int k = 0; k < in.arity(); ++k) mark(in.args[k]);
  }
  return live;
}

void remove_dead_code(Program& p) {
  const std::vector<bool> live = live_instructions(p);
  const int base = p.first_temp();
  std::vector<Reg> renamed(p.num_registers());
  for (int r = 0; r < base; ++r) renamed[r] = static_cast<Reg>(r);
  std::vector<Instr> kept;
  kept.reserve(p.code.size());
  for (std::size_t i = 0; i < p.code.size(); ++i) {
    if (!live[i]) continue;
    Instr in = p.code[i];
    for (int k = 0; k < in.arity(); ++k)
      if (in.args[k] != kImm) in.args[k] = renamed[in.args[k]];
    renamed[base + i] = static_cast<Reg>(base + kept.size());
    kept.push_back(in);
  }
  for (Reg& r : p.outputs) r = renamed[r];
  for (Reg& r : p.state_next) r = renamed[r];
  p.code = std::move(kept);
}

std::vector<bool> input_dependent(const Program& p) {
  const int base = p.first_temp();
  std::vector<bool> dep(p.code.size(), false);
  for (std::size_t i = 0; i < p.code.size(); ++i) {
    const Instr& in = p.code[i];
    for (int k = 0; k < in.arity(); ++k) {
      const Reg a = in.args[k];
      if (a == kImm) continue;
      if (a < base || dep[a - base]) dep[i] = true;
    }
  }
  return dep;
}

std::array<double, kOpCount> default_op_weights() {
  std::array<double, kOpCount> w{};
  for (const auto& info : kOpTable) w[static_cast<std::size_t>(info.op)] = info.cost;
  return w;
}

double program_cost(const Program& p, const std::array<double, kOpCount>& weights) {
  const auto live = live_instructions(p);
  const auto dep = input_dependent(p);
  double cost = 0;
  for (std::size_t i = 0; i < p.code.size(); ++i)
    if (live[i] && dep[i]) cost += weights[static_cast<std::size_t>(p.code[i].op)];
  return cost;
}

double program_cost(const Program& p) {
  static const auto weights = default_op_weights();
  return program_cost(p, weights);
}

int op_count(const Program& p) {
  const auto live = live_instructions(p);
  const auto dep = input_dependent(p);
  int n = 0;
  for (std::size_t i = 0; i < p.code.size(); ++i) n += live[i] && dep[i];
  return n;
}

}  // namespace evo

namespace evo {

Program constants_program(const Signature* sig, const std::vector<double>& values) {
  Program p;
  p.sig = sig;
  for (std::size_t i = 0; i < values.size(); ++i) {
    Instr in;
    in.op = Op::const_;
    in.args = {kImm, 0, 0};
    in.imm = values[i];
    p.code.push_back(in);
    p.outputs.push_back(p.reg_of(i));
  }
  return p;
}

std::vector<double> constant_outputs(const Program& p, const Signature* sig) {
  if (!p.sig || !sig || p.sig->outputs.size() != sig->outputs.size() || p.outputs.size() != sig->outputs.size()) return {};
  std::vector<double> v;
  for (Reg r : p.outputs) {
    if (r < p.first_temp() || r >= p.num_registers()) return {};
    const Instr& in = p.code[static_cast<std::size_t>(r - p.first_temp())];
    if (in.op != Op::const_ || in.args[0] != kImm) return {};
    v.push_back(in.imm);
  }
  return v;
}

}  // namespace evo
