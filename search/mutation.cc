#include "search/mutation.h"

#include <cmath>

namespace evo {
namespace {

// Inserts `in` so that it defines register first_temp()+pos, shifting later registers.
void insert_at(Program& p, std::size_t pos, Instr in) {
  const Reg at = p.reg_of(pos);
  auto shift = [&](Reg& r) {
    if (r != kImm && r >= at) ++r;
  };
  for (std::size_t i = pos; i < p.code.size(); ++i)
    for (int k = 0; k < p.code[i].arity(); ++k) shift(p.code[i].args[k]);
  for (Reg& r : p.outputs) shift(r);
  for (Reg& r : p.state_next) shift(r);
  p.code.insert(p.code.begin() + static_cast<std::ptrdiff_t>(pos), in);
}

// A random register defined before instruction `pos` (inputs and states included).
Reg random_register_before(const Program& p, std::size_t pos, Rng& rng) {
  return static_cast<Reg>(rng.below(p.first_temp() + static_cast<int>(pos)));
}

// Fills argument k of `in` (placed at `pos`) with a register or, if allowed, the immediate.
void fill_argument(Instr& in, int k, const Program& p, std::size_t pos, const MutationSpace& space, Rng& rng) {
  if (in.imm_position() < 0 && rng.chance(space.immediate_chance)) {
    in.args[k] = kImm;
    in.imm = random_immediate(space, rng);
  } else {
    in.args[k] = random_register_before(p, pos, rng);
  }
}

void clear_unused(Instr& in) {
  for (int k = in.arity(); k < 3; ++k) in.args[k] = 0;
  if (in.imm_position() < 0) in.imm = 0.0;
}

// A program whose every argument is an immediate computes a constant; keep at least one
// register argument so new instructions stay connected to the data.
bool all_immediate(const Instr& in) {
  for (int k = 0; k < in.arity(); ++k)
    if (in.args[k] != kImm) return false;
  return true;
}

// Makes `in` compute nearly `source`: source + d, source * (1 + d), source + d * r for a
// small d. A random op on an edge usually wrecks a good program; a near-identity one
// changes it a little, so a term can grow in (how polynomial degree rises) while
// selection still sees the parent's quality. False when the op has no such form.
bool near_identity(Instr& in, Reg source, const Program& p, std::size_t pos, Rng& rng) {
  const double d = rng.normal() * std::ldexp(1.0, -2 - rng.below(20));
  switch (in.op) {
    case Op::add:
    case Op::sub:
      in.args = {source, kImm, 0};
      in.imm = d;
      return true;
    case Op::mul:
    case Op::div:
      in.args = {source, kImm, 0};
      in.imm = 1.0 + d;
      return true;
    case Op::fma:
      in.args = {random_register_before(p, pos, rng), kImm, source};
      in.imm = d;
      return true;
    default:
      return false;
  }
}

}  // namespace

std::string_view mutation_name(MutationKind k) {
  switch (k) {
    case MutationKind::insert: return "insert";
    case MutationKind::remove: return "remove";
    case MutationKind::change_op: return "change_op";
    case MutationKind::rewire: return "rewire";
    case MutationKind::perturb_constant: return "perturb_constant";
    case MutationKind::none: return "none";
    case MutationKind::simplify: return "simplify";
    case MutationKind::level_switch: return "level_switch";
  }
  return "?";
}

double random_immediate(const MutationSpace& space, Rng& rng) {
  // Small integers and halves are common in good kernels; draw them now and then.
  if (rng.chance(0.2)) {
    static constexpr double kSimple[] = {1.0, 2.0, 0.5, -1.0, 3.0, 0.25};
    return kSimple[rng.below(6)];
  }
  return rng.uniform(space.immediate_min, space.immediate_max);
}

double perturb(double v, Rng& rng) {
  // Relative step of 2^-1 .. 2^-40: coarse moves and the fine tuning of the last digits.
  const double scale = std::ldexp(1.0, -1 - rng.below(40));
  const double step = rng.normal() * scale;
  const double out = v == 0.0 ? step : v * (1.0 + step);
  return std::isfinite(out) ? out : v;
}

bool mutate_insert(Program& p, const MutationSpace& space, Rng& rng) {
  if (static_cast<int>(p.code.size()) >= space.max_instructions || space.ops.empty()) return false;
  // Pick an edge to split: an output, a state update, or an argument (register or
  // immediate). The new instruction goes on that edge, so it is live from the start.
  enum class Where { output, update, argument };
  struct Site {
    Where where;
    std::size_t index;  // output / state slot / consuming instruction
    int arg = 0;
  };
  std::vector<Site> sites;
  for (std::size_t o = 0; o < p.outputs.size(); ++o) sites.push_back({Where::output, o});
  for (std::size_t s = 0; s < p.state_next.size(); ++s) sites.push_back({Where::update, s});
  for (std::size_t i = 0; i < p.code.size(); ++i)
    for (int k = 0; k < p.code[i].arity(); ++k)
      if (p.code[i].op != Op::const_) sites.push_back({Where::argument, i, k});
  if (sites.empty()) return false;
  Site site = sites[rng.below(static_cast<int>(sites.size()))];
  std::size_t pos = site.where == Where::argument ? site.index : p.code.size();

  if (site.where == Where::argument && p.code[pos].args[site.arg] == kImm) {
    // An immediate edge: name the constant first (r = const(c)), so a term can grow out
    // of it (c -> c + d*x is how a polynomial's degree rises in Horner form).
    if (static_cast<int>(p.code.size()) + 2 > space.max_instructions) return false;
    Instr named;
    named.op = Op::const_;
    named.args = {kImm, 0, 0};
    named.imm = p.code[pos].imm;
    insert_at(p, pos, named);
    Instr& consumer = p.code[pos + 1];
    consumer.args[site.arg] = p.reg_of(pos);
    consumer.imm = 0.0;
    ++pos;
    site.index = pos;
  }
  const Reg source = site.where == Where::output   ? p.outputs[site.index]
                     : site.where == Where::update ? p.state_next[site.index]
                                                   : p.code[site.index].args[site.arg];
  Instr in;
  in.op = space.ops[rng.below(static_cast<int>(space.ops.size()))];
  if (!(rng.chance(0.5) && near_identity(in, source, p, pos, rng))) {
    const int through = rng.below(in.arity());  // the argument that carries the old value
    in.args[through] = source;
    for (int k = 0; k < in.arity(); ++k)
      if (k != through) fill_argument(in, k, p, pos, space, rng);
  }
  clear_unused(in);

  insert_at(p, pos, in);
  const Reg fresh = p.reg_of(pos);
  switch (site.where) {
    case Where::output: p.outputs[site.index] = fresh; break;
    case Where::update: p.state_next[site.index] = fresh; break;
    case Where::argument: p.code[pos + 1].args[site.arg] = fresh; break;
  }
  return true;
}

bool mutate_remove(Program& p, Rng& rng) {
  if (p.code.empty()) return false;
  const std::size_t i = rng.below(static_cast<int>(p.code.size()));
  const Instr& in = p.code[i];
  // Its uses read one of its register arguments instead (or some earlier register).
  std::vector<Reg> candidates;
  for (int k = 0; k < in.arity(); ++k)
    if (in.args[k] != kImm) candidates.push_back(in.args[k]);
  const Reg replacement = candidates.empty() ? random_register_before(p, i, rng)
                                             : candidates[rng.below(static_cast<int>(candidates.size()))];
  remove_instruction(p, i, replacement);
  return true;
}

void remove_instruction(Program& p, std::size_t i, Reg replacement) {
  const Reg gone = p.reg_of(i);
  auto fix = [&](Reg& r) {
    if (r == kImm) return;
    if (r == gone) r = replacement;
    else if (r > gone) --r;
  };
  p.code.erase(p.code.begin() + static_cast<std::ptrdiff_t>(i));
  for (std::size_t j = i; j < p.code.size(); ++j)
    for (int k = 0; k < p.code[j].arity(); ++k) fix(p.code[j].args[k]);
  for (Reg& r : p.outputs) fix(r);
  for (Reg& r : p.state_next) fix(r);
  remove_dead_code(p);
}

bool mutate_change_op(Program& p, const MutationSpace& space, Rng& rng) {
  if (p.code.empty()) return false;
  const std::size_t i = rng.below(static_cast<int>(p.code.size()));
  Instr& in = p.code[i];
  std::vector<Op> others;
  for (Op o : space.ops)
    if (o != in.op) others.push_back(o);
  if (others.empty()) return false;
  const Op op = others[rng.below(static_cast<int>(others.size()))];
  const int old_arity = in.arity();
  in.op = op;
  for (int k = old_arity; k < in.arity(); ++k) fill_argument(in, k, p, i, space, rng);
  clear_unused(in);
  if (all_immediate(in)) in.args[0] = random_register_before(p, i, rng), clear_unused(in);
  remove_dead_code(p);
  return true;
}

bool mutate_rewire(Program& p, const MutationSpace& space, Rng& rng) {
  // Either an instruction argument or an output moves to another register.
  if (p.code.empty() || rng.chance(0.1)) {
    if (p.outputs.empty()) return false;
    p.outputs[rng.below(static_cast<int>(p.outputs.size()))] = random_register_before(p, p.code.size(), rng);
    remove_dead_code(p);
    return true;
  }
  const std::size_t i = rng.below(static_cast<int>(p.code.size()));
  Instr& in = p.code[i];
  const int k = rng.below(in.arity());
  if (in.args[k] == kImm) {
    in.args[k] = random_register_before(p, i, rng);
    in.imm = 0.0;
  } else {
    fill_argument(in, k, p, i, space, rng);
  }
  if (all_immediate(in)) in.args[k] = random_register_before(p, i, rng), clear_unused(in);
  clear_unused(in);
  remove_dead_code(p);
  return true;
}

bool mutate_perturb_constant(Program& p, Rng& rng) {
  std::vector<std::size_t> with_imm;
  for (std::size_t i = 0; i < p.code.size(); ++i)
    if (p.code[i].imm_position() >= 0) with_imm.push_back(i);
  if (with_imm.empty()) return false;
  Instr& in = p.code[with_imm[rng.below(static_cast<int>(with_imm.size()))]];
  in.imm = perturb(in.imm, rng);
  return true;
}

namespace {

template <class T>
void fold_as(Program& p) {
  const int base = p.first_temp();
  std::vector<bool> is_const(p.code.size(), false);
  std::vector<double> value(p.code.size(), 0.0);
  bool changed = false;
  for (std::size_t i = 0; i < p.code.size(); ++i) {
    Instr& in = p.code[i];
    T a[3] = {0, 0, 0};
    bool all_const = true;
    for (int k = 0; k < in.arity() && all_const; ++k) {
      const Reg r = in.args[k];
      if (r == kImm) a[k] = static_cast<T>(in.imm);
      else if (r >= base && is_const[r - base]) a[k] = static_cast<T>(value[r - base]);
      else all_const = false;
    }
    if (!all_const) continue;
    const T v = eval_op<T>(in.op, a[0], a[1], a[2]);
    if (!std::isfinite(v)) continue;  // leave it: the evaluation will flag the program
    is_const[i] = true;
    value[i] = static_cast<double>(v);
    if (in.op != Op::const_ || in.imm != value[i]) {
      in = Instr{};
      in.op = Op::const_;
      in.args = {kImm, 0, 0};
      in.imm = value[i];
      changed = true;
    }
  }
  if (changed) remove_dead_code(p);
}

}  // namespace

void fold_constants(Program& p, FoldPrecision precision) {
  switch (precision) {
    case FoldPrecision::none: return;
    case FoldPrecision::float32: fold_as<float>(p); return;
    case FoldPrecision::float64: fold_as<double>(p); return;
  }
}

MutationKind mutate(Program& p, const MutationSpace& space, Rng& rng) {
  // Weights: insert 25 %, remove 15 %, change op 15 %, rewire 15 %, perturb a constant 30 %.
  static constexpr MutationKind kOrder[] = {MutationKind::insert, MutationKind::remove, MutationKind::change_op,
                                            MutationKind::rewire, MutationKind::perturb_constant};
  static constexpr double kCumulative[] = {0.25, 0.40, 0.55, 0.70, 1.0};
  const double u = rng.uniform();
  int first = 0;
  while (u >= kCumulative[first]) ++first;
  for (int attempt = 0; attempt < 5; ++attempt) {
    const MutationKind k = kOrder[(first + attempt) % 5];
    bool ok = false;
    switch (k) {
      case MutationKind::insert: ok = mutate_insert(p, space, rng); break;
      case MutationKind::remove: ok = mutate_remove(p, rng); break;
      case MutationKind::change_op: ok = mutate_change_op(p, space, rng); break;
      case MutationKind::rewire: ok = mutate_rewire(p, space, rng); break;
      case MutationKind::perturb_constant: ok = mutate_perturb_constant(p, rng); break;
      case MutationKind::none:
      case MutationKind::simplify:
      case MutationKind::level_switch: break;
    }
    if (ok) {
      fold_constants(p, space.fold);
      return k;
    }
  }
  return MutationKind::none;
}

}  // namespace evo
