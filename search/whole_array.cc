#include "search/whole_array.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "search/op_table.h"

namespace evo {

bool is_reduction(Op op) { return op == Op::rms || op == Op::mean; }

bool has_reduction(const Program& p) {
  return std::any_of(p.code.begin(), p.code.end(), [](const Instr& in) { return is_reduction(in.op); });
}

void run_whole_arrays(const Program& p, std::span<const double* const> inputs, std::span<const double* const> states,
                      std::span<double* const> outputs, std::span<double* const> next, std::size_t n) {
  const std::size_t nin = inputs.size(), nstate = states.size();
  std::vector<std::vector<double>> temps(p.code.size(), std::vector<double>(n));
  auto column = [&](Reg r) -> const double* {
    if (r < nin) return inputs[r];
    if (r < nin + nstate) return states[r - nin];
    return temps[r - p.first_temp()].data();
  };
  for (std::size_t k = 0; k < p.code.size(); ++k) {
    const Instr& in = p.code[k];
    double* out = temps[k].data();
    // An immediate argument is one value for every element.
    std::vector<double> imm;
    const double* arg[3] = {nullptr, nullptr, nullptr};
    for (int a = 0; a < in.arity(); ++a) {
      if (in.args[a] != kImm) {
        arg[a] = column(in.args[a]);
        continue;
      }
      imm.assign(n, in.imm);
      arg[a] = imm.data();
    }
    if (is_reduction(in.op)) {
      double sum = 0;
      for (std::size_t i = 0; i < n; ++i) sum += in.op == Op::rms ? arg[0][i] * arg[0][i] : arg[0][i];
      const double mean = n ? sum / static_cast<double>(n) : 0.0;
      std::fill(out, out + n, in.op == Op::rms ? std::sqrt(mean) : mean);
      continue;
    }
    visit_op(in.op, [&](auto tag) {
      using F = OpFn<decltype(tag)::value>;
      for (std::size_t i = 0; i < n; ++i)
        out[i] = F::eval(arg[0][i], F::arity > 1 ? arg[1][i] : 0.0, F::arity > 2 ? arg[2][i] : 0.0);
    });
  }
  // Results first into buffers: a next-state array may be a state that another result reads.
  std::vector<std::vector<double>> results;
  for (Reg r : p.outputs) results.emplace_back(column(r), column(r) + n);
  for (Reg r : p.state_next) results.emplace_back(column(r), column(r) + n);
  for (std::size_t o = 0; o < p.outputs.size(); ++o) std::copy(results[o].begin(), results[o].end(), outputs[o]);
  for (std::size_t s = 0; s < p.state_next.size(); ++s)
    std::copy(results[p.outputs.size() + s].begin(), results[p.outputs.size() + s].end(), next[s]);
}

}  // namespace evo
