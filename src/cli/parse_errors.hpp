// CLI11's parse errors in linsgd's words: an option given twice, an option without its value, an
// unknown option or a stray argument each said plainly; any other parse error as CLI11 says it.
#pragma once

#include <string>

namespace linsgd::cli {

// The one-line message for CLI11's `what()` of a parse error.
std::string parse_error_message(const std::string& what);

}  // namespace linsgd::cli
