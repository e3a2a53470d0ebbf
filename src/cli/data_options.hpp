// The options that say how to read a data file, shared by train, evaluate and predict:
// --data, --target, --labels, --sample-weight, --header / --no-header, --delimiter.
#pragma once

#include <CLI/CLI.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "linsgd/dataset.hpp"

namespace linsgd::cli {

struct DataOptions {
  std::string data;
  std::string target;
  std::string labels;
  std::string sample_weight;  // a column (name or index) or a 1-D .npy file, or empty
  bool header = false;
  bool no_header = false;
  std::string delimiter;

  // Adds the options to `command`; --data is required when `data_required`.
  void add_to(CLI::App& command, bool data_required);
  // Throws UsageError for a delimiter that is not one character (or "tab").
  ReadOptions read_options() const;

  // Data for a trained model: columns matched by these names where the file has a header
  // (ReadOptions::feature_names), else by position, the target where it stood in training
  // (ReadOptions::target_column), its training weights' column named in the refusal of a file
  // that holds it without --sample-weight (ReadOptions::weight_column). The target is read by
  // its name unless !reads_target (prediction rows, which may have none); the name tells the
  // training header either way (ReadOptions::trained_target_name).
  static void for_model(ReadOptions& options, const std::vector<std::string>& feature_names,
                        const std::string& target_name, bool reads_target,
                        std::optional<int64_t> target_column = std::nullopt,
                        std::optional<int64_t> weight_column = std::nullopt);
  // The one line saying which columns of `data` were ignored, if any (stderr), but `expected`
  // (a prediction file's target column).
  static void note_ignored_columns(const Dataset& data, const std::string& expected = "");
  // The one line saying that the header of `data` named its columns for a model trained without
  // one (`model_named` false), whose features it took by position (stderr): their names are not
  // checked against the model's.
  static void note_taken_by_position(const Dataset& data, bool model_named);
  // The one line naming the columns of `data` (features and target) that vary by less than
  // kCoarseColumnSpread of their size, if any (stderr): float32, which linsgd reads data into,
  // keeps about 7 significant digits, so that little of their variation is left. With
  // `constant_features` (training data for SGD), one more naming the features that are the same
  // in every row: the data leave their weights undetermined (without an `intercept`, those of
  // features that are 0 in every row: another constant plays the intercept's part).
  static void note_column_spreads(const Dataset& data, bool constant_features = false,
                                  bool intercept = true);

 private:
  CLI::App* command_ = nullptr;
};

}  // namespace linsgd::cli
