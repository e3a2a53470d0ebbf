// quoted_text: escaping and cutting for messages; is_utf8.
#include "io/quoted_text.hpp"

#include <cstdio>

namespace linsgd {
namespace {

// The length of the UTF-8 character that starts at text[i] (2 to 4), or 0 when the bytes from
// there are none (Unicode's table 3-7 of well-formed sequences).
size_t utf8_length(std::string_view text, size_t i) {
  const auto byte = [&](size_t k) {
    return i + k < text.size() ? static_cast<unsigned char>(text[i + k]) : 0u;
  };
  const auto continues = [&](size_t k) { return (byte(k) & 0xC0u) == 0x80u; };
  const unsigned lead = byte(0);
  if (lead >= 0xC2 && lead <= 0xDF) return continues(1) ? 2 : 0;
  if (lead >= 0xE0 && lead <= 0xEF) {
    const unsigned second = byte(1);
    const bool allowed = lead == 0xE0   ? second >= 0xA0  // not overlong
                         : lead == 0xED ? second <= 0x9F  // not a surrogate
                                        : true;
    return allowed && continues(1) && continues(2) ? 3 : 0;
  }
  if (lead >= 0xF0 && lead <= 0xF4) {
    const unsigned second = byte(1);
    const bool allowed = lead == 0xF0   ? second >= 0x90  // not overlong
                         : lead == 0xF4 ? second <= 0x8F  // not past U+10FFFF
                                        : true;
    return allowed && continues(1) && continues(2) && continues(3) ? 4 : 0;
  }
  return 0;
}

}  // namespace

bool is_utf8(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    if (static_cast<unsigned char>(text[i]) < 0x80) {
      ++i;
      continue;
    }
    const size_t length = utf8_length(text, i);
    if (length == 0) return false;
    i += length;
  }
  return true;
}

std::string quoted_text(std::string_view text, size_t limit) {
  std::string quoted = "'";
  for (size_t i = 0; i < text.size() && i < limit; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {  // a UTF-8 character whole within the limit is kept as it is, but
      const size_t length = utf8_length(text, i);
      const std::string_view character = text.substr(i, length);
      // C1's controls (U+0080 to U+009F) and the line and paragraph separators (U+2028, U+2029),
      // which terminals act on and Python's splitlines breaks at, are escaped.
      const bool control =
          length == 2 && c == 0xC2 && static_cast<unsigned char>(text[i + 1]) < 0xA0;
      const bool separator = character == "\xE2\x80\xA8" || character == "\xE2\x80\xA9";
      if (length > 0 && i + length <= limit && !control && !separator) {
        quoted.append(text.substr(i, length));
        i += length - 1;
        continue;
      }
    }
    if (c == '\n') {
      quoted += "\\n";
    } else if (c == '\r') {
      quoted += "\\r";
    } else if (c == '\t') {
      quoted += "\\t";
    } else if (c < 0x20 || c >= 0x7f) {
      char escaped[8];
      std::snprintf(escaped, sizeof(escaped), "\\x%02x", c);
      quoted += escaped;
    } else {
      quoted += static_cast<char>(c);
    }
  }
  quoted += "'";
  if (text.size() > limit) quoted += "... (" + std::to_string(text.size()) + " bytes)";
  return quoted;
}

}  // namespace linsgd
