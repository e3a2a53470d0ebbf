// Text from a file or an option shown in a one-line message: quoted, control characters escaped
// (a newline would break the line), and a long one cut (an error should not echo a 100 KB cell).
#pragma once

#include <string>
#include <string_view>

namespace linsgd {

// 'text', its control characters as \n, \r, \t or \xHH, cut after `limit` characters with
// "... (N characters)" saying how long it was.
std::string quoted_text(std::string_view text, size_t limit = 60);

}  // namespace linsgd
