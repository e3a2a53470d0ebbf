// read_dataset: recognizes the format by content (gzip is inflated by InputBytes; .npy by its
// magic bytes; a zip archive such as .npz is refused with advice; anything else is CSV), splits
// .npy arrays into features and target (from a column, or from a --labels file), and refuses
// non-finite values.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <string>
#include <vector>

#include "io/column_plan.hpp"
#include "io/csv_reader.hpp"
#include "io/dataset_reader.hpp"
#include "io/input_bytes.hpp"
#include "io/npy_reader.hpp"
#include "linsgd/dataset.hpp"
#include "linsgd/errors.hpp"

namespace linsgd {
namespace {

constexpr const char* kZipMagic = "PK\x03\x04";

std::string shape_text(const std::vector<int64_t>& shape) {
  std::string text = "(";
  for (size_t i = 0; i < shape.size(); ++i) {
    text += std::to_string(shape[i]) + (shape.size() == 1 || i + 1 < shape.size() ? "," : "");
  }
  return text + ")";
}

// A non-finite value of a .npy file, at its row and column counted from 0 (as NumPy indexes;
// a CSV's lines and columns are counted from 1, as editors count them).
// A column of one (a 1-D array's, a vector's) is not named.
InputError non_finite_at(const std::string& path, int64_t row, int64_t column, int64_t columns) {
  const std::string at =
      "row " + std::to_string(row) + (columns > 1 ? ", column " + std::to_string(column) : "");
  return InputError(path + ": " + at +
                    " (counted from 0): non-finite value (NaN, Inf or beyond float range)");
}

// `values` hold rows from `first_row` on, of `columns` each.
void require_finite(const std::vector<float>& values, int64_t columns, const std::string& path,
                    int64_t first_row) {
  for (size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i])) {
      throw non_finite_at(path, first_row + static_cast<int64_t>(i) / columns,
                          static_cast<int64_t>(i) % columns, columns);
    }
  }
}

void refuse_csv_options(const ReadOptions& options, const std::string& path) {
  if (options.header != HeaderMode::kAuto) {
    throw UsageError(
        std::string(options.header == HeaderMode::kPresent ? "--header" : "--no-header") +
        " applies to CSV data, not to the .npy data of " + path);
  }
  if (options.delimiter) {
    throw UsageError("--delimiter applies to CSV data, not to the .npy data of " + path);
  }
}

// The index of the first non-finite value of `values`, or `count` when all are finite.
int64_t first_non_finite(const float* values, int64_t count) {
  bool finite = true;  // one pass the compiler vectorizes; the index is found only on failure
  for (int64_t i = 0; i < count; ++i) finite &= std::isfinite(values[i]);
  if (finite) return count;
  int64_t i = 0;
  while (std::isfinite(values[i])) ++i;
  return i;
}

// The share's rows of `payload` (`columns` values each) into the features, targets and sample
// weights `plan` sends them to, converted and checked a row at a time: the file is read once,
// with no copy of it in memory.
void split_npy_rows(const NpyPayload& payload, int64_t rows, int64_t columns,
                    const ColumnPlan& plan, const std::string& path, Dataset& dataset) {
  // Runs of columns that are consecutive features: one copy each a row.
  struct Run {
    int64_t column, feature, length;
  };
  std::vector<Run> runs;
  int64_t target = -1, weight = -1;  // their columns in the file
  for (int64_t c = 0; c < columns; ++c) {
    const int64_t feature = plan.destination[c];
    if (feature == kTargetColumn) target = c;
    if (feature == kWeightColumn) weight = c;
    if (feature < 0) continue;
    if (!runs.empty() && runs.back().column + runs.back().length == c &&
        runs.back().feature + runs.back().length == feature) {
      ++runs.back().length;
    } else {
      runs.push_back({c, feature, 1});
    }
  }
  const int64_t features = dataset.features;
  dataset.X.resize(static_cast<size_t>(rows * features));
  if (target >= 0) dataset.y.resize(static_cast<size_t>(rows));
  if (weight >= 0) dataset.sample_weights.resize(static_cast<size_t>(rows));
  std::vector<float> row(static_cast<size_t>(columns));
  for (int64_t i = 0; i < rows; ++i) {
    payload.copy_to(static_cast<uint64_t>(i * columns), static_cast<uint64_t>(columns), row.data());
    const int64_t bad = first_non_finite(row.data(), columns);
    if (bad < columns) {
      throw non_finite_at(path, payload.first_row + i, bad, columns);
    }
    for (const Run& run : runs) {
      std::copy_n(row.data() + run.column, run.length,
                  dataset.X.data() + i * features + run.feature);
    }
    if (target >= 0) dataset.y[i] = row[target];
    if (weight >= 0) dataset.sample_weights[i] = row[weight];
  }
}

