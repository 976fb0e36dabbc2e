#include "hashing/canonical.h"

#include <algorithm>
#include <bit>
#include <cstring>

#include <xxhash.h>

namespace evo {
namespace {

std::uint64_t mix(std::uint64_t h, std::uint64_t v) {
  h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
  return h * 0xff51afd7ed558ccdULL;
}

}  // namespace

Program canonicalize(const Program& p) {
  const int base = p.first_temp();
  const int nregs = p.num_registers();
  // Content hash of every register; argument order of commutative ops normalised.
  std::vector<std::uint64_t> h(nregs);
  for (int r = 0; r < base; ++r) h[r] = mix(0x1234567ULL, static_cast<std::uint64_t>(r));
  std::vector<Instr> code = p.code;
  for (std::size_t i = 0; i < code.size(); ++i) {
    Instr& in = code[i];
    auto arg_hash = [&](Reg a) { return a == kImm ? mix(0xabcdefULL, std::bit_cast<std::uint64_t>(in.imm)) : h[a]; };
    if (op_info(in.op).commutative && arg_hash(in.args[1]) < arg_hash(in.args[0])) std::swap(in.args[0], in.args[1]);
    std::uint64_t v = mix(0x51ed27ULL, static_cast<std::uint64_t>(in.op));
    for (int k = 0; k < in.arity(); ++k) v = mix(v, arg_hash(in.args[k]));
    h[base + i] = v;
  }

  // Depth-first post-order from the outputs and state updates.
  Program out;
  out.sig = p.sig;
  out.code.reserve(code.size());
  std::vector<Reg> renamed(nregs, kImm);
  for (int r = 0; r < base; ++r) renamed[r] = static_cast<Reg>(r);
  std::vector<std::pair<Reg, int>> stack;  // (register, next argument to visit)
  auto emit = [&](Reg root) {
    if (renamed[root] != kImm) return;
    stack.emplace_back(root, 0);
    while (!stack.empty()) {
      auto& [r, k] = stack.back();
      const Instr& in = code[r - base];
      if (k < in.arity()) {
        const Reg a = in.args[k++];
        if (a != kImm && renamed[a] == kImm) stack.emplace_back(a, 0);
        continue;
      }
      Instr copy = in;
      for (int j = 0; j < copy.arity(); ++j)
        if (copy.args[j] != kImm) copy.args[j] = renamed[copy.args[j]];
      renamed[r] = static_cast<Reg>(base + out.code.size());
      out.code.push_back(copy);
      stack.pop_back();
    }
  };
  for (Reg r : p.outputs) emit(r);
  for (Reg r : p.state_next) emit(r);
  for (Reg r : p.outputs) out.outputs.push_back(renamed[r]);
  for (Reg r : p.state_next) out.state_next.push_back(renamed[r]);
  return out;
}

std::uint64_t structural_hash(const Program& c) {
  XXH3_state_t* st = XXH3_createState();
  XXH3_64bits_reset(st);
  const std::uint32_t shape[3] = {static_cast<std::uint32_t>(c.sig->inputs.size()),
                                  static_cast<std::uint32_t>(c.sig->states.size()),
                                  static_cast<std::uint32_t>(c.sig->outputs.size())};
  XXH3_64bits_update(st, shape, sizeof shape);
  for (const Instr& in : c.code) {
    unsigned char buf[1 + 6 + 8];
    buf[0] = static_cast<unsigned char>(in.op);
    std::memcpy(buf + 1, in.args.data(), 6);
    const std::uint64_t bits = in.imm_position() >= 0 ? std::bit_cast<std::uint64_t>(in.imm) : 0;
    std::memcpy(buf + 7, &bits, 8);
    XXH3_64bits_update(st, buf, sizeof buf);
  }
  XXH3_64bits_update(st, c.outputs.data(), c.outputs.size() * sizeof(Reg));
  XXH3_64bits_update(st, c.state_next.data(), c.state_next.size() * sizeof(Reg));
  const std::uint64_t v = XXH3_64bits_digest(st);
  XXH3_freeState(st);
  return v;
}

}  // namespace evo
