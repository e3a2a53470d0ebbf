// Which column of a table is what: the target, a feature (and which one, in which order), or
// ignored; shared by the CSV and .npy readers. From --target, the header's names, and for data
// read for a trained model, the features it expects (ReadOptions::feature_names).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "linsgd/dataset.hpp"

namespace linsgd {

inline constexpr int64_t kTargetColumn = -1;
inline constexpr int64_t kIgnoredColumn = -2;
inline constexpr int64_t kWeightColumn = -3;

struct ColumnPlan {
  // Per column of the file: its feature index (>= 0), kTargetColumn, kWeightColumn or
  // kIgnoredColumn.
  std::vector<int64_t> destination;
  int64_t features = 0;
  bool has_target = false;
  bool has_weights = false;
  std::vector<std::string> feature_names;  // in feature order; "x0", "x1", ... without a header
  std::string target_name;                 // "y" without a header
  std::vector<std::string> ignored;        // names of the ignored columns
  std::optional<int64_t> target_column;    // by position, not last: Dataset::target_column
  std::optional<int64_t> weight_column;    // its index (named or not): Dataset::weight_column
};

// `header` holds the column names, or is empty for a file without one. Throws InputError naming
// `source` for duplicate names, a --target or --sample-weight column that names no column or is
// out of range (or both naming one), a model's feature missing from a header, or a table left
// without a feature. A --sample-weight that names an existing file is not a column here.
// True when --sample-weight names an existing file (then a 1-D .npy of weights), not a column.
bool weights_from_file(const ReadOptions& options);
// True when --sample-weight names a column of the data (given, and not a file).
bool weights_from_column(const ReadOptions& options);

// True for x0, x1, ..., x{d-1}: the names given to the columns of data without a header.
bool are_default_feature_names(const std::vector<std::string>& names);

ColumnPlan plan_columns(int64_t columns, const std::vector<std::string>& header,
                        const ReadOptions& options, const std::string& source);

}  // namespace linsgd
