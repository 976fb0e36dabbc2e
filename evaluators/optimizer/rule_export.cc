#include "evaluators/optimizer/rule_export.h"

#include <cstdio>

#include "evaluators/native/codegen.h"
#include "evaluators/optimizer/optimizer.h"
#include "evaluators/optimizer/rules.h"
#include "search/op_table.h"
#include "search/whole_array.h"

namespace evo::optimizer {
namespace {

std::string header(const RenderContext& ctx, const std::string& comment) {
  std::string out = comment + " Update rule found by evo";
  if (ctx.candidate) out += " (run " + std::to_string(ctx.run) + ", candidate " + std::to_string(ctx.candidate) + ")";
  out += ".\n";
  for (const auto& [name, value] : ctx.objectives) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.6g", value);
    out += comment + " " + name + ": " + buf + "\n";
  }
  return out;
}

// The same op in PyTorch, over tensors ({0}, {1}, {2}: the arguments); the semantics of
// op_table.h, guards and NaN handling included, except that fma rounds twice (PyTorch has
// no fused multiply-add).
std::string torch_pattern(Op op) {
  switch (op) {
    case Op::add: return "{0} + {1}";
    case Op::sub: return "{0} - {1}";
    case Op::mul: return "{0} * {1}";
    case Op::div: return "{0} / {1}";
    case Op::fma: return "{0} * {1} + {2}";
    case Op::neg: return "-{0}";
    case Op::abs: return "torch.abs({0})";
    case Op::sqrt: return "torch.sqrt({0})";
    case Op::square: return "{0} * {0}";
    case Op::mul2: return "{0} * 2";
    case Op::half: return "{0} * 0.5";
    case Op::min: return "torch.where({1} < {0}, {1}, {0})";
    case Op::max: return "torch.where({0} < {1}, {1}, {0})";
    case Op::sign: return "torch.sign(torch.nan_to_num({0}))";  // sign(NaN) = 0
    case Op::const_: return "{0}";
    case Op::exp: return "torch.exp(torch.clamp({0}, max=64.0))";
    case Op::log: return "torch.log(torch.clamp(torch.abs({0}), min=1e-30))";
    case Op::pdiv: return "torch.where({1} == 0, torch.zeros_like({1}), {0} / {1})";
    case Op::clip:  // a when b is NaN, as the op table
      return "torch.where({0} > torch.abs({1}), torch.abs({1}), torch.where({0} < -torch.abs({1}), -torch.abs({1}), {0}))";
    case Op::interp: return "{0} + {2} * ({1} - {0})";
    case Op::rms: return "torch.sqrt(torch.mean({0} * {0}))";
    case Op::mean: return "torch.mean({0})";
  }
  return "";
}

std::string python_operand(const Program& p, const Instr& in, int k) {
  if (in.args[k] != kImm) return register_name(p, in.args[k]);
  char buf[40];
  std::snprintf(buf, sizeof buf, "k(%.17g)", in.imm);
  return buf;
}

// A rule with reductions needs every element of a value before the next instruction, so
// it is written one loop per instruction over arrays rather than one loop over elements.
std::string cpp_array_body(const Program& p) {
  const int nin = static_cast<int>(p.sig->inputs.size());
  auto name = [&](Reg r) -> std::string {
    if (r == kLr || r == kT || r == kWd) return register_name(p, r);  // scalars
    if (r < nin + static_cast<int>(p.sig->states.size())) return register_name(p, r) + "_[i]";
    return register_name(p, r) + "[i]";
  };
  std::string out = "  // rms and mean reduce over all n parameters: one loop per instruction.\n";
  for (std::size_t k = 0; k < p.code.size(); ++k) {
    const Instr& in = p.code[k];
    const std::string r = register_name(p, p.reg_of(k));
    out += "  std::vector<float> " + r + "(n);\n";
    if (!is_reduction(in.op)) {
      out += "  for (std::size_t i = 0; i < n; ++i) " + name(p.reg_of(k)) + " = " +
             emit_expression(in, "float", SourceLang::cpp, name) + ";\n";
      continue;
    }
    const std::string a = in.args[0] == kImm ? source_literal(in.imm, "float") : name(in.args[0]);
    out += "  {\n    double sum = 0;\n    for (std::size_t i = 0; i < n; ++i) sum += ";
    out += in.op == Op::rms ? "static_cast<double>(" + a + ") * " + a : "static_cast<double>(" + a + ")";
    out += ";\n    const double mean = n ? sum / static_cast<double>(n) : 0.0;\n";
    out += "    std::fill(" + r + ".begin(), " + r + ".end(), static_cast<float>(" +
           (in.op == Op::rms ? "std::sqrt(mean)" : "mean") + "));\n  }\n";
  }
  out += "  for (std::size_t i = 0; i < n; ++i) {\n";
  out += "    const float u = " + name(p.outputs[0]) + ", m = " + name(p.state_next[0]) + ", v = " +
         name(p.state_next[1]) + ";\n";
  out += "    w_[i] -= u;\n    m_[i] = m;\n    v_[i] = v;\n  }\n";
  return out;
}

}  // namespace

