// Text from a file or an option shown in a one-line message: quoted, control characters and
// bytes that are not UTF-8 escaped (a newline would break the line; Python reads the line as
// UTF-8), and a long one cut (an error should not echo a 100 KB cell). And the UTF-8 check.
#pragma once

#include <string>
#include <string_view>

namespace linsgd {

// 'text', its control characters (C0's, DEL, C1's, U+2028 and U+2029) as \n, \r, \t or \xHH
// a byte, and each byte of no UTF-8 character as \xHH, cut after `limit` bytes with "... (N
// bytes)" saying how long it was.
std::string quoted_text(std::string_view text, size_t limit = 60);

// Whether `text` is UTF-8: every byte part of a well-formed character (no overlong form, no
// surrogate, nothing past U+10FFFF), as JSON and Python's strings require.
bool is_utf8(std::string_view text);

}  // namespace linsgd
