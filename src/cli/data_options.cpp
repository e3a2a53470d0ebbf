// DataOptions: option definitions and their translation into ReadOptions.
#include "cli/data_options.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <string_view>
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
  } else if (delimiter.size() == 1 &&
             std::string_view("\"\n\r0123456789.+-eE").find(delimiter[0]) ==
                 std::string_view::npos) {
    options.delimiter = delimiter[0];
  } else {
    // (A character of numbers, 1.5e-3's, would split them into other numbers, silently.)
    throw UsageError("invalid value for --delimiter: " + quoted_text(delimiter) +
                     " (one character, not a quote, a line end or one of a number's: a digit, "
                     "'.', '+', '-', 'e', 'E'; or 'tab')");
  }
  return options;
}

void DataOptions::for_model(ReadOptions& options, const std::vector<std::string>& feature_names,
                            const std::string& target_name, bool reads_target,
                            std::optional<int64_t> target_column,
                            std::optional<int64_t> weight_column) {
  options.feature_names = feature_names;
  options.target_name = reads_target ? target_name : "";
  options.trained_target_name = target_name;
  options.target_column = target_column;
  options.weight_column = weight_column;
}

void DataOptions::note_taken_by_position(const Dataset& data, bool model_named) {
  if (model_named || !data.named_by_header) return;
  // (A name that is not UTF-8 is shown escaped.)
  const auto shown = [](const std::string& name) {
    return is_utf8(name) ? name : quoted_text(name);
  };
  std::string names;
  for (const std::string& name : data.feature_names) {
    names += (names.empty() ? "" : ", ") + shown(name);
  }
  if (data.has_target()) names += "; target " + shown(data.target_name);
  std::fprintf(stderr,
               "linsgd: note: %s: the model was trained on columns without names, so these are "
               "taken by position: features %s\n",
               data.source.c_str(), names.c_str());
}

void DataOptions::note_ignored_columns(const Dataset& data, const std::string& expected) {
  std::string names;
  for (const std::string& name : data.ignored_columns) {
    if (name == expected) continue;
    // (A name that is not UTF-8, which a column left out may have, is shown escaped.)
    names += (names.empty() ? "" : ", ") + (is_utf8(name) ? name : quoted_text(name));
  }
  if (names.empty()) return;
  std::fprintf(stderr, "linsgd: %s: ignoring the columns the model does not use: %s\n",
               data.source.c_str(), names.c_str());
}

namespace {

// Each column's least and greatest value, in one pass over the rows in their order (X is
// row-major).
struct ColumnRanges {
  std::vector<float> low, high;
};
ColumnRanges column_ranges(const Dataset& data) {
  const int64_t d = data.features;
  ColumnRanges ranges{{data.X.begin(), data.X.begin() + d}, {data.X.begin(), data.X.begin() + d}};
  for (int64_t i = 1; i < data.rows; ++i) {
    const float* row = data.X.data() + i * d;
    for (int64_t j = 0; j < d; ++j) {
      ranges.low[j] = std::min(ranges.low[j], row[j]);
      ranges.high[j] = std::max(ranges.high[j], row[j]);
    }
  }
  return ranges;
}

// The first five names, then how many more: "'a', 'b' and 3 more".
std::string listed(const std::vector<std::string>& names) {
  std::string text;
  for (size_t k = 0; k < names.size() && k < 5; ++k) text += (k == 0 ? "" : ", ") + names[k];
  if (names.size() > 5) text += " and " + std::to_string(names.size() - 5) + " more";
  return text;
}

}  // namespace

void DataOptions::note_column_spreads(const Dataset& data, bool constant_features, bool intercept) {
  // Spread (max - min) below this fraction of the largest magnitude: float32's spacing there
  // (2^-23 of it, 1.2e-7) is above 0.1 % of the spread.
  constexpr double kCoarseColumnSpread = 1.2e-4;
  const auto coarse = [&](float low, float high) {
    const double size = std::max(std::fabs(double{low}), std::fabs(double{high}));
    return high > low && double{high} - double{low} < kCoarseColumnSpread * size;
  };
  if (data.rows < 2) return;
  const ColumnRanges ranges = column_ranges(data);
  std::vector<std::string> coarse_names, constant_names;
  for (int64_t j = 0; j < data.features; ++j) {
    const std::string name = quoted_text(data.feature_names[j]);
    if (coarse(ranges.low[j], ranges.high[j])) coarse_names.push_back(name);
    if (ranges.low[j] == ranges.high[j] && (intercept || ranges.low[j] == 0.0f)) {
      char value[32];
      std::snprintf(value, sizeof value, " (%.9g)", double{ranges.low[j]});
      constant_names.push_back(name + value);
    }
  }
  if (data.has_target()) {
    const auto [least, greatest] = std::minmax_element(data.y.begin(), data.y.end());
    if (coarse(*least, *greatest)) {
      coarse_names.push_back(quoted_text(data.target_name) + " (the target)");
    }
  }
  if (!coarse_names.empty()) {
    const bool one = coarse_names.size() == 1;
    std::fprintf(stderr,
                 "linsgd: note: %s: %s %s by less than 1e-4 of %s size, and data is read as "
                 "float32 (7 significant digits): subtract an offset (%s mean, say) to keep %s "
                 "variation\n",
                 data.source.c_str(), listed(coarse_names).c_str(), one ? "varies" : "vary",
                 one ? "its" : "their", one ? "its" : "their", one ? "its" : "their");
  }
  if (constant_features && !constant_names.empty()) {
    // SGD moves such a weight only along with the bias (a feature of 0: not at all), so where it
    // ends depends on where it started, and it acts on other data whose value differs.
    const bool one = constant_names.size() == 1;
    std::fprintf(stderr,
                 "linsgd: note: %s: %s %s the same in every training row, so the data do not "
                 "determine %s weight%s (%s on the starting weights): drop %s\n",
                 data.source.c_str(), listed(constant_names).c_str(), one ? "is" : "are",
                 one ? "its" : "their", one ? "" : "s", one ? "it depends" : "they depend",
                 one ? "the column" : "those columns");
  }
}

}  // namespace linsgd::cli
