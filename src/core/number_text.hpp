// Numbers in messages and text files: number_text, std::to_string's text but a NaN as "NaN"
// (std::to_string writes "-nan" or "nan", by its sign bit); float_text, the nine significant
// digits that tell one float from every other ("3.29999995e+38", not to_string's 39 digits).
#pragma once

#include <cmath>
#include <cstdio>
#include <string>

namespace linsgd {

inline std::string number_text(double value) {
  return std::isnan(value) ? "NaN" : std::to_string(value);
}

inline std::string float_text(double value) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.9g", value);
  return text;
}

}  // namespace linsgd
