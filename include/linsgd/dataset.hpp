// A table of training data in host memory, and how to read one from a CSV file (plain or
// gzip-compressed) or a .npy array, from a file, a pipe or standard input. X is row-major (rows
// x features, float32); y has one target per row, or is empty when the file had no target
// column (prediction input).
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace linsgd {

// Share `index` of `count` of a table's rows, for one process of a data-parallel run: the rows
// split into contiguous runs as even as they go, the first rows % count shares one row longer.
struct RowShare {
  int index = 0;
  int count = 1;

  bool whole() const { return count == 1; }
  int64_t first_row(int64_t rows) const {
    return index * (rows / count) + std::min<int64_t>(index, rows % count);
  }
  int64_t row_count(int64_t rows) const { return rows / count + (index < rows % count ? 1 : 0); }
};

struct Dataset {
  int64_t rows = 0;
  int64_t features = 0;
  std::vector<float> X;
  std::vector<float> y;
  // One weight s_i >= 0 per row (--sample-weight), or empty: every row weighs 1.
  std::vector<float> sample_weights;
  std::vector<std::string> feature_names;  // from the header; "x0", "x1", ... without one
  std::string target_name;                 // empty when unknown or absent
  std::string source;                      // the file it was read from, for messages
  bool named_by_header = false;            // the names came from a CSV header
  // Columns of the file that were not read: with ReadOptions::feature_names matched by name,
  // the columns that are neither those features nor the target, by name.
  std::vector<std::string> ignored_columns;
  // Read with ReadOptions::share: these are rows [first_row, first_row + rows) of the file's
  // file_rows. Read whole: first_row 0 and file_rows = rows.
  int64_t first_row = 0;
  int64_t file_rows = 0;
  // Columns taken by position with the target elsewhere than last (--target): its index among
  // the features and the target (a weight column left out), which a model keeps
  // (Model::target_column) so that evaluate and predict find it there again.
  std::optional<int64_t> target_column;
  // --sample-weight naming one of the file's columns (by its header's name or by index): its
  // index, which a model keeps (Model::weight_column) so that evaluate and predict, refusing a
  // file without a header laid out alike and without --sample-weight, name the option to pass.
  std::optional<int64_t> weight_column;

  bool has_target() const { return !y.empty(); }
  bool has_sample_weights() const { return !sample_weights.empty(); }
};

// Where the arrays of a DataView live.
enum class MemoryKind { kHost, kCuda };

// Training data owned by the caller and used where it lies, with no copy (the Python package's
// NumPy and CUDA arrays): X row-major rows x features, y and the optional sample weights one float
// per row, all in host memory or all in the current CUDA device's memory. The arrays must stay
// alive and unchanged while a run uses them. CUDA arrays may still be being written when the run
// is started, on any stream: the run waits for the device's work before it reads them.
struct DataView {
  int64_t rows = 0;
  int64_t features = 0;
  const float* X = nullptr;
  const float* y = nullptr;
  const float* sample_weights = nullptr;  // or null: every row weighs 1
  // The mean the sample weights are taken relative to: a row's weight in the objective and the
  // steps is s_k / weight_mean, the objective's sum divided by rows x weight_mean. 0: their own
  // mean (weights that average 1). Set, a chunk of data steps by the scale of the chunks before
  // it (the Python package's partial_fit): weights 10 after weights 1 pull ten times as hard.
  // Only with sample weights.
  double weight_mean = 0.0;
  MemoryKind memory = MemoryKind::kHost;
  std::string source = "the data";         // names the data in messages
  std::vector<std::string> feature_names;  // name the features in messages; may be empty

  bool has_sample_weights() const { return sample_weights != nullptr; }
};

// Throws InputError unless each of the `rows` weights is finite and >= 0 and, when
// `some_positive`, not all are 0 (the objective divides by their sum), naming `source` and the
// first bad row (counted from `first_row`, the first of a share's). (A data-parallel process's
// share may weigh 0: their sum is checked across.)
void require_usable_weights(const float* weights, int64_t rows, const std::string& source,
                            bool some_positive = true, int64_t first_row = 0);

// Throws InputError unless each of the `rows` targets is finite, naming `source` and the first bad
// row (counted from `first_row`).
void require_finite_targets(const float* y, int64_t rows, const std::string& source,
                            int64_t first_row = 0);

// A view of `data`'s arrays (`data` must outlive it). Throws InputError when `data` has no
// targets, or X, y or the weights do not match its rows and features.
DataView view_of(const Dataset& data);

enum class HeaderMode { kAuto, kPresent, kAbsent };

struct ReadOptions {
  // --target: a column name, or an index (0-based; negative counts from the end). Empty: the
  // last column (or, matching by name, `target_name`).
  std::string target;
  // Prediction input: when set and `target` is empty, a file with exactly this many columns has
  // no target column (all columns are features); one with one column more has the target.
  std::optional<int64_t> features_if_no_target;
  // Data for a trained model (evaluate, predict, a validation set): the features it was
  // trained on. A CSV header that holds all of these names has its columns selected and put in
  // this order by name, the target found by `target_name`, and every other column ignored
  // (Dataset::ignored_columns); a header missing some of them is refused, naming them. Without
  // a header, or with the default names x0, x1, ... of data that had none, columns are taken
  // by position.
  std::vector<std::string> feature_names;
  std::string target_name;
  // The model's target name as trained, for knowing its training header (see `header`) where
  // the target is not read (target_name empty: prediction rows).
  std::string trained_target_name;
  // Data for a model trained on columns taken by position, its target not the last of them
  // (Dataset::target_column): without --target, a file of the model's features and a target
  // (besides any weight column) has its target at that index, taken by position.
  std::optional<int64_t> target_column;
  // Data for a model trained on columns taken by position with a weight column
  // (Dataset::weight_column): without --sample-weight, a file of the model's features, a target
  // and one more column is refused naming the --sample-weight (this index) to pass.
  std::optional<int64_t> weight_column;
  // A validation set read beside training data whose header named the --sample-weight column
  // (train --val-data): that column's index in the training file, where a file without a header
  // (a .npy, a CSV without one), laid out alike, has the weights the name cannot find.
  std::optional<int64_t> weight_column_without_header;
  // CSV: whether the first row is a header. Auto: a header when it is the model's training
  // header (`feature_names` in order, with or without `trained_target_name` where the target stood:
  // numbers, say, a header of years), or when none of its cells is a number; a first row mixing
  // numbers and other cells is refused, asking for --header or --no-header.
  HeaderMode header = HeaderMode::kAuto;
  std::optional<char> delimiter;  // CSV; unset: ','. Set for .npy data, it is refused.
  std::string labels;             // .npy: the targets in a separate 1-D file
  // --sample-weight: a column (name, or index like --target) read as the rows' weights and kept
  // out of the features, or, when it names an existing file, a 1-D .npy of one weight per row.
  // Weights must be finite and >= 0, and not all 0.
  std::string sample_weight;
  // CSV: threads parsing a quote-free file; 0 = one per 32 MiB, up to the cores.
  int parse_threads = 0;
  // Keep only this share of the rows (a data-parallel run's process; default: all). A .npy file
  // is read at the share's rows alone; a CSV file is scanned for its records' ends, and only the
  // share's are parsed (so a bad cell elsewhere is another share's error).
  RowShare share;
};

// Reads `path` ("-" is standard input; a pipe or device is read to its end): NumPy's .npy
// format when the data starts with its magic bytes, CSV otherwise, either of them gzip-
// compressed or not (recognized by content, whatever the name). Throws InputError with a
// one-line message naming the file, and the line and column where there is one; UsageError for
// CSV options given with .npy data.
Dataset read_dataset(const std::string& path, const ReadOptions& options);

}  // namespace linsgd
