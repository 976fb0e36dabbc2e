// Block-batched interpreter: the elements are processed in blocks of kBlock, the op is
// looked up once per instruction per block, and each op's inner loop is a plain loop over
// the block that the compiler vectorises.
//
// T = float or double computes exactly what the same program compiled natively computes
// (each op rounds to T, fma only where the op is fma; the build turns off contraction).
// T = long double evaluates in extended precision.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "search/program.h"

namespace evo {

template <class T>
class Interpreter {
 public:
  static constexpr int kBlock = 256;

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
  std::vector<T> scratch_;
  std::vector<const T*> ptr_;
};

extern template class Interpreter<float>;
extern template class Interpreter<double>;
extern template class Interpreter<long double>;

}  // namespace evo
