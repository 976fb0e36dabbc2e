// read_npy on arbitrary bytes: a consistent array or InputError, nothing else.
#include <cstdlib>

#include "evaluators/compression/npy.h"
#include "search/errors.h"
#include "tests/fuzz/scratch_file.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static evo::fuzz::ScratchFile file;
  try {
    const auto a = evo::compression::read_npy(file.hold(data, size));
    std::uint64_t count = 1;
    for (auto d : a.shape) count *= static_cast<std::uint64_t>(d);
    if (a.data.size() != count) std::abort();
  } catch (const evo::InputError&) {
  }
  return 0;
}
