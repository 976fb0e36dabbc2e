// read_safetensors on arbitrary bytes: it returns a consistent TensorFile or throws
// InputError. Anything else escaping (or a sanitizer report) is a finding.
#include <cstdlib>

#include "evaluators/compression/safetensors.h"
#include "search/errors.h"
#include "tests/fuzz/scratch_file.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static evo::fuzz::ScratchFile file;
  try {
    const auto read = evo::compression::read_safetensors(file.hold(data, size));
    for (const auto& [name, t] : read.tensors)
      if (static_cast<std::int64_t>(t.data.size()) != t.size()) std::abort();
  } catch (const evo::InputError&) {
  }
  return 0;
}
