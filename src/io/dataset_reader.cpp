// read_dataset: picks the reader by file name, splits .npy arrays into features and target
// (from a column, or from a --labels file), and refuses non-finite values.
#include <cmath>

#include "io/csv_reader.hpp"
#include "io/npy_reader.hpp"
#include "io/target_column.hpp"
#include "linsgd/dataset.hpp"
#include "linsgd/errors.hpp"

namespace linsgd {
namespace {

std::string shape_text(const std::vector<int64_t>& shape) {
  std::string text = "(";
  for (size_t i = 0; i < shape.size(); ++i) {
    text += std::to_string(shape[i]) + (shape.size() == 1 || i + 1 < shape.size() ? "," : "");
  }
  return text + ")";
}

void require_finite(const std::vector<float>& values, int64_t columns, const std::string& path) {
  for (size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i])) {
      throw InputError(path + ": row " + std::to_string(i / columns) + ", column " +
                       std::to_string(i % columns) + ": non-finite value (NaN, Inf or beyond " +
                       "float range)");
    }
  }
}

Dataset read_npy_dataset(const std::string& path, const ReadOptions& options) {
  NpyArray array = read_npy(path);
  if (array.shape.size() != 2) {
    throw InputError(path + ": expected a 2-D array (rows x columns), found shape " +
                     shape_text(array.shape));
  }
  const int64_t rows = array.shape[0];
  const int64_t columns = array.shape[1];
  if (rows == 0 || columns == 0) throw InputError(path + ": the array is empty");
  require_finite(array.values, columns, path);

  Dataset dataset;
  dataset.source = path;
  dataset.rows = rows;
  if (!options.labels.empty()) {
    if (!options.target.empty()) {
      throw UsageError("--target and --labels cannot be used together");
    }
    NpyArray labels = read_npy(options.labels);
    const bool column_vector = labels.shape.size() == 2 && labels.shape[1] == 1;
    if (labels.shape.size() != 1 && !column_vector) {
      throw InputError(options.labels + ": expected a 1-D array of targets, found shape " +
                       shape_text(labels.shape));
    }
    if (labels.shape[0] != rows) {
      throw InputError(options.labels + ": " + std::to_string(labels.shape[0]) + " targets, but " +
                       path + " has " + std::to_string(rows) + " rows");
    }
    require_finite(labels.values, 1, options.labels);
    dataset.features = columns;
    dataset.X = std::move(array.values);
    dataset.y = std::move(labels.values);
    name_columns(dataset, columns, {}, std::nullopt);
    dataset.target_name = "y";
    return dataset;
  }

  const std::optional<int64_t> target = resolve_target_column(columns, {}, options, path);
  name_columns(dataset, columns, {}, target);
  if (!target) {
    dataset.features = columns;
    dataset.X = std::move(array.values);
    return dataset;
  }
  dataset.features = columns - 1;
  dataset.X.reserve(static_cast<size_t>(rows * dataset.features));
  dataset.y.reserve(static_cast<size_t>(rows));
  for (int64_t i = 0; i < rows; ++i) {
    for (int64_t c = 0; c < columns; ++c) {
      const float value = array.values[i * columns + c];
      if (c == *target) {
        dataset.y.push_back(value);
      } else {
        dataset.X.push_back(value);
      }
    }
  }
  return dataset;
}

}  // namespace

bool is_npy_path(const std::string& path) {
  const std::string suffix = ".npy";
  return path.size() >= suffix.size() &&
         path.compare(path.size() - suffix.size(), suffix.size(), suffix) == 0;
}

Dataset read_dataset(const std::string& path, const ReadOptions& options) {
  if (is_npy_path(path)) return read_npy_dataset(path, options);
  if (!options.labels.empty()) {
    throw UsageError("--labels needs .npy data (--data X.npy --labels y.npy)");
  }
  return read_csv(path, options);
}

}  // namespace linsgd
