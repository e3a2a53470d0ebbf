// CSV reader (RFC 4180: quoted fields, "" escapes, CRLF or LF line ends, an optional UTF-8
// byte-order mark), numbers parsed with fast_float. The header is declared, or detected: a
// first row none of whose cells is a number.
#pragma once

#include <string>

#include "io/input_bytes.hpp"
#include "linsgd/dataset.hpp"

namespace linsgd {

Dataset read_csv(const InputBytes& input, const ReadOptions& options);

}  // namespace linsgd
