// read_csv: a scanner that splits the memory-mapped file into records and fields, then a loop
// that parses each field straight into X or y. Errors name the file, line and column.
#include "csv_reader.hpp"

#include <fast_float/fast_float.h>

#include <algorithm>
#include <cmath>
#include <deque>
#include <string_view>
#include <vector>

#include "linsgd/errors.hpp"
#include "mapped_file.hpp"
#include "target_column.hpp"

namespace linsgd {
namespace {

struct Field {
  std::string_view text;
};

// Splits the file into records. Fields point into the file, or into `unescaped_` for quoted
// fields holding "" escapes. Blank lines are skipped.
class CsvScanner {
 public:
  CsvScanner(const char* begin, const char* end, char delimiter, const std::string& source)
      : cursor_(begin), end_(end), delimiter_(delimiter), source_(source) {}

  size_t bytes_left() const { return static_cast<size_t>(end_ - cursor_); }

  // Reads the next non-blank record; false at the end of the file. `line` is where it starts.
  bool next(std::vector<Field>& fields, int64_t& line) {
    for (;;) {
      if (cursor_ == end_) return false;
      fields.clear();
      unescaped_count_ = 0;
      line = line_;
      read_record(fields);
      const bool blank = fields.size() == 1 && fields[0].text.empty() && !last_quoted_;
      if (!blank) return true;
    }
  }

 private:
  void read_record(std::vector<Field>& fields) {
    for (;;) {
      last_quoted_ = cursor_ != end_ && *cursor_ == '"';
      fields.push_back(last_quoted_ ? read_quoted(fields.size() + 1) : read_plain());
      if (cursor_ == end_) return;
      if (*cursor_ == delimiter_) {
        ++cursor_;
        continue;
      }
      ++cursor_;  // the '\n' that ends the record
      ++line_;
      return;
    }
  }

  Field read_plain() {
    const char* start = cursor_;
    while (cursor_ != end_ && *cursor_ != delimiter_ && *cursor_ != '\n') ++cursor_;
    const char* stop = cursor_;
    if (stop != start && stop[-1] == '\r') --stop;
    return {std::string_view(start, static_cast<size_t>(stop - start))};
  }

  Field read_quoted(size_t column) {
    const int64_t start_line = line_;
    ++cursor_;  // opening quote
    std::string& text = scratch();
    for (;;) {
      if (cursor_ == end_) {
        throw InputError(source_ + ": line " + std::to_string(start_line) + ", column " +
                         std::to_string(column) + ": quoted field is not closed");
      }
      const char c = *cursor_++;
      if (c == '"') {
        if (cursor_ != end_ && *cursor_ == '"') {
          text.push_back('"');
          ++cursor_;
          continue;
        }
        break;
      }
      if (c == '\n') ++line_;
      text.push_back(c);
    }
    if (cursor_ != end_ && *cursor_ == '\r') ++cursor_;
    if (cursor_ != end_ && *cursor_ != delimiter_ && *cursor_ != '\n') {
      throw InputError(source_ + ": line " + std::to_string(line_) + ", column " +
                       std::to_string(column) + ": unexpected text after a closing quote");
    }
    return {std::string_view(text)};
  }

  // One reusable string per quoted field of the current record. A deque, so earlier strings
  // (and the fields viewing them) stay put when a later one is added.
  std::string& scratch() {
    if (unescaped_count_ == unescaped_.size()) unescaped_.emplace_back();
    std::string& text = unescaped_[unescaped_count_++];
    text.clear();
    return text;
  }

  const char* cursor_;
  const char* end_;
  char delimiter_;
  const std::string& source_;
  int64_t line_ = 1;
  bool last_quoted_ = false;
  std::deque<std::string> unescaped_;
  size_t unescaped_count_ = 0;
};

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// Parses a whole field as a finite float, or says nothing (for header detection).
bool parse_number(std::string_view text, float& value) {
  text = trim(text);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  if (text.empty()) return false;
  const auto [ptr, ec] = fast_float::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() && ptr == text.data() + text.size();
}

float parse_cell(std::string_view text, const std::string& source, int64_t line, size_t column) {
  float value = 0.0f;
  const auto where = [&] {
    return source + ": line " + std::to_string(line) + ", column " + std::to_string(column) + ": ";
  };
  if (!parse_number(text, value)) {
    if (trim(text).empty()) throw InputError(where() + "empty cell");
    throw InputError(where() + "not a number: '" + std::string(text) + "'");
  }
  if (!std::isfinite(value)) {
    throw InputError(where() + "non-finite value '" + std::string(trim(text)) +
                     "' (NaN, Inf or beyond float range)");
  }
  return value;
}

bool all_numbers(const std::vector<Field>& fields) {
  float ignored = 0.0f;
  for (const Field& field : fields) {
    if (!parse_number(field.text, ignored)) return false;
  }
  return true;
}

}  // namespace

Dataset read_csv(const std::string& path, const ReadOptions& options) {
  const MappedFile file(path);
  CsvScanner scanner(file.data(), file.data() + file.size(), options.delimiter, path);
  std::vector<Field> fields;
  int64_t line = 0;
  if (!scanner.next(fields, line)) throw InputError(path + ": the file is empty");

  const bool has_header = options.header == HeaderMode::kPresent ||
                          (options.header == HeaderMode::kAuto && !all_numbers(fields));
  const auto columns = static_cast<int64_t>(fields.size());
  std::vector<std::string> names;
  if (has_header) {
    for (const Field& field : fields) names.emplace_back(trim(field.text));
  }
  const std::optional<int64_t> target = resolve_target_column(columns, names, options, path);

  Dataset dataset;
  dataset.source = path;
  dataset.features = target ? columns - 1 : columns;
  name_columns(dataset, columns, names, target);
  const bool first_is_data = !has_header;
  const auto take_row = [&] {
    if (static_cast<int64_t>(fields.size()) != columns) {
      throw InputError(path + ": line " + std::to_string(line) + ": expected " +
                       std::to_string(columns) + " fields, found " + std::to_string(fields.size()));
    }
    for (size_t c = 0; c < fields.size(); ++c) {
      const float value = parse_cell(fields[c].text, path, line, c + 1);
      if (target && static_cast<int64_t>(c) == *target) {
        dataset.y.push_back(value);
      } else {
        dataset.X.push_back(value);
      }
    }
    ++dataset.rows;
  };
  if (first_is_data) take_row();
  // Reserve for the rest from the size of the first data row: no regrowth copies of a large X.
  const size_t before = scanner.bytes_left();
  if (scanner.next(fields, line)) {
    take_row();
    const size_t row_bytes = std::max<size_t>(1, before - scanner.bytes_left());
    const size_t rows_expected = dataset.rows + scanner.bytes_left() / row_bytes * 11 / 10 + 16;
    dataset.X.reserve(rows_expected * static_cast<size_t>(dataset.features));
    dataset.y.reserve(target ? rows_expected : 0);
  }
  while (scanner.next(fields, line)) take_row();
  if (dataset.rows == 0) throw InputError(path + ": no data rows after the header");
  return dataset;
}

}  // namespace linsgd
