#include "search/interpreter.h"

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace evo {
namespace {

template <class T>
struct Col {
  const T* __restrict p;
  T operator[](int i) const { return p[i]; }
};
template <class T>
struct Imm {
  T v;
  T operator[](int) const { return v; }
};

template <class F, class T, class A, class B, class C>
inline void kernel(T* __restrict d, A a, B b, C c, int n) {
  for (int i = 0; i < n; ++i) d[i] = F::template eval<T>(a[i], b[i], c[i]);
}

// Runs one instruction over a block, choosing the kernel for where its immediate is.
template <class F, class T>
inline void exec(const Instr& in, const T* const* reg, T* d, int n) {
  const T imm = static_cast<T>(in.imm);
  const Imm<T> zero{T(0)};
  auto col = [&](int k) { return Col<T>{reg[in.args[k]]}; };
  if constexpr (F::arity == 1) {
    if (in.imm_position() == 0)
      kernel<F>(d, Imm<T>{imm}, zero, zero, n);
    else
      kernel<F>(d, col(0), zero, zero, n);
  } else if constexpr (F::arity == 2) {
    switch (in.imm_position()) {
      case 0: kernel<F>(d, Imm<T>{imm}, col(1), zero, n); break;
      case 1: kernel<F>(d, col(0), Imm<T>{imm}, zero, n); break;
      default: kernel<F>(d, col(0), col(1), zero, n); break;
    }
  } else {
    switch (in.imm_position()) {
      case 0: kernel<F>(d, Imm<T>{imm}, col(1), col(2), n); break;
      case 1: kernel<F>(d, col(0), Imm<T>{imm}, col(2), n); break;
      case 2: kernel<F>(d, col(0), col(1), Imm<T>{imm}, n); break;
      default: kernel<F>(d, col(0), col(1), col(2), n); break;
    }
  }
}

}  // namespace

template <class T>
void Interpreter<T>::run(const Program& p, std::span<const T* const> inputs, std::span<const T* const> states,
                         std::span<T* const> outputs, std::span<T* const> next_states, std::size_t n) {
  const int base = p.first_temp();
  const int nregs = p.num_registers();
  const std::size_t nstate = p.state_next.size();
  // Temporaries, then one column per state update (so updates that swap slots stay correct).
  // Columns start on 64-byte boundaries (kBlock * sizeof(T) is a multiple of 64), so
  // full-width vector loads and stores never straddle a cache line.
  constexpr std::size_t kAlign = 64 / sizeof(T) > 0 ? 64 / sizeof(T) : 1;
  scratch_.resize((p.code.size() + nstate) * kBlock + kAlign);
  ptr_.resize(nregs);
  T* temps = scratch_.data();
  while (reinterpret_cast<std::uintptr_t>(temps) % 64 != 0 && temps < scratch_.data() + kAlign) ++temps;
  T* staged = temps + p.code.size() * kBlock;

  for (std::size_t start = 0; start < n; start += kBlock) {
    const int len = static_cast<int>(std::min<std::size_t>(kBlock, n - start));
    for (std::size_t i = 0; i < inputs.size(); ++i) ptr_[i] = inputs[i] + start;
    for (std::size_t s = 0; s < states.size(); ++s) ptr_[inputs.size() + s] = states[s] + start;
    for (int r = base; r < nregs; ++r) ptr_[r] = temps + static_cast<std::size_t>(r - base) * kBlock;

    for (std::size_t i = 0; i < p.code.size(); ++i) {
      const Instr& in = p.code[i];
      T* d = temps + i * kBlock;
      visit_op(in.op, [&](auto tag) { exec<OpFn<decltype(tag)::value>, T>(in, ptr_.data(), d, len); });
    }

    for (std::size_t o = 0; o < outputs.size(); ++o)
      std::memcpy(outputs[o] + start, ptr_[p.outputs[o]], len * sizeof(T));
    for (std::size_t s = 0; s < nstate; ++s) std::memcpy(staged + s * kBlock, ptr_[p.state_next[s]], len * sizeof(T));
    for (std::size_t s = 0; s < nstate; ++s) std::memcpy(next_states[s] + start, staged + s * kBlock, len * sizeof(T));
  }
}

template class Interpreter<float>;
template class Interpreter<double>;
template class Interpreter<long double>;

}  // namespace evo
