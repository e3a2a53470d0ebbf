// A table of training data in host memory, and how to read one from a CSV or .npy file.
// X is row-major (rows x features, float32); y has one target per row, or is empty when the
// file had no target column (prediction input).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace linsgd {

struct Dataset {
  int64_t rows = 0;
  int64_t features = 0;
  std::vector<float> X;
  std::vector<float> y;
  std::vector<std::string> feature_names;  // from the header; "x0", "x1", ... without one
  std::string target_name;                 // empty when unknown or absent
  std::string source;                      // the file it was read from, for messages

  bool has_target() const { return !y.empty(); }
};

enum class HeaderMode { kAuto, kPresent, kAbsent };

struct ReadOptions {
  // --target: a column name, or an index (0-based; negative counts from the end). Empty: the
  // last column.
  std::string target;
  // Prediction input: when set and `target` is empty, a file with exactly this many columns has
  // no target column (all columns are features); one with one column more has the target.
  std::optional<int64_t> features_if_no_target;
  HeaderMode header = HeaderMode::kAuto;  // CSV: auto = a first row that is not all numbers
  char delimiter = ',';                   // CSV
  std::string labels;                     // .npy: the targets in a separate 1-D file
  // CSV: threads parsing a quote-free file; 0 = one per 32 MiB, up to the cores.
  int parse_threads = 0;
};

// True when `path` names a .npy file (its name ends in ".npy"), which read_dataset reads as
// NumPy's format; any other file is read as CSV.
bool is_npy_path(const std::string& path);

// Reads `path` as .npy when is_npy_path(path), else as CSV. Throws InputError with a
// one-line message naming the file, and the line and column where there is one.
Dataset read_dataset(const std::string& path, const ReadOptions& options);

}  // namespace linsgd