std::string cpp_update_function(const Program& p) {
  std::string out = "inline void evo_update(std::size_t n, const float* g_, float* w_, float* m_, float* v_, float lr, "
                    "float t,\n                       float wd) {\n";
  out += "  (void)lr, (void)t, (void)wd;\n";
  if (has_reduction(p)) return out + cpp_array_body(p) + "}\n";
  out += "  for (std::size_t i = 0; i < n; ++i) {\n";
  out += "    const float g = g_[i], w = w_[i], m = m_[i], v = v_[i];\n";
  out += "    (void)g, (void)w, (void)m, (void)v;\n";
  out += emit_statements(p, "float", SourceLang::cpp, "    ");
  out += "    w_[i] = w - " + register_name(p, p.outputs[0]) + ";\n";
  out += "    m_[i] = " + register_name(p, p.state_next[0]) + ";\n";
  out += "    v_[i] = " + register_name(p, p.state_next[1]) + ";\n";
  out += "  }\n}\n";
  return out;
}

std::string render_cpp(const Program& rule, const RenderContext& ctx) {
  std::string out = header(ctx, "//");
  out += "// Each step t = 1, 2, ...: w <- w - u(g, w, lr, t, wd, m, v); m and v start at 0.\n";
  out += "#pragma once\n#include <cmath>\n#include <cstddef>\n";
  Program p = rule;
  drop_dead_states(p);  // a slot nothing reads keeps its value: no code computes it
  if (has_reduction(p)) out += "#include <algorithm>\n#include <vector>\n";
  return out + "\n" + cpp_update_function(p);
}

std::string render_pytorch(const Program& rule, const RenderContext& ctx) {
  Program p = rule;
  drop_dead_states(p);
  const int nin = static_cast<int>(p.sig->inputs.size());
  // A slot is kept when the rule reads it or gives it a new value.
  std::vector<bool> used(p.state_next.size(), false);
  for (std::size_t s = 0; s < used.size(); ++s) {
    const Reg own = static_cast<Reg>(nin + s);
    used[s] = p.state_next[s] != own || p.outputs[0] == own;
    for (const auto& in : p.code)
      for (int k = 0; k < in.arity(); ++k) used[s] = used[s] || in.args[k] == own;
    for (std::size_t other = 0; other < used.size(); ++other) used[s] = used[s] || (other != s && p.state_next[other] == own);
  }
  const std::string i8(8, ' '), i16(16, ' ');
  std::string out = header(ctx, "#");
  out += "# Each step t = 1, 2, ...: p <- p - u(g, w, lr, t, wd, m, v), with g the gradient, w the\n"
         "# parameter, wd the weight decay; the state tensors start at 0.\n"
         "import torch\n\n\n"
         "class EvoOptimizer(torch.optim.Optimizer):\n"
         "    def __init__(self, params, lr=1e-3, weight_decay=0.0):\n"
         "        if not lr > 0:\n"
         "            raise ValueError(f\"invalid learning rate: {lr}\")\n"
         "        super().__init__(params, dict(lr=lr, weight_decay=weight_decay))\n\n"
         "    @torch.no_grad()\n"
         "    def step(self, closure=None):\n"
         "        loss = None\n"
         "        if closure is not None:\n"
         "            with torch.enable_grad():\n"
         "                loss = closure()\n"
         "        for group in self.param_groups:\n"
         "            for p in group[\"params\"]:\n"
         "                if p.grad is None:\n"
         "                    continue\n"
         "                state = self.state[p]\n"
         "                if not state:\n"
         "                    state[\"step\"] = 0\n";
  for (std::size_t s = 0; s < used.size(); ++s)
    if (used[s]) out += i16 + "    state[\"" + p.sig->states[s] + "\"] = torch.zeros_like(p)\n";
  out += i16 + "state[\"step\"] += 1\n\n" + i16 + "def k(x):\n" + i16 +
         "    return torch.tensor(x, dtype=p.dtype, device=p.device)\n\n";
  out += i16 + "g, w = p.grad, p\n";
  out += i16 + "lr, t, wd = k(group[\"lr\"]), k(state[\"step\"]), k(group[\"weight_decay\"])\n";
  for (std::size_t s = 0; s < used.size(); ++s)
    if (used[s]) out += i16 + p.sig->states[s] + " = state[\"" + p.sig->states[s] + "\"]\n";
  for (std::size_t i = 0; i < p.code.size(); ++i) {
    const Instr& in = p.code[i];
    std::string expr, pattern = torch_pattern(in.op);
    for (std::size_t c = 0; c < pattern.size(); ++c) {
      if (pattern[c] == '{' && c + 2 < pattern.size() && pattern[c + 2] == '}') {
        expr += python_operand(p, in, pattern[c + 1] - '0');  // a name or a call: no parentheses needed
        c += 2;
      } else {
        expr += pattern[c];
      }
    }
    out += i16 + register_name(p, p.reg_of(i)) + " = " + expr + "\n";
  }
  // New state first: p changes in place below, and g may be reused by autograd, so a slot
  // that takes an input's value takes a copy of it.
  for (std::size_t s = 0; s < used.size(); ++s) {
    if (!used[s]) continue;
    const Reg next = p.state_next[s];
    out += i16 + "state[\"" + p.sig->states[s] + "\"] = " + register_name(p, next) +
           (next < static_cast<Reg>(nin) ? ".clone()" : "") + "\n";
  }
  out += i16 + "p.sub_(" + register_name(p, p.outputs[0]) + ")\n";
  out += i8 + "return loss\n";
  return out;
}

}  // namespace evo::optimizer
