// A trained model and its file. The file is JSON: a format name and version, the feature and
// target names (whether the data named them, where the target stood), w and b, the
// standardization statistics (when features were standardized), the hyperparameters and seed,
// and the training metrics. Floats are written with enough digits to read back bit-exact.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "linsgd/config.hpp"
#include "linsgd/dataset.hpp"

namespace linsgd {

// x' = (x - mean) / scale per feature; scale is the standard deviation over the training rows,
// or 1 for a constant column (which standardization then maps to 0).
struct Standardization {
  std::vector<float> mean;
  std::vector<float> scale;
};

struct Model {
  static constexpr int kFormatVersion = 1;

  std::vector<std::string> feature_names;
  std::string target_name;
  // Whether the feature names came from the data (a CSV header, a DataFrame's columns), not
  // the x0, x1, ... given to unnamed columns.
  bool named_features = false;
  // Trained on columns taken by position with the target not last: its index among the
  // features and the target (Dataset::target_column), where evaluate and predict look for it.
  std::optional<int64_t> target_column;
  // Trained on columns taken by position with a weight column: its index in the file
  // (Dataset::weight_column), which evaluate and predict name when refusing a file laid out
  // alike given without --sample-weight.
  std::optional<int64_t> weight_column;
  std::vector<float> weights;  // in the standardized feature space when standardization is set
  float bias = 0.0f;
  std::optional<Standardization> standardization;
  // As run (epochs resolved into steps), with the epochs asked for, when the run was given
  // passes rather than steps, in `epochs`.
  TrainConfig hyperparameters;
  // The share of the training rows held out to validate on (--val-fraction), when one was.
  std::optional<double> validation_fraction;
  std::map<std::string, double> metrics;  // training (and validation) figures

  int64_t features() const { return static_cast<int64_t>(weights.size()); }
};

struct TrainResult;

// The model a training run produced: its parameters, hyperparameters and figures (final batch
// loss, full-dataset loss, and the step a stopped run was interrupted at; no timings). Feature
// names default to x0, x1, ...
Model model_from_run(const TrainResult& result, const std::vector<std::string>& feature_names,
                     const std::string& target_name,
                     const std::optional<Standardization>& standardization);

// Writes the model file at `path` by the output rules of linsgd: atomically (a temporary file
// beside the final target of any symbolic link, then a rename) for a regular file or a new one,
// straight into a device or FIFO, refusing a directory. Throws UsageError for a path it cannot
// write to, Error when the write fails.
void save_model(const Model& model, const std::string& path);

// Throws InputError naming the file and the problem: unreadable, not JSON, truncated, another
// format or version, inconsistent sizes, non-finite numbers.
Model load_model(const std::string& path);

// Throws UsageError naming what makes `model` one no model file can hold: no weights, feature
// names (when it has some: save_model writes x0, x1, ... for none) of another count than the
// weights, a standardization of another size or with a scale that is not above 0. save_model and
// predict call it (load_model refuses such a file).
void require_consistent_model(const Model& model);

// One prediction per row of `data`, in double precision: standardize (in float, as training
// saw the features), then x . w + b. Throws UsageError for a model require_consistent_model
// refuses, and InputError when the feature counts differ or X does not hold rows x features
// values (a null X with rows).
std::vector<double> predict(const Model& model, const Dataset& data);
// As above, on a view's X (host memory; y and the weights are not read).
std::vector<double> predict(const Model& model, const DataView& data);

}  // namespace linsgd
