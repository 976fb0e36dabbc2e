// Straight-line register programs in SSA form.
//
// Registers [0, inputs) are the named inputs, [inputs, inputs + states) the state slots
// (read at the start of a step), and instruction i defines register first_temp() + i.
// Every argument refers to an earlier register, or is the instruction's immediate
// (at most one per instruction: `dst = op(a, b, c, imm)`). Outputs and the new values of
// state slots name the registers that hold them at the end.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <boost/serialization/array.hpp>
#include <boost/serialization/split_member.hpp>
#include <boost/serialization/string.hpp>
#include <boost/serialization/vector.hpp>

#include "search/op_table.h"

namespace evo {

using Reg = std::uint16_t;
inline constexpr Reg kImm = 0xFFFF;  // this argument is the instruction's immediate

// Names of a program's inputs, state slots and outputs; shared by all programs of a domain.
// Signatures are interned (intern_signature): one immutable object per distinct signature
// for the life of the process, so a program refers to its own by plain pointer and copying
// a program touches no shared reference count (which limited multi-threaded scaling).
struct Signature {
  std::vector<std::string> inputs;
  std::vector<std::string> states;
  std::vector<std::string> outputs;

  bool operator==(const Signature&) const = default;

  template <class Archive>
  void serialize(Archive& ar, unsigned /*version*/) {
    ar& inputs& states& outputs;
  }
};

const Signature* intern_signature(const Signature& s);

struct Instr {
  Op op = Op::add;
  std::array<Reg, 3> args{0, 0, 0};  // arguments past the op's arity are 0
  double imm = 0.0;                  // 0 unless an argument is kImm

  int arity() const { return op_info(op).arity; }
  int imm_position() const {  // -1 when no argument is the immediate
    for (int k = 0; k < arity(); ++k)
      if (args[k] == kImm) return k;
    return -1;
  }
  bool operator==(const Instr&) const = default;

  template <class Archive>
  void serialize(Archive& ar, unsigned /*version*/) {
    auto code = static_cast<std::uint8_t>(op);
    ar& code& args& imm;
    op = static_cast<Op>(code);
  }
};

struct Program {
  const Signature* sig = nullptr;  // interned
  std::vector<Instr> code;
  std::vector<Reg> outputs;     // register of each output
  std::vector<Reg> state_next;  // register holding each state slot's new value

  int first_temp() const { return static_cast<int>(sig->inputs.size() + sig->states.size()); }
  int num_registers() const { return first_temp() + static_cast<int>(code.size()); }
  Reg reg_of(std::size_t instr_index) const { return static_cast<Reg>(first_temp() + instr_index); }

  // Programs are equal when they have the same signature and the same instructions.
  bool operator==(const Program& o) const {
    return (sig == o.sig || (sig && o.sig && *sig == *o.sig)) && code == o.code &&
           outputs == o.outputs && state_next == o.state_next;
  }

  template <class Archive>
  void save(Archive& ar, unsigned /*version*/) const {
    const Signature s = sig ? *sig : Signature{};
    ar& s& code& outputs& state_next;
  }
  template <class Archive>
  void load(Archive& ar, unsigned /*version*/) {
    Signature s;
    ar& s& code& outputs& state_next;
    sig = intern_signature(s);
  }
  BOOST_SERIALIZATION_SPLIT_MEMBER()
};

// The identity program of a signature: every output reads input 0, every state keeps its value.
Program trivial_program(const Signature* sig);

// A genome of numbers as a program: output i is const(values[i]). constant_outputs()
// reads them back; empty when the program has another shape or `sig`'s output count.
Program constants_program(const Signature* sig, const std::vector<double>& values);
std::vector<double> constant_outputs(const Program& p, const Signature* sig);

// Empty when the program is well formed; otherwise what is wrong with it.
std::string validation_error(const Program& p);

// live[i]: instruction i contributes to an output or a state update.
std::vector<bool> live_instructions(const Program& p);

// Removes instructions that no output or state update depends on.
void remove_dead_code(Program& p);

// depends[i]: instruction i's value depends on an input or state register (not only on
// immediates). Instructions over immediates alone are constants the compiler folds.
std::vector<bool> input_dependent(const Program& p);

// Sum of op cost weights over live, input-dependent instructions (see op_table.h).
double program_cost(const Program& p);
// The same with the domain's own weight for each op (indexed by Op).
double program_cost(const Program& p, const std::array<double, kOpCount>& weights);
// The op table's weights, to adjust and pass to program_cost.
std::array<double, kOpCount> default_op_weights();

// Number of live, input-dependent instructions.
int op_count(const Program& p);

}  // namespace evo
