// is_decimal_number; integral_value: the text as a long double (64 bits of mantissa: exact for
// every 64-bit integer, in any spelling), checked integral and in range, rewritten in plain
// digits; decimal_value.
#include "cli/number_options.hpp"

#include <cmath>
#include <cstdlib>
#include <string>

namespace linsgd::cli {

bool is_decimal_number(const std::string& text) {
  size_t at = 0;
  const auto digits = [&] {
    const size_t first = at;
    while (at < text.size() && text[at] >= '0' && text[at] <= '9') ++at;
    return at - first;
  };
  if (at < text.size() && (text[at] == '+' || text[at] == '-')) ++at;
  size_t mantissa = digits();
  if (at < text.size() && text[at] == '.') {
    ++at;
    mantissa += digits();
  }
  if (mantissa == 0) return false;
  if (at < text.size() && (text[at] == 'e' || text[at] == 'E')) {
    ++at;
    if (at < text.size() && (text[at] == '+' || text[at] == '-')) ++at;
    if (digits() == 0) return false;
  }
  return at == text.size();
}

namespace {

// Plain digits for `text`, or a problem (then `digits` is left empty).
std::string plain_digits(const std::string& text, int64_t lowest, uint64_t highest,
                         std::string& problem) {
  const long double value =
      is_decimal_number(text) ? std::strtold(text.c_str(), nullptr) : HUGE_VALL;
  if (!std::isfinite(value)) {
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

CLI::Validator decimal_value() {
  return CLI::Validator(
      [](const std::string& text) -> std::string {
        if (!is_decimal_number(text))
          return "invalid value " + text + " (must be a decimal number)";
        if (!std::isfinite(std::strtod(text.c_str(), nullptr))) {
          return "invalid value " + text + " (beyond double's range)";
        }
        return "";
      },
      "NUMBER");
}

}  // namespace linsgd::cli
