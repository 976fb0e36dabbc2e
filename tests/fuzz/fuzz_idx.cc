// read_idx on arbitrary bytes (plain or gzip): a consistent array or InputError.
#include <cstdlib>

#include "evaluators/optimizer/idx.h"
#include "search/errors.h"
#include "tests/fuzz/scratch_file.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static evo::fuzz::ScratchFile file;
  try {
    const auto a = evo::optimizer::read_idx(file.hold(data, size));
    std::uint64_t count = 1;
    for (int d : a.shape) count *= static_cast<std::uint64_t>(d);
    if (a.shape.empty() || a.shape.size() > 4 || a.data.size() != count) std::abort();
  } catch (const evo::InputError&) {
  }
  return 0;
}
