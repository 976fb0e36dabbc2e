#include "search/interpreter.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>

namespace evo {
namespace {

// Where an argument comes from: the previous instruction's result still in registers
// (kAcc), a column in memory (kCol), or the instruction's immediate (kImmSrc). Arguments
// past the op's arity are kImmSrc (value 0) so each op has one kind per real combination.
enum Source : int { kAcc = 0, kCol = 1, kImmSrc = 2 };

constexpr int kind_of(Op op, int s0, int s1, int s2) { return static_cast<int>(op) * 27 + s0 * 9 + s1 * 3 + s2; }

// A lane is one hardware vector (a GCC vector type for float and double, so the compiler
// keeps it in a register; a plain array for long double, which has no vector registers).
// A tile is four lanes held in four separate variables, so that they, too, stay in
// registers while the interpreter dispatches from one instruction to the next.
template <class T>
struct LaneOf {
  static constexpr int width = 2;
  using type = std::array<T, width>;
};
template <>
struct LaneOf<float> {
  static constexpr int width = kVectorBytes / sizeof(float);
  typedef float type __attribute__((vector_size(kVectorBytes)));
};
template <>
struct LaneOf<double> {
  static constexpr int width = kVectorBytes / sizeof(double);
  typedef double type __attribute__((vector_size(kVectorBytes)));
};

template <class T>
using Lane = typename LaneOf<T>::type;
constexpr int kLanes = 4;

// Element j of a lane whose first element is element `off` of the tile.
template <int S, class T, class Lane>
inline T arg(const Lane& acc, const T* col, T imm, int off, int j) {
  if constexpr (S == kAcc) return acc[j];
  else if constexpr (S == kCol) return col[off + j];
  else return imm;
}

template <Op op, int S0, int S1, int S2, class T>
[[gnu::always_inline]] inline void lane(Lane<T>& x, const T* a, const T* b, const T* c, T imm, int off) {
  using F = OpFn<op>;
  Lane<T> r{};  // every element is set below; initialised so no compiler sees a read of garbage
  for (int j = 0; j < LaneOf<T>::width; ++j)
    r[j] = F::template eval<T>(arg<S0>(x, a, imm, off, j), arg<S1>(x, b, imm, off, j), arg<S2>(x, c, imm, off, j));
  x = r;
}

// One instruction over one tile of four lanes: x = op(args). Every loop has a compile-time
// length and the lanes are separate locals of the caller, so the compiler keeps them in
// vector registers from one instruction to the next.
template <Op op, int S0, int S1, int S2, class T>
[[gnu::always_inline]] inline void step(Lane<T>& x0, Lane<T>& x1, Lane<T>& x2, Lane<T>& x3,
                                        const std::array<Reg, 3>& args, T imm, const T* const* reg) {
  constexpr int arity = op_info(op).arity;
  if constexpr ((arity < 3 && S2 != kImmSrc) || (arity < 2 && S1 != kImmSrc)) {
    __builtin_unreachable();  // the planner never builds these kinds
  } else {
    constexpr int w = LaneOf<T>::width;
    const T* a = S0 == kCol ? reg[args[0]] : nullptr;
    const T* b = S1 == kCol ? reg[args[1]] : nullptr;
    const T* c = S2 == kCol ? reg[args[2]] : nullptr;
    lane<op, S0, S1, S2>(x0, a, b, c, imm, 0);
    lane<op, S0, S1, S2>(x1, a, b, c, imm, w);
    lane<op, S0, S1, S2>(x2, a, b, c, imm, 2 * w);
    lane<op, S0, S1, S2>(x3, a, b, c, imm, 3 * w);
  }
}

}  // namespace

template <class T>
void Interpreter<T>::plan(const Program& p, std::size_t noutputs) {
  const int base = p.first_temp();
  const std::size_t ncode = p.code.size();
  steps_.resize(ncode);
  for (std::size_t i = 0; i < ncode; ++i) {
    const Instr& in = p.code[i];
    int src[3] = {kImmSrc, kImmSrc, kImmSrc};
    for (int k = 0; k < in.arity(); ++k) {
      const Reg r = in.args[k];
      if (r == kImm) continue;
      // The previous instruction's result is still in registers.
      src[k] = i > 0 && r == base + static_cast<int>(i) - 1 ? kAcc : kCol;
      // Anything read later than by the next instruction must be written to its column.
      if (r >= base && r - base + 1 != static_cast<int>(i)) steps_[r - base].store = true;
    }
    Step& s = steps_[i];
    s.kind = static_cast<std::uint16_t>(kind_of(in.op, src[0], src[1], src[2]));
    s.args = in.args;
    s.imm = in.imm_position() >= 0 ? static_cast<T>(in.imm) : T(0);
    s.store = false;
    s.output = -1;
  }
  for (std::size_t o = std::min(noutputs, p.outputs.size()); o-- > 0;) {
    const Reg r = p.outputs[o];
    if (r >= base) steps_[r - base].output = static_cast<int>(o);
  }
  for (Reg r : p.outputs)
    if (r >= base) steps_[r - base].store = true;
  for (Reg r : p.state_next)
    if (r >= base) steps_[r - base].store = true;
}

template <class T>
void Interpreter<T>::run(const Program& p, std::span<const T* const> inputs, std::span<const T* const> states,
                         std::span<T* const> outputs, std::span<T* const> next_states, std::size_t n) {
  constexpr int V = kTile;
  const int base = p.first_temp();
  const int nregs = p.num_registers();
  const std::size_t nstate = p.state_next.size();
  const std::size_t nin = inputs.size() + states.size();
  plan(p, outputs.size());
  // One tile-long column per stored temporary, per staged state update, and per input
  // (used for the last, partial tile, whose inputs are copied and padded).
  const std::size_t ncols = p.code.size() + nstate + nin;
  scratch_.resize(ncols * V + kTile);
  T* cols = scratch_.data();
  while (reinterpret_cast<std::uintptr_t>(cols) % 64 != 0 && cols < scratch_.data() + kTile) ++cols;
  T* staged = cols + p.code.size() * V;
  T* padded = staged + nstate * V;
  ptr_.resize(nregs);
  for (int r = base; r < nregs; ++r) ptr_[r] = cols + static_cast<std::size_t>(r - base) * V;

  // Writing outputs early is safe only if no output array is also an input or a state.
  bool direct = true;
  for (T* out : outputs)
    for (std::size_t i = 0; i < nin; ++i) direct = direct && out != (i < inputs.size() ? inputs[i] : states[i - inputs.size()]);

  Lane<T> x0{}, x1{}, x2{}, x3{};
  static_assert(LaneOf<T>::width * kLanes == V);
  for (std::size_t start = 0; start < n; start += V) {
    const std::size_t len = std::min<std::size_t>(V, n - start);
    for (std::size_t i = 0; i < nin; ++i) {
      const T* src = i < inputs.size() ? inputs[i] : states[i - inputs.size()];
      if (len == V) {
        ptr_[i] = src + start;
      } else {
        std::fill(padded + i * V, padded + (i + 1) * V, T(0));
        std::memcpy(padded + i * V, src + start, len * sizeof(T));
        ptr_[i] = padded + i * V;
      }
    }
    const T* const* reg = ptr_.data();
    for (std::size_t i = 0; i < steps_.size(); ++i) {
      const Step& s = steps_[i];
      switch (s.kind) {
#define EVO_KIND(op, s0, s1, s2) \
  case kind_of(op, s0, s1, s2): step<op, s0, s1, s2, T>(x0, x1, x2, x3, s.args, s.imm, reg); break;
#define EVO_KIND3(op, s0, s1) EVO_KIND(op, s0, s1, kAcc) EVO_KIND(op, s0, s1, kCol) EVO_KIND(op, s0, s1, kImmSrc)
#define EVO_KIND9(op, s0) EVO_KIND3(op, s0, kAcc) EVO_KIND3(op, s0, kCol) EVO_KIND3(op, s0, kImmSrc)
#define EVO_KIND_OP(id, name, arity, cost, comm, expr, cpp) \
  EVO_KIND9(Op::id, kAcc) EVO_KIND9(Op::id, kCol) EVO_KIND9(Op::id, kImmSrc)
        EVO_OPS(EVO_KIND_OP)
#undef EVO_KIND_OP
#undef EVO_KIND9
#undef EVO_KIND3
#undef EVO_KIND
        default: __builtin_unreachable();
      }
      if (s.store) {
        T* d = cols + i * V;
        if (s.output >= 0 && direct) {  // full tiles write an output straight to the caller
          if (len == V) d = outputs[s.output] + start;
          ptr_[base + i] = d;
        }
        std::memcpy(d, &x0, sizeof x0);
        std::memcpy(d + LaneOf<T>::width, &x1, sizeof x1);
        std::memcpy(d + 2 * LaneOf<T>::width, &x2, sizeof x2);
        std::memcpy(d + 3 * LaneOf<T>::width, &x3, sizeof x3);
      }
    }
    // Full tiles copy a compile-time length, which the compiler turns into vector moves.
    auto copy = [&](T* to, const T* from) {
      if (len == V) std::memcpy(to, from, sizeof(T) * V);
      else std::memcpy(to, from, sizeof(T) * len);
    };
    for (std::size_t o = 0; o < outputs.size(); ++o)
      if (ptr_[p.outputs[o]] != outputs[o] + start) copy(outputs[o] + start, ptr_[p.outputs[o]]);
    for (std::size_t s = 0; s < nstate; ++s) copy(staged + s * V, ptr_[p.state_next[s]]);
    for (std::size_t s = 0; s < nstate; ++s) copy(next_states[s] + start, staged + s * V);
  }
}

template class Interpreter<float>;
template class Interpreter<double>;
template class Interpreter<long double>;

}  // namespace evo
