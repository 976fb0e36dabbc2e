// Errors a user can fix (bad flags, settings, files, ids): the CLI prints the message on
// one line and exits with code 2. Anything else that escapes is a runtime failure (code 1).
#pragma once

#include <stdexcept>
#include <string>

namespace evo {

struct InputError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace evo
