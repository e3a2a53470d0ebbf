// Which column of a table is the target (--target NAME|INDEX), shared by the CSV and .npy
// readers, and the split of a parsed row into features and target.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "linsgd/dataset.hpp"

namespace linsgd {

// The target's column index, or nullopt when the table has no target column (prediction input
// with exactly options.features_if_no_target columns). `names` is empty for a file without a
// header. Throws InputError for a name not in the header, an index out of range, or a table
// that would be left with no feature column.
std::optional<int64_t> resolve_target_column(int64_t columns, const std::vector<std::string>& names,
                                             const ReadOptions& options, const std::string& source);

// Fills dataset.feature_names and target_name from the header names (or x0, x1, ...).
void name_columns(Dataset& dataset, int64_t columns, const std::vector<std::string>& names,
                  std::optional<int64_t> target);

}  // namespace linsgd
