// Writes a file atomically: the content goes to a temporary file in the same directory, which
// is flushed and then renamed over the destination, so readers see the old file or the whole
// new one, never a half-written one.
#pragma once

#include <string>

namespace linsgd {

// Throws Error naming the path when the directory is not writable or the write fails.
void write_file_atomically(const std::string& path, const std::string& content);

}  // namespace linsgd
