// CSV reader (RFC 4180: quoted fields, "" escapes, CRLF or LF line ends), numbers parsed with
// fast_float. The header is detected (a first row that is not all numbers) or declared.
#pragma once

#include <string>

#include "linsgd/dataset.hpp"

namespace linsgd {

Dataset read_csv(const std::string& path, const ReadOptions& options);

}  // namespace linsgd
