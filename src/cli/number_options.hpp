// Number options, written in decimal as data cells are (no hex, no "inf" or "nan"):
// - integers (--rows, --steps, --seed, ...): an integral value is accepted however it is written
//   (1000000, 1e6, 1.0e+06) and handed to CLI11 in plain digits; a fraction, or a value beyond
//   the option's type, is refused naming the value, never wrapped or clamped;
// - reals (--sigma, --alpha, --tol, ...): a finite double.
#pragma once

#include <CLI/CLI.hpp>

#include <cstdint>
#include <limits>
#include <string>

namespace linsgd::cli {

// True when `text` is a decimal number: [+-] digits [. digits] [e [+-] digits], with digits on
// at least one side of the point.
bool is_decimal_number(const std::string& text);

// A CLI11 transform for an integer option whose values lie in [lowest, highest].
CLI::Validator integral_value(int64_t lowest, uint64_t highest);

// The transform for an option of integer type T.
template <class T>
CLI::Validator integral_value() {
  return integral_value(static_cast<int64_t>(std::numeric_limits<T>::lowest()),
                        static_cast<uint64_t>(std::numeric_limits<T>::max()));
}

// A CLI11 check for a real option: a decimal number within double's range.
CLI::Validator decimal_value();

}  // namespace linsgd::cli
