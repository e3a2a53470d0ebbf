// CLI11's parse errors in linsgd's words: an option given twice, an option without its value, an
// unknown option or a stray argument each said plainly; any other parse error as CLI11 says it.
// And the refusal of an empty value, which CLI11 accepts.
#pragma once

#include <CLI/CLI.hpp>

#include <string>

namespace linsgd::cli {

// Throws UsageError for an option of the parsed subcommand given an empty value (--data "",
// --model-out ""): no option of linsgd takes one, and each would otherwise mean its default.
void refuse_empty_values(const CLI::App& app);

// The one-line message for CLI11's `what()` of a parse error.
std::string parse_error_message(const std::string& what);

}  // namespace linsgd::cli
