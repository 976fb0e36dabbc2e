// Block-batched interpreter: the elements are processed in tiles of kTile, the op is
// looked up once per instruction per tile, and each op's inner loop is a fixed-length loop
// over the tile that the compiler vectorises. A result whose only reader is the next
// instruction stays in vector registers; every other result is written to a tile-long
// column, so all the working data sits in L1.
//
// T = float or double computes exactly what the same program compiled natively computes
// (each op rounds to T, fma only where the op is fma; the build turns off contraction).
// T = long double evaluates in extended precision.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "search/program.h"

namespace evo {

// Bytes in one vector register of the target the build compiles for.
inline constexpr int kVectorBytes =
#if defined(__AVX512F__)
    64;
#elif defined(__AVX__)
    32;
#else
    16;
#endif

template <class T>
class Interpreter {
 public:
  // A tile is four hardware vectors (four pairs for long double, which has none).
  static constexpr int kTile = sizeof(T) <= 8 ? 4 * kVectorBytes / static_cast<int>(sizeof(T)) : 8;

  // Runs `p` on n elements. inputs[i] and states[s] point to n values each; outputs[o] and
  // next_states[s] receive n values (next_states[s] may be states[s]). Not thread-safe:
  // use one interpreter per thread (it owns its scratch registers).
  void run(const Program& p, std::span<const T* const> inputs, std::span<const T* const> states,
           std::span<T* const> outputs, std::span<T* const> next_states, std::size_t n);

  // Convenience for one input and one output.
  void run(const Program& p, const T* x, T* y, std::size_t n) {
    const T* in[1] = {x};
    T* out[1] = {y};
    run(p, in, {}, out, {}, n);
  }

 private:
  // One instruction as the interpreter runs it (built per program by plan()).
  struct Step {
    std::uint16_t kind;       // op and where each argument comes from
    bool store;               // the result is read after the next instruction, or is an output
    int output;               // the first of the caller's outputs it is, or -1
    std::array<Reg, 3> args;  // argument registers
    T imm;
  };

  void plan(const Program& p, std::size_t noutputs);

  std::vector<Step> steps_;
  std::vector<T> scratch_;
  std::vector<const T*> ptr_;
};

extern template class Interpreter<float>;
extern template class Interpreter<double>;
extern template class Interpreter<long double>;

}  // namespace evo
