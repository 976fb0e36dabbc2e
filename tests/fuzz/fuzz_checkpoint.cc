// decode_state on a checkpoint whose header and checksum are right but whose payload is
// arbitrary (random bytes rarely get past the checksum, which is checked first): it must
// return a state or throw InputError, and never allocate without bound.
#include <xxhash.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include "search/errors.h"
#include "store/checkpoint.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string header = evo::encode_state(evo::EngineState{}).substr(0, 8);  // the magic
  const std::uint64_t sum = XXH3_64bits(data, size);
  std::string bytes = header;
  bytes.append(reinterpret_cast<const char*>(&sum), sizeof sum);
  bytes.append(reinterpret_cast<const char*>(data), size);
  try {
    const evo::EngineState s = evo::decode_state(bytes);
    if (evo::decode_state(evo::encode_state(s)).population != s.population) std::abort();
  } catch (const evo::InputError&) {
  }
  return 0;
}
