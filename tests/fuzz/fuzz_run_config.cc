// Run configuration files: any bytes either are refused with an InputError or give a
// configuration that prints (to_toml) to a file reading back to the same configuration.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "search/errors.h"
#include "tools/run_config.h"

namespace {

evo::cli::RunConfig sorted(evo::cli::RunConfig c) {
  std::sort(c.options.begin(), c.options.end());
  return c;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  evo::cli::RunConfig config;
  try {
    config = evo::cli::parse_run_config(text, "fuzz.toml");
  } catch (const evo::InputError&) {
    return 0;
  }
  const std::string printed = evo::cli::to_toml(config);
  evo::cli::RunConfig again;
  try {
    again = evo::cli::parse_run_config(printed, "printed.toml");
  } catch (const evo::InputError& e) {
    std::fprintf(stderr, "printed:\n%s\ndoes not read back: %s\n", printed.c_str(), e.what());
    std::abort();  // what evo prints must read back
  }
  const auto a = sorted(config), b = sorted(again);
  if (a.options != b.options || a.settings != b.settings) {
    std::fprintf(stderr, "printed:\n%s\nreads back as:\n%s\n", printed.c_str(), evo::cli::to_toml(again).c_str());
    std::abort();
  }
  return 0;
}
