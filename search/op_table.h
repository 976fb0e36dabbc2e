// The op table: one row per op. The interpreter, the hashes, the code generator,
// mutation and validation all read this one list, so adding an op is one line here.
#pragma once

#include <array>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string_view>

namespace evo {

// X(identifier, name, arity, cost, commutative, scalar expression over a, b, c of type T, emitted C++)
// Emitted C++ uses {0} {1} {2} for the arguments and {T} for the value type; it is also
// valid C once std::fma/std::sqrt/std::fabs are renamed (see evaluators/native/codegen). `commutative` means the first two
// arguments may be swapped without changing the result bit for bit.
// Cost weights: one per IEEE operation, fma counted as two (a multiply and an add), the
// exact scalings mul2/half as one, like every other op the hardware issues. `const`
// names an immediate (r = const(c)) so it can feed several ops or grow into a term; it
// costs nothing (the compiler hoists constants).
// The ops after const are for update rules (optimizer domain), guarded so that a rule's
// arithmetic stays finite where the plain op would not: exp saturates at e^64, log takes
// |a| floored at 1e-30, pdiv (protected division) is 0 where the divisor is 0, clip(a, b)
// clamps a to [-|b|, |b|], interp(a, b, t) = a + t·(b − a). A NaN argument gives NaN in
// the arithmetic ops; sign(NaN) is 0, and min, max and clip return a when b is NaN.
// rms and mean are reductions over a whole tensor (an update rule's parameter tensor):
// rms(a) = sqrt(mean(a²)), the size-independent 2-norm, and mean(a); the result is
// broadcast. Evaluated one element at a time (the scalar column here, the block
// interpreter) they see a tensor of one element: rms(a) = |a|, mean(a) = a, which is also
// their value on a constant tensor, so constant folding stays right. search/whole_array.h
// evaluates them over whole arrays.
// New ops go at the end: op numbers are part of stored structural hashes.
#define EVO_OPS(X)                                                                   \
  X(add, "add", 2, 1.0, true, a + b, "({0} + {1})")                                         \
  X(sub, "sub", 2, 1.0, false, a - b, "({0} - {1})")                                        \
  X(mul, "mul", 2, 1.0, true, a * b, "({0} * {1})")                                         \
  X(div, "div", 2, 1.0, false, a / b, "({0} / {1})")                                        \
  X(fma, "fma", 3, 2.0, true, fused_multiply_add(a, b, c), "std::fma({0}, {1}, {2})")                 \
  X(neg, "neg", 1, 1.0, false, -a, "(-{0})")                                                \
  X(abs, "abs", 1, 1.0, false, std::fabs(a), "std::fabs({0})")                              \
  X(sqrt, "sqrt", 1, 1.0, false, std::sqrt(a), "std::sqrt({0})")                             \
  X(square, "square", 1, 1.0, false, a * a, "({0} * {0})")                                     \
  X(mul2, "mul2", 1, 1.0, false, a * T(2), "({0} * (({T})2))")                                      \
  X(half, "half", 1, 1.0, false, a * T(0.5), "({0} * (({T})0.5))")                                  \
  X(min, "min", 2, 1.0, false, b < a ? b : a, "({1} < {0} ? {1} : {0})")                     \
  X(max, "max", 2, 1.0, false, a < b ? b : a, "({0} < {1} ? {1} : {0})")                     \
  X(sign, "sign", 1, 1.0, false, T((a > T(0)) - (a < T(0))), "(({T})(({0} > 0) - ({0} < 0)))") \
  X(const_, "const", 1, 0.0, false, a, "{0}")                                                       \
  X(exp, "exp", 1, 1.0, false, std::exp(a > T(64) ? T(64) : a), "std::exp({0} > ({T})64 ? ({T})64 : {0})") \
  X(log, "log", 1, 1.0, false, std::log(std::fabs(a) < T(1e-30) ? T(1e-30) : std::fabs(a)),                \
    "std::log(std::fabs({0}) < ({T})1e-30 ? ({T})1e-30 : std::fabs({0}))")                              \
  X(pdiv, "pdiv", 2, 1.0, false, b == T(0) ? T(0) : a / b, "({1} == 0 ? ({T})0 : {0} / {1})")             \
  X(clip, "clip", 2, 1.0, false, a > std::fabs(b) ? std::fabs(b) : (a < -std::fabs(b) ? -std::fabs(b) : a), \
    "({0} > std::fabs({1}) ? std::fabs({1}) : ({0} < -std::fabs({1}) ? -std::fabs({1}) : {0}))")         \
  X(interp, "interp", 3, 2.0, false, a + c * (b - a), "({0} + {2} * ({1} - {0}))")                    \
  X(rms, "rms", 1, 1.0, false, std::fabs(a), "std::fabs({0})")                                          \
  X(mean, "mean", 1, 1.0, false, a, "{0}")

// fma rounds once in float and double, exactly as the hardware instruction. long double
// (x87) has no fused multiply-add and glibc's fmal is a slow software routine, so there a
// multiply and an add are used: two roundings at 2^-64, far below any error that the
// extended-precision evaluation exists to measure.
template <class T>
inline T fused_multiply_add(T a, T b, T c) {
  if constexpr (sizeof(T) > sizeof(double)) return a * b + c;
  else return std::fma(a, b, c);
}

enum class Op : std::uint8_t {
#define EVO_OP_ENUM(id, name, arity, cost, comm, expr, cpp) id,
  EVO_OPS(EVO_OP_ENUM)
#undef EVO_OP_ENUM
};

struct OpInfo {
  Op op;
  std::string_view name;
  int arity;
  double cost;
  bool commutative;
  std::string_view cpp;
};

inline constexpr std::array kOpTable = {
#define EVO_OP_ROW(id, name, arity, cost, comm, expr, cpp) OpInfo{Op::id, name, arity, cost, comm, cpp},
    EVO_OPS(EVO_OP_ROW)
#undef EVO_OP_ROW
};

inline constexpr int kOpCount = static_cast<int>(kOpTable.size());

constexpr const OpInfo& op_info(Op op) { return kOpTable[static_cast<std::size_t>(op)]; }

std::optional<Op> op_from_name(std::string_view name);

// Scalar semantics of each op as a functor, so the interpreter's batched kernels and the
// scalar reference evaluation share one definition: OpFn<Op::add>::eval(a, b, c).
template <Op>
struct OpFn;
#define EVO_OP_FN(id, name, arity_, cost, comm, expr, cpp)                        \
  template <>                                                                \
  struct OpFn<Op::id> {                                                      \
    static constexpr int arity = arity_;                                     \
    template <class T>                                                       \
    static T eval([[maybe_unused]] T a, [[maybe_unused]] T b, [[maybe_unused]] T c) { \
      return expr;                                                           \
    }                                                                        \
  };
EVO_OPS(EVO_OP_FN)
#undef EVO_OP_FN

// Calls f(std::integral_constant<Op, op>) so callers can instantiate per-op code
// without writing the switch themselves.
template <class F>
decltype(auto) visit_op(Op op, F&& f) {
  switch (op) {
#define EVO_OP_CASE(id, name, arity, cost, comm, expr, cpp) \
  case Op::id:                                              \
    return f(std::integral_constant<Op, Op::id>{});
    EVO_OPS(EVO_OP_CASE)
#undef EVO_OP_CASE
  }
  __builtin_unreachable();
}

// Scalar evaluation of one op (slow path: reference checks, constant folding, tests).
template <class T>
T eval_op(Op op, T a, T b, T c) {
  return visit_op(op, [&](auto tag) { return OpFn<decltype(tag)::value>::eval(a, b, c); });
}

}  // namespace evo
