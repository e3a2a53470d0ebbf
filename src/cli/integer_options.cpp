// integral_value: the text as a long double (64 bits of mantissa: exact for every 64-bit
// integer, in any spelling), checked integral and in range, rewritten in plain digits.
#include "cli/integer_options.hpp"

#include <cmath>
#include <cstdlib>
#include <string>

namespace linsgd::cli {
namespace {

// Plain digits for `text`, or a problem (then `digits` is left empty).
std::string plain_digits(const std::string& text, int64_t lowest, uint64_t highest,
                         std::string& problem) {
  char* end = nullptr;
  const long double value = std::strtold(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size() || !std::isfinite(value)) {
    problem = "invalid value " + text + " (must be an integer)";
    return "";
  }
  if (std::floor(value) != value) {
    problem = "invalid value " + text + " (must be an integer, not a fraction)";
    return "";
  }
  if (value < static_cast<long double>(lowest)) {
    problem = "invalid value " + text + " (must be at least " + std::to_string(lowest) + ")";
    return "";
  }
  if (value > static_cast<long double>(highest)) {
    problem = "invalid value " + text + " (must be at most " + std::to_string(highest) + ")";
    return "";
  }
  return value < 0 ? std::to_string(static_cast<int64_t>(value))
                   : std::to_string(static_cast<uint64_t>(value));
}

}  // namespace

CLI::Validator integral_value(int64_t lowest, uint64_t highest) {
  return CLI::Validator(
      [lowest, highest](std::string& text) {
        std::string problem;
        const std::string digits = plain_digits(text, lowest, highest, problem);
        if (problem.empty()) text = digits;
        return problem;
      },
      "INTEGER");
}

}  // namespace linsgd::cli
