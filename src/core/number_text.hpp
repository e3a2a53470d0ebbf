// A number in a message: std::to_string's text, but a NaN as "NaN" (std::to_string writes "-nan"
// or "nan", by its sign bit).
#pragma once

#include <cmath>
#include <string>

namespace linsgd {

inline std::string number_text(double value) {
  return std::isnan(value) ? "NaN" : std::to_string(value);
}

}  // namespace linsgd
