// Numbers in messages and text files: number_text, std::to_string's text but a NaN as "NaN"
// (std::to_string writes "-nan" or "nan", by its sign bit); float_text, the nine significant
// digits that tell one float from every other ("3.29999995e+38", not to_string's 39 digits);
// shortest_text, the fewest digits that read back as the same double (a value as given: "0.97",
// "0.999999999999").
#pragma once

#include <charconv>
#include <cmath>
#include <cstdio>
#include <string>

namespace linsgd {

inline std::string number_text(double value) {
  return std::isnan(value) ? "NaN" : std::to_string(value);
}

inline std::string shortest_text(double value) {
  char text[32];
  const auto end = std::to_chars(text, text + sizeof(text), value).ptr;  // 24 characters at most
  return std::string(text, end);
}

inline std::string float_text(double value) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.9g", value);
  return text;
}

}  // namespace linsgd
