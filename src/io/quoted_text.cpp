// quoted_text: escaping and cutting for messages.
#include "io/quoted_text.hpp"

#include <cstdio>

namespace linsgd {

std::string quoted_text(std::string_view text, size_t limit) {
  std::string quoted = "'";
  for (size_t i = 0; i < text.size() && i < limit; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '\n') {
      quoted += "\\n";
    } else if (c == '\r') {
      quoted += "\\r";
    } else if (c == '\t') {
      quoted += "\\t";
    } else if (c < 0x20 || c == 0x7f) {
      char escaped[8];
      std::snprintf(escaped, sizeof(escaped), "\\x%02x", c);
      quoted += escaped;
    } else {
      quoted += static_cast<char>(c);
    }
  }
  quoted += "'";
  if (text.size() > limit) quoted += "... (" + std::to_string(text.size()) + " characters)";
  return quoted;
}

}  // namespace linsgd
