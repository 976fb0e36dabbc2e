// Writes an output file (a report, a model, an export) whole.
//
// A regular file, or a path where nothing is yet, is written beside its place and renamed
// over it: a reader never sees half a file, and a write that fails leaves the old one. A
// symbolic link is followed and its target written the same way, so the link stays a link.
// A device, a FIFO or a socket (/dev/null, /dev/stdout, a named pipe) is written into, never
// replaced by a file.
#pragma once

#include <string>
#include <string_view>

namespace evo {

// InputError when the file cannot be opened or put in place (no such directory, no
// permission); std::runtime_error when writing its bytes fails (a full disk).
void write_output_file(const std::string& path, std::string_view bytes);

}  // namespace evo
