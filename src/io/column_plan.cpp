// plan_columns: by position (the target one column, every other a feature in file order), or by
// name (a model's features found in the header and put in its order).
#include "io/column_plan.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <charconv>
#include <map>
#include <optional>

#include "io/quoted_text.hpp"
#include "linsgd/errors.hpp"

namespace linsgd {
namespace {

std::optional<int64_t> parse_index(const std::string& text) {
  int64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

std::string joined(const std::vector<std::string>& names) {
  std::string text;
  for (const std::string& name : names) text += (text.empty() ? "" : ", ") + name;
  return text;
}

// The column an option (--target, --sample-weight) names: a header name first, else an index.
int64_t column_by_option(int64_t columns, const std::vector<std::string>& header,
                         const char* option, const std::string& text, const std::string& source) {
  const auto named = std::find(header.begin(), header.end(), text);
  if (named != header.end()) return named - header.begin();
  const std::optional<int64_t> index = parse_index(text);
  if (!index) {
    // A --sample-weight that looks like a file's path names no file either.
    const bool path_like = std::string(option) == "--sample-weight" &&
                           (text.find('/') != std::string::npos ||
                            (text.size() > 4 && text.compare(text.size() - 4, 4, ".npy") == 0));
    throw InputError(source + ": " + option + " " + text + ": no " +
                     (path_like ? "such file, nor a column of that name" : "column of that name") +
                     (header.empty() ? " (the file has no header)" : ""));
  }
  if (*index >= columns || *index < -columns) {
    throw InputError(source + ": " + option + " " + text + ": index out of range (the file has " +
                     std::to_string(columns) + " columns, 0 to " + std::to_string(columns - 1) +
                     ")");
  }
  return *index < 0 ? columns + *index : *index;
}

// The weight column of --sample-weight, when it names a column (not a file).
std::optional<int64_t> weight_column(int64_t columns, const std::vector<std::string>& header,
                                     const ReadOptions& options, const std::string& source) {
  if (!weights_from_column(options)) return std::nullopt;
  if (header.empty() && options.weight_column_without_header &&
      !parse_index(options.sample_weight)) {
    return column_by_option(columns, header, "--sample-weight",
                            std::to_string(*options.weight_column_without_header), source);
  }
  return column_by_option(columns, header, "--sample-weight", options.sample_weight, source);
}

// A name that two columns of the header share is refused: every one (the columns taken by
// position are all read), or, with `read` (the columns matched by name), those read alone: two
// columns a model leaves out (two unnamed ones: a pandas MultiIndex written by to_csv, say) may
// share a name.
void refuse_duplicates(const std::vector<std::string>& header, const std::string& source,
                       const std::vector<std::string>* read = nullptr) {
  std::map<std::string, int> counts;
  for (const std::string& name : header) ++counts[name];
  std::vector<std::string> duplicated;
  for (const auto& [name, count] : counts) {
    const bool is_read =
        read == nullptr || std::find(read->begin(), read->end(), name) != read->end();
    if (count > 1 && is_read) duplicated.push_back(quoted_text(name));
  }
  if (!duplicated.empty()) {
    throw InputError(source + ": duplicate column names in the header: " + joined(duplicated));
  }
}

// Taken by position, every column of a header becomes a feature, the target or the weights by
// its name, which a model file then matches by name: an empty one is refused, naming the
// likely cause (matched by name, an unnamed column is left out, as every column the model
// does not name).
void refuse_unnamed(const std::vector<std::string>& header, const std::string& source) {
  for (size_t c = 0; c < header.size(); ++c) {
    if (!header[c].empty()) continue;
    throw InputError(source + ": line 1, column " + std::to_string(c + 1) +
                     ": the header names no column there" +
                     (c + 1 == header.size() ? " (does the line end with the delimiter?)"
                      : c == 0 ? " (a pandas index written by to_csv? drop it, or name it)"
                               : ""));
  }
}

// Where a model's target stood among its training file's features and target
// (ReadOptions::target_column), as a column of a file laid out alike: the model's features, the
// target and any weight column.
std::optional<int64_t> model_target_column(int64_t columns, std::optional<int64_t> weights,
                                           const ReadOptions& options) {
  const auto features = static_cast<int64_t>(options.feature_names.size());
  if (!options.labels.empty()) return std::nullopt;  // the targets are beside the file
  if (features == 0 || columns - (weights ? 1 : 0) != features + 1) return std::nullopt;
  if (!options.target_column && !weights) return std::nullopt;  // last: the default
  // Last among the features and the target without a target_column; weights after it (the last
  // column) leave it second to last.
  const int64_t target = options.target_column.value_or(features);
  return target + (weights && *weights <= target ? 1 : 0);
}

// The end of a refusal of a file that holds a model's training weights, unnamed, in `column`.
std::string weight_column_advice(int64_t column) {
  const std::string index = std::to_string(column);
  return "; the model was trained with sample weights, which a file laid out as this one holds "
         "in column " +
         index + ": pass --sample-weight " + index;
}

// Where a model's training weights stand in a file laid out as its training file was but without
// the target (its features and the weights in their order): the training file's weight column,
// one less where the target stood before it. `target_column` as the model has it (among the
// features and the target; none where it was last or came from --labels), `weight_column` its
// place in the training file, `features` the model's.
int64_t weight_column_without_target(std::optional<int64_t> target_column, int64_t weight_column,
                                     int64_t features) {
  const int64_t target = target_column.value_or(features);  // among the features and the target
  const int64_t target_in_file = target + (weight_column <= target ? 1 : 0);
  return weight_column - (target_in_file < weight_column ? 1 : 0);
}

// A file read by position for a model trained with a weight column (ReadOptions::weight_column),
// given without --sample-weight, that holds the weights all the same would have them read as a
// feature or the target: wrong predictions and metrics without a word. Refused, naming the
// --sample-weight to pass, where it has
//   - the model's features, a target and one more column: laid out as the training file was;
//   - the model's features and one more, with the targets beside it (--labels): the weights;
//   - the model's features and one more and nothing said: the target (the training file without
//     its weights) or the weights (without its target, or where --labels held it) fit alike, so
//     --target is named too.
void refuse_training_weights_unnamed(int64_t columns, const ReadOptions& options,
                                     const std::string& source) {
  const auto features = static_cast<int64_t>(options.feature_names.size());
  if (!options.weight_column || !options.sample_weight.empty()) return;
  const std::string has = source + " has " + std::to_string(columns) +
                          " columns but the model takes " + std::to_string(features) + " features";
  if (columns == features + 2 && options.labels.empty()) {
    throw InputError(has + " and a target" + weight_column_advice(*options.weight_column));
  }
  if (columns != features + 1 || !options.target.empty()) return;
  const int64_t weights =
      weight_column_without_target(options.target_column, *options.weight_column, features);
  if (!options.labels.empty()) {
    throw InputError(has + " (the targets are in " + options.labels + ")" +
                     weight_column_advice(weights));
  }
  // Without its weights the training file has the target where the model's target_column says
  // (last without one).
  throw InputError(has +
                   ", and one more: the target or the sample weights it was trained with; "
                   "pass --target " +
                   std::to_string(options.target_column.value_or(features)) +
                   " or --sample-weight " + std::to_string(weights) +
                   " (their places in a file laid out as the training file, less the other)");
}

ColumnPlan by_position(int64_t columns, const std::vector<std::string>& header,
                       const ReadOptions& options, const std::string& source) {
  refuse_unnamed(header, source);
  refuse_training_weights_unnamed(columns, options, source);
  const std::optional<int64_t> weights = weight_column(columns, header, options, source);
  std::optional<int64_t> target;
  if (!options.target.empty()) {
    target = column_by_option(columns, header, "--target", options.target, source);
  } else if (const std::optional<int64_t> stood = model_target_column(columns, weights, options)) {
    target = stood;
  } else if (!options.features_if_no_target ||
             columns - (weights ? 1 : 0) != *options.features_if_no_target) {
    target = columns - 1;
    // A model's rows (predict): its features, with or without a target after them.
    if (options.features_if_no_target && !weights &&
        columns != *options.features_if_no_target + 1) {
      const int64_t expected = *options.features_if_no_target;
      throw InputError(source + " has " + std::to_string(columns) +
                       " columns but the model takes " + std::to_string(expected) +
                       " features: " + std::to_string(expected) + " columns, or " +
                       std::to_string(expected + 1) + " with the target last");
    }
  }
  if (weights && target && *weights == *target) {
    // Most often a file laid out without the training file's weight column.
    const bool last = *target == columns - 1;
    throw InputError(source + ": --sample-weight " + options.sample_weight +
                     " is the target column" +
                     (last ? " (the last of its " + std::to_string(columns) + " columns)" : ""));
  }
  if (columns - (target ? 1 : 0) - (weights ? 1 : 0) < 1) {
    throw InputError(source + ": only one column, so no features besides the target");
  }
  ColumnPlan plan;
  plan.has_target = target.has_value();
  plan.has_weights = weights.has_value();
  // Kept with a header too: a file without one, read for the model by position, may hold the
  // weights at this place (refuse_training_weights_unnamed).
  plan.weight_column = weights;
  if (target) {
    const int64_t among_features = *target - (weights && *weights < *target ? 1 : 0);
    if (among_features != columns - (weights ? 1 : 0) - 1) plan.target_column = among_features;
  }
  for (int64_t c = 0; c < columns; ++c) {
    if (weights && c == *weights) {
      plan.destination.push_back(kWeightColumn);
      continue;
    }
    if (target && c == *target) {
      plan.destination.push_back(kTargetColumn);
      plan.target_name = header.empty() ? "y" : header[c];
      continue;
    }
    plan.destination.push_back(plan.features++);
    plan.feature_names.push_back(header.empty() ? "x" + std::to_string(plan.feature_names.size())
                                                : header[c]);
  }
  return plan;
}

ColumnPlan by_name(int64_t columns, const std::vector<std::string>& header,
                   const ReadOptions& options, const std::string& source) {
  ColumnPlan plan;
  plan.destination.assign(static_cast<size_t>(columns), kIgnoredColumn);
  std::optional<int64_t> target;
  if (!options.target.empty()) {
    target = column_by_option(columns, header, "--target", options.target, source);
  } else if (!options.target_name.empty()) {  // (predict's rows need none: it names none)
    const auto named = std::find(header.begin(), header.end(), options.target_name);
    if (named != header.end()) target = named - header.begin();
  }
  if (target) {
    plan.destination[*target] = kTargetColumn;
    plan.has_target = true;
    plan.target_name = header[*target];
  }
  const std::optional<int64_t> weights = weight_column(columns, header, options, source);
  if (weights) {
    if (plan.destination[*weights] == kTargetColumn) {
      throw InputError(source + ": --sample-weight " + options.sample_weight +
                       " is the target column");
    }
    plan.destination[*weights] = kWeightColumn;
    plan.has_weights = true;
  }
  for (const std::string& name : options.feature_names) {
    const int64_t column = std::find(header.begin(), header.end(), name) - header.begin();
    if (plan.destination[column] != kIgnoredColumn) {
      throw InputError(source + ": column " + quoted_text(name) +
                       " is a feature, not the target or weight");
    }
    plan.destination[column] = plan.features++;
    plan.feature_names.push_back(name);
  }
  for (int64_t c = 0; c < columns; ++c) {
    if (plan.destination[c] == kIgnoredColumn) plan.ignored.push_back(header[c]);
  }
  return plan;
}

}  // namespace

bool weights_from_file(const ReadOptions& options) {
  struct stat status {};
  return !options.sample_weight.empty() && ::stat(options.sample_weight.c_str(), &status) == 0 &&
         !S_ISDIR(status.st_mode);
}

bool weights_from_column(const ReadOptions& options) {
  return !options.sample_weight.empty() && !weights_from_file(options);
}

bool are_default_feature_names(const std::vector<std::string>& names) {
  for (size_t j = 0; j < names.size(); ++j) {
    if (names[j] != "x" + std::to_string(j)) return false;
  }
  return true;
}

ColumnPlan plan_columns(int64_t columns, const std::vector<std::string>& header,
                        const ReadOptions& options, const std::string& source) {
  if (header.empty() || options.feature_names.empty()) {
    if (!header.empty()) refuse_duplicates(header, source);
    return by_position(columns, header, options, source);
  }
  std::vector<std::string> missing;
  for (const std::string& name : options.feature_names) {
    if (std::find(header.begin(), header.end(), name) == header.end()) {
      missing.push_back(quoted_text(name));
    }
  }
  if (missing.empty()) {
    std::vector<std::string> read = options.feature_names;
    for (const std::string& name : {options.target_name, options.target, options.sample_weight}) {
      if (!name.empty()) read.push_back(name);
    }
    refuse_duplicates(header, source, &read);
    return by_name(columns, header, options, source);
  }
  // Features named x0, x1, ... came from data without a header: nothing to match by name.
  if (are_default_feature_names(options.feature_names)) {
    refuse_duplicates(header, source);
    return by_position(columns, header, options, source);
  }
  throw InputError(source + ": the header has no column " + joined(missing) +
                   " (the model's features, matched by name: " + joined(options.feature_names) +
                   ")");
}

}  // namespace linsgd