Dataset read_npy_dataset(const InputBytes& input, const ReadOptions& options) {
  const std::string& path = input.name();
  refuse_csv_options(options, path);
  const NpyPayload array = locate_npy(input, options.share);
  if (array.shape.size() != 2) {
    throw InputError(path + ": expected a 2-D array (rows x columns), found shape " +
                     shape_text(array.shape));
  }
  const int64_t file_rows = array.shape[0];
  const int64_t columns = array.shape[1];
  if (file_rows == 0 || columns == 0) throw InputError(path + ": the array is empty");
  const int64_t rows = options.share.row_count(file_rows);

  Dataset dataset;
  dataset.source = path;
  dataset.rows = rows;
  dataset.first_row = array.first_row;
  dataset.file_rows = file_rows;
  // With --labels every column is a feature but a --sample-weight column.
  ReadOptions plan_options = options;
  if (!options.labels.empty()) {
    if (!options.target.empty()) {
      throw UsageError("--target and --labels cannot be used together");
    }
    const InputBytes labels_input(options.labels);
    NpyArray labels = read_npy(labels_input, options.share);
    const bool column_vector = labels.shape.size() == 2 && labels.shape[1] == 1;
    if (labels.shape.size() != 1 && !column_vector) {
      throw InputError(options.labels + ": expected a 1-D array of targets, found shape " +
                       shape_text(labels.shape));
    }
    if (labels.shape[0] != file_rows) {
      throw InputError(options.labels + ": " + std::to_string(labels.shape[0]) + " targets, but " +
                       path + " has " + std::to_string(file_rows) + " rows");
    }
    require_finite(labels.values, 1, options.labels, labels.first_row);
    // (A model's target column is not looked for in X: plan_columns knows the targets are
    // beside it.)
    plan_options.features_if_no_target = columns - (weights_from_column(options) ? 1 : 0);
    dataset.y = std::move(labels.values);
  }

  const ColumnPlan plan = plan_columns(columns, {}, plan_options, path);
  dataset.features = plan.features;
  dataset.feature_names = plan.feature_names;
  dataset.target_name = options.labels.empty() ? plan.target_name : "y";
  dataset.target_column = plan.target_column;
  dataset.weight_column = plan.weight_column;
  split_npy_rows(array, rows, columns, plan, path, dataset);
  return dataset;
}

// True for a name ending in ".npy", in any case.
bool named_npy(const std::string& path) {
  if (path.size() < 4) return false;
  std::string suffix = path.substr(path.size() - 4);
  for (char& c : suffix) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return suffix == ".npy";
}

// The sample weights of --sample-weight FILE: a 1-D .npy of one weight per row of the data's
// `file_rows` (the share's alone with ReadOptions::share).
std::vector<float> weights_file(const ReadOptions& options, int64_t file_rows) {
  const InputBytes input(options.sample_weight);
  NpyArray weights = read_npy(input, options.share);
  const bool column_vector = weights.shape.size() == 2 && weights.shape[1] == 1;
  if (weights.shape.size() != 1 && !column_vector) {
    throw InputError(options.sample_weight +
                     ": expected a 1-D array of sample weights, found "
                     "shape " +
                     shape_text(weights.shape));
  }
  if (weights.shape[0] != file_rows) {
    throw InputError(options.sample_weight + ": " + std::to_string(weights.shape[0]) +
                     " sample weights for " + std::to_string(file_rows) + " rows");
  }
  return std::move(weights.values);
}

Dataset read_by_format(const InputBytes& input, const ReadOptions& options) {
  // By content; a file named .npy that is not one is damaged, not CSV.
  if (input.starts_with(kNpyMagic) || named_npy(input.name())) {
    return read_npy_dataset(input, options);
  }
  if (input.starts_with(kZipMagic)) {
    throw InputError(input.name() +
                     ": a zip archive (an .npz?); linsgd reads .npy and CSV: save the arrays "
                     "with numpy.save(\"X.npy\", X) and numpy.save(\"y.npy\", y), and pass "
                     "--data X.npy --labels y.npy");
  }
  if (!options.labels.empty()) {
    throw UsageError("--labels needs .npy data (--data X.npy --labels y.npy), and " + input.name() +
                     " is not .npy");
  }
  return read_csv(input, options);
}

}  // namespace

Dataset read_dataset(const std::string& path, const ReadOptions& options) {
  return read_dataset(InputBytes(path), options);
}

Dataset read_dataset(const InputBytes& input, const ReadOptions& options) {
  const RowShare& share = options.share;
  if (share.count < 1 || share.index < 0 || share.index >= share.count) {
    throw UsageError("ReadOptions::share: share " + std::to_string(share.index) + " of " +
                     std::to_string(share.count) + " (must be 0 to count - 1, count >= 1)");
  }
  Dataset dataset = read_by_format(input, options);
  if (weights_from_file(options)) {
    dataset.sample_weights = weights_file(options, dataset.file_rows);
  }
  if (dataset.has_sample_weights()) {
    // Weights must be finite, >= 0 and not all 0: the objective divides by their sum (a share's
    // may all be 0: the sum across the shares is checked by the run).
    require_usable_weights(dataset.sample_weights.data(), dataset.rows,
                           weights_from_file(options) ? options.sample_weight : input.name(),
                           options.share.whole(), dataset.first_row);
  }
  return dataset;
}

}  // namespace linsgd
