// read_dataset over bytes already in hand (linsgd/dataset.hpp reads them from a path): the
// format recognized by content, then the CSV or .npy reader. The fuzz targets enter here.
#pragma once

#include "io/input_bytes.hpp"
#include "linsgd/dataset.hpp"

namespace linsgd {

Dataset read_dataset(const InputBytes& input, const ReadOptions& options);

}  // namespace linsgd
