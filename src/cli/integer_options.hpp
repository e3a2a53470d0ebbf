// Integer options (--rows, --steps, --seed, ...): an integral value is accepted however it is
// written (1000000, 1e6, 1.0e+06) and handed to CLI11 in plain digits; a fraction, or a value
// beyond the option's type, is refused naming the value, never wrapped or clamped.
#pragma once

#include <CLI/CLI.hpp>

#include <cstdint>
#include <limits>

namespace linsgd::cli {

// A CLI11 transform for an integer option whose values lie in [lowest, highest].
CLI::Validator integral_value(int64_t lowest, uint64_t highest);

// The transform for an option of integer type T.
template <class T>
CLI::Validator integral_value() {
  return integral_value(static_cast<int64_t>(std::numeric_limits<T>::lowest()),
                        static_cast<uint64_t>(std::numeric_limits<T>::max()));
}

}  // namespace linsgd::cli
