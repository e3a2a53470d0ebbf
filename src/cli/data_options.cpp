// DataOptions: option definitions and their translation into ReadOptions.
#include "cli/data_options.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "io/quoted_text.hpp"
#include "linsgd/errors.hpp"

namespace linsgd::cli {

void DataOptions::add_to(CLI::App& command, bool data_required) {
  command_ = &command;
  auto* option = command.add_option(
      "--data", data,
      "CSV file (plain or gzip), or .npy array (float32/float64); - reads standard input");
  if (data_required) option->required();
  command.add_option("--target", target,
                     "target column: a header name, or an index (0-based; -1 = last); "
                     "default: the last column");
  command.add_option("--labels", labels, "targets as a 1-D .npy file (with --data X.npy)");
  command.add_option("--sample-weight", sample_weight,
                     "a weight per row: a column of the data (name or index), or a 1-D .npy "
                     "file; train weighs the objective by them, evaluate the metrics, and "
                     "predict leaves the column out");
  auto* with_header = command.add_flag("--header", header, "the CSV's first row is a header");
  command.add_flag("--no-header", no_header, "the CSV has no header row")->excludes(with_header);
  command.add_option("--delimiter", delimiter,
                     "CSV field delimiter (one character, or 'tab'; default ',')");
}

ReadOptions DataOptions::read_options() const {
  ReadOptions options;
  options.target = target;
  options.labels = labels;
  options.sample_weight = sample_weight;
  options.header = header      ? HeaderMode::kPresent
                   : no_header ? HeaderMode::kAbsent
                               : HeaderMode::kAuto;
  if (command_->count("--delimiter") == 0) return options;
  if (delimiter == "tab" || delimiter == "\\t") {
    options.delimiter = '\t';
  } else if (delimiter.size() == 1 && delimiter != "\"" && delimiter != "\n") {
    options.delimiter = delimiter[0];
  } else {
    throw UsageError("invalid value for --delimiter: " + quoted_text(delimiter) +
                     " (one character other than a quote, or 'tab')");
  }
  return options;
}

void DataOptions::for_model(ReadOptions& options, const std::vector<std::string>& feature_names,
                            const std::string& target_name, std::optional<int64_t> target_column,
                            std::optional<int64_t> weight_column) {
  options.feature_names = feature_names;
  options.target_name = target_name;
  options.target_column = target_column;
  options.weight_column = weight_column;
}

void DataOptions::note_ignored_columns(const Dataset& data, const std::string& expected) {
  std::string names;
  for (const std::string& name : data.ignored_columns) {
    if (name != expected) names += (names.empty() ? "" : ", ") + name;
  }
  if (names.empty()) return;
  std::fprintf(stderr, "linsgd: %s: ignoring the columns the model does not use: %s\n",
               data.source.c_str(), names.c_str());
}

void DataOptions::note_coarse_columns(const Dataset& data) {
  // Spread (max - min) below this fraction of the largest magnitude: float32's spacing there
  // (2^-23 of it, 1.2e-7) is above 0.1 % of the spread.
  constexpr double kCoarseColumnSpread = 1.2e-4;
  const auto coarse = [&](float low, float high) {
    const double size = std::max(std::fabs(double{low}), std::fabs(double{high}));
    return high > low && double{high} - double{low} < kCoarseColumnSpread * size;
  };
  if (data.rows < 2) return;
  // One pass over the rows, in their order (X is row-major): each column's least and greatest.
  const int64_t d = data.features;
  std::vector<float> low(data.X.begin(), data.X.begin() + d), high = low;
  for (int64_t i = 1; i < data.rows; ++i) {
    const float* row = data.X.data() + i * d;
    for (int64_t j = 0; j < d; ++j) {
      low[j] = std::min(low[j], row[j]);
      high[j] = std::max(high[j], row[j]);
    }
  }
  std::vector<std::string> names;
  for (int64_t j = 0; j < d; ++j) {
    if (coarse(low[j], high[j])) names.push_back(quoted_text(data.feature_names[j]));
  }
  if (data.has_target()) {
    const auto [least, greatest] = std::minmax_element(data.y.begin(), data.y.end());
    if (coarse(*least, *greatest)) {
      names.push_back(quoted_text(data.target_name) + " (the target)");
    }
  }
  if (names.empty()) return;
  std::string listed;
  for (size_t k = 0; k < names.size() && k < 5; ++k) listed += (k == 0 ? "" : ", ") + names[k];
  if (names.size() > 5) listed += " and " + std::to_string(names.size() - 5) + " more";
  const bool one = names.size() == 1;
  std::fprintf(stderr,
               "linsgd: note: %s: %s %s by less than 1e-4 of %s size, and data is read as float32 "
               "(7 significant digits): subtract an offset (%s mean, say) to keep %s variation\n",
               data.source.c_str(), listed.c_str(), one ? "varies" : "vary", one ? "its" : "their",
               one ? "its" : "their", one ? "its" : "their");
}

}  // namespace linsgd::cli
