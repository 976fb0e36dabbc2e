// parse_program on arbitrary text: a valid program or InputError. A program that parses
// must print (to_text) as text that parses back to the same program, since that text is
// what the store keeps and what resume and export read.
#include <cstdlib>
#include <string_view>

#include "search/errors.h"
#include "search/program.h"
#include "search/program_text.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  evo::Program p;
  try {
    p = evo::parse_program(text);
  } catch (const evo::InputError&) {
    return 0;
  }
  if (!evo::validation_error(p).empty()) std::abort();
  const std::string printed = evo::to_text(p);
  const evo::Program again = evo::parse_program(printed, p.sig);  // must not throw
  if (!(again == p) || evo::to_text(again) != printed) std::abort();
  return 0;
}
