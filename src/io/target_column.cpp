// resolve_target_column and name_columns.
#include "io/target_column.hpp"

#include <charconv>

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

}  // namespace

std::optional<int64_t> resolve_target_column(int64_t columns, const std::vector<std::string>& names,
                                             const ReadOptions& options,
                                             const std::string& source) {
  std::optional<int64_t> target;
  if (options.target.empty()) {
    if (options.features_if_no_target && columns == *options.features_if_no_target) {
      return std::nullopt;
    }
    target = columns - 1;
  } else {
    for (size_t c = 0; c < names.size() && !target; ++c) {
      if (names[c] == options.target) target = static_cast<int64_t>(c);
    }
    if (!target) {
      const std::optional<int64_t> index = parse_index(options.target);
      if (!index) {
        throw InputError(source + ": --target " + options.target + ": no column of that name" +
                         (names.empty() ? " (the file has no header)" : ""));
      }
      if (*index >= columns || *index < -columns) {
        throw InputError(source + ": --target " + options.target + ": index out of range (the " +
                         "file has " + std::to_string(columns) + " columns, 0 to " +
                         std::to_string(columns - 1) + ")");
      }
      target = *index < 0 ? columns + *index : *index;
    }
  }
  if (columns < 2) {
    throw InputError(source + ": only one column, so no features besides the target");
  }
  return target;
}

void name_columns(Dataset& dataset, int64_t columns, const std::vector<std::string>& names,
                  std::optional<int64_t> target) {
  dataset.feature_names.clear();
  for (int64_t c = 0; c < columns; ++c) {
    if (target && c == *target) {
      dataset.target_name = names.empty() ? "y" : names[c];
      continue;
    }
    dataset.feature_names.push_back(
        names.empty() ? "x" + std::to_string(dataset.feature_names.size()) : names[c]);
  }
}

}  // namespace linsgd
