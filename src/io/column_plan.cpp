// plan_columns: by position (the target one column, every other a feature in file order), or by
// name (a model's features found in the header and put in its order).
#include "io/column_plan.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <optional>

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

// The column --target names: a header name first, else an index.
int64_t target_by_option(int64_t columns, const std::vector<std::string>& header,
                         const std::string& target, const std::string& source) {
  const auto named = std::find(header.begin(), header.end(), target);
  if (named != header.end()) return named - header.begin();
  const std::optional<int64_t> index = parse_index(target);
  if (!index) {
    throw InputError(source + ": --target " + target + ": no column of that name" +
                     (header.empty() ? " (the file has no header)" : ""));
  }
  if (*index >= columns || *index < -columns) {
    throw InputError(source + ": --target " + target + ": index out of range (the file has " +
                     std::to_string(columns) + " columns, 0 to " + std::to_string(columns - 1) +
                     ")");
  }
  return *index < 0 ? columns + *index : *index;
}

// True for x0, x1, ..., x{d-1}: the names given to the columns of data without a header.
bool default_names(const std::vector<std::string>& names) {
  for (size_t j = 0; j < names.size(); ++j) {
    if (names[j] != "x" + std::to_string(j)) return false;
  }
  return true;
}

void refuse_duplicates(const std::vector<std::string>& header, const std::string& source) {
  std::map<std::string, int> counts;
  for (const std::string& name : header) ++counts[name];
  std::vector<std::string> duplicated;
  for (const auto& [name, count] : counts) {
    if (count > 1) duplicated.push_back("'" + name + "'");
  }
  if (!duplicated.empty()) {
    throw InputError(source + ": duplicate column names in the header: " + joined(duplicated));
  }
}

ColumnPlan by_position(int64_t columns, const std::vector<std::string>& header,
                       const ReadOptions& options, const std::string& source) {
  std::optional<int64_t> target;
  if (!options.target.empty()) {
    target = target_by_option(columns, header, options.target, source);
  } else if (!options.features_if_no_target || columns != *options.features_if_no_target) {
    target = columns - 1;
  }
  if (columns < 2 && target) {
    throw InputError(source + ": only one column, so no features besides the target");
  }
  ColumnPlan plan;
  plan.has_target = target.has_value();
  for (int64_t c = 0; c < columns; ++c) {
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
    target = target_by_option(columns, header, options.target, source);
  } else {
    const auto named = std::find(header.begin(), header.end(), options.target_name);
    if (named != header.end()) target = named - header.begin();
  }
  if (target) {
    plan.destination[*target] = kTargetColumn;
    plan.has_target = true;
    plan.target_name = header[*target];
  }
  for (const std::string& name : options.feature_names) {
    const int64_t column = std::find(header.begin(), header.end(), name) - header.begin();
    if (plan.destination[column] == kTargetColumn) {
      throw InputError(source + ": column '" + name + "' is a feature, not the target");
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

ColumnPlan plan_columns(int64_t columns, const std::vector<std::string>& header,
                        const ReadOptions& options, const std::string& source) {
  if (!header.empty()) refuse_duplicates(header, source);
  if (header.empty() || options.feature_names.empty()) {
    return by_position(columns, header, options, source);
  }
  std::vector<std::string> missing;
  for (const std::string& name : options.feature_names) {
    if (std::find(header.begin(), header.end(), name) == header.end()) {
      missing.push_back("'" + name + "'");
    }
  }
  if (missing.empty()) return by_name(columns, header, options, source);
  // Features named x0, x1, ... came from data without a header: nothing to match by name.
  if (default_names(options.feature_names)) return by_position(columns, header, options, source);
  throw InputError(source + ": the header has no column " + joined(missing) +
                   " (the model's features, matched by name: " + joined(options.feature_names) +
                   ")");
}

}  // namespace linsgd
