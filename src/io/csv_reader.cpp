// read_csv: a scanner that splits the input's bytes into records and fields, and a loop that
// parses each field straight into X or y (by the column plan), on several threads for large
// quote-free files. Errors name the file, line and column.
#include "io/csv_reader.hpp"

#include <fast_float/fast_float.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <deque>
#include <exception>
#include <optional>
#include <string_view>
#include <thread>
#include <vector>

#include "io/column_plan.hpp"
#include "io/quoted_text.hpp"
#include "linsgd/errors.hpp"
#include "linsgd/trainer.hpp"

namespace linsgd {
namespace {

struct Field {
  std::string_view text;
  bool quoted = false;  // it stood in quotes (an empty one is no trailing delimiter)
};

// Splits the file into records. Fields point into the file, or into `unescaped_` for quoted
// fields holding "" escapes. Blank lines are skipped.
class CsvScanner {
 public:
  CsvScanner(const char* begin, const char* end, char delimiter, const std::string& source,
             int64_t first_line = 1)
      : cursor_(begin), end_(end), delimiter_(delimiter), source_(source), line_(first_line) {}

  const char* position() const { return cursor_; }
  int64_t line() const { return line_; }

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
      skip_blanks_before_a_quote();
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

  // Spaces and tabs before an opening quote are passed over, as around a plain field (which
  // keeps them, to be trimmed).
  void skip_blanks_before_a_quote() {
    const char* ahead = cursor_;
    while (ahead != end_ && (*ahead == ' ' || *ahead == '\t') && *ahead != delimiter_) ++ahead;
    if (ahead != cursor_ && ahead != end_ && *ahead == '"') cursor_ = ahead;
  }

  Field read_plain() {
    const char* start = cursor_;
    while (cursor_ != end_ && *cursor_ != delimiter_ && *cursor_ != '\n') ++cursor_;
    const char* stop = cursor_;
    if (stop != start && stop[-1] == '\r') --stop;
    return {std::string_view(start, static_cast<size_t>(stop - start)), false};
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
    // Spaces and tabs after the closing quote are passed over, as around a plain field.
    while (cursor_ != end_ && *cursor_ != delimiter_ && (*cursor_ == ' ' || *cursor_ == '\t')) {
      ++cursor_;
    }
    if (cursor_ != end_ && *cursor_ == '\r') ++cursor_;
    if (cursor_ != end_ && *cursor_ != delimiter_ && *cursor_ != '\n') {
      throw InputError(source_ + ": line " + std::to_string(line_) + ", column " +
                       std::to_string(column) + ": unexpected text after a closing quote");
    }
    return {std::string_view(text), true};
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
  int64_t line_;
  bool last_quoted_ = false;
  std::deque<std::string> unescaped_;
  size_t unescaped_count_ = 0;
};

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// Parses a whole field as a finite float, or says nothing (for header detection). One sign at
// most: fast_float takes a '-', the '+' is taken off first ("+-1" is no number).
bool parse_number(std::string_view text, float& value) {
  text = trim(text);
  if (!text.empty() && text.front() == '+') {
    text.remove_prefix(1);
    if (!text.empty() && text.front() == '-') return false;
  }
  if (text.empty()) return false;
  const auto [ptr, ec] = fast_float::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() && ptr == text.data() + text.size();
}

// `last` says the cell is the last of its record, for the message of a line that ends with a
// delimiter (an empty cell not in quotes).
float parse_cell(const Field& field, const std::string& source, int64_t line, size_t column,
                 bool last, char delimiter) {
  const std::string_view text = field.text;
  float value = 0.0f;
  const auto where = [&] {
    return source + ": line " + std::to_string(line) + ", column " + std::to_string(column) + ": ";
  };
  if (!parse_number(text, value)) {
    if (trim(text).empty()) {
      throw InputError(where() + "empty cell" +
                       (last && text.empty() && !field.quoted
                            ? std::string(" (the line ends with the delimiter '") + delimiter + "')"
                            : ""));
    }
    throw InputError(where() + "not a number: " + quoted_text(text));
  }
  if (!std::isfinite(value)) {
    throw InputError(where() + "non-finite value " + quoted_text(trim(text)) +
                     " (NaN, Inf or beyond float range)");
  }
  return value;
}

// Whether `fields` are, in order, the header of a file laid out for the model `options` reads
// the data for: its feature names, with or without its target's name at the place it stood in
// training (ReadOptions::target_column, else last).
bool is_models_header(const std::vector<Field>& fields, const ReadOptions& options) {
  if (options.feature_names.empty()) return false;
  std::vector<std::string> expected = options.feature_names;
  const auto same = [&] {
    return fields.size() == expected.size() &&
           std::equal(fields.begin(), fields.end(), expected.begin(),
                      [](const Field& field, const std::string& name) {
                        return trim(field.text) == name;
                      });
  };
  if (same()) return true;
  if (options.trained_target_name.empty()) return false;
  const auto at = static_cast<std::ptrdiff_t>(
      options.target_column.value_or(static_cast<int64_t>(expected.size())));
  if (at < 0 || at > static_cast<std::ptrdiff_t>(expected.size())) return false;
  expected.insert(expected.begin() + at, options.trained_target_name);
  return same();
}

// Whether the first record is a header: declared; or, detected, when it is the header of the
// model's training file (is_models_header: numbers though its names may be, as a header of years
// the model was trained with --header on), or when none of its cells is a number. A record that
// mixes numbers with other cells could be either (a header with numeric names, or data with a
// missing value), so it is refused with a request to say which.
bool is_header(const std::vector<Field>& fields, const ReadOptions& options,
               const std::string& source) {
  const HeaderMode mode = options.header;
  if (mode != HeaderMode::kAuto) return mode == HeaderMode::kPresent;
  if (is_models_header(fields, options)) return true;
  size_t numbers = 0;
  float ignored = 0.0f;
  for (const Field& field : fields) numbers += parse_number(field.text, ignored) ? 1 : 0;
  if (numbers == 0) return true;
  if (numbers == fields.size()) return false;
  std::string cells;
  for (size_t c = 0; c < fields.size() && c < 6; ++c) {
    cells += (c == 0 ? "" : ", ") + quoted_text(fields[c].text, 20);
  }
  if (fields.size() > 6) cells += ", ...";
  throw InputError(source + ": line 1 mixes numbers and other cells (" + cells +
                   "): say whether it is a header with --header or --no-header");
}

// A file whose first lines are one column that holds another common delimiter, the second (if
// any) too, was split by the wrong one (a semicolon-separated spreadsheet export, a TSV read as
// CSV): said so, not "only one column". (A one-column header such as 'price|usd' over numbers is
// data of one column.)
void refuse_other_delimiter(const char* begin, const char* end, char delimiter,
                            const std::string& source) {
  CsvScanner scanner(begin, end, delimiter, source);
  std::vector<Field> fields;
  int64_t line = 0;
  if (!scanner.next(fields, line) || fields.size() != 1) return;
  // Copied: a quoted cell's text lives in the scanner only until its next record.
  const std::string first(fields[0].text);
  const bool first_is_comment = !fields[0].quoted && !first.empty() && first.front() == '#';
  const int64_t first_line = line;
  const bool more = scanner.next(fields, line);
  // A comment line of one column, before a line of more or another comment: named as one.
  if (first_is_comment && more &&
      (fields.size() != 1 ||
       (!fields[0].quoted && !fields[0].text.empty() && fields[0].text.front() == '#'))) {
    throw InputError(source + ": line " + std::to_string(first_line) +
                     " starts with '#': comment lines are not read; remove them (grep -v '^#')");
  }
  if (more && fields.size() != 1) return;
  const std::string_view second = more ? fields[0].text : std::string_view{};
  for (const char other : {';', '\t', ',', '|'}) {
    if (other == delimiter || first.find(other) == std::string::npos ||
        (more && second.find(other) == std::string_view::npos)) {
      continue;
    }
    throw InputError(
        source + ": line 1 is one column for the delimiter " +
        quoted_text(std::string_view(&delimiter, 1)) + " but holds " +
        quoted_text(std::string_view(&other, 1)) + ": pass --delimiter " +
        (other == '\t' ? std::string("tab") : quoted_text(std::string_view(&other, 1))));
  }
}

// What every data row must look like, and where its values go.
struct TableShape {
  int64_t columns = 0;
  const ColumnPlan* plan = nullptr;
  char delimiter = ',';
  const std::string* path = nullptr;
};

// The values of a run of data rows, features row-major.
struct RowBlock {
  std::vector<float> X;
  std::vector<float> y;
  std::vector<float> weights;
  int64_t rows = 0;
};

// Parses every record of [begin, end), whose first line is `first_line`, into `block`. Ignored
// columns are not parsed at all (they may hold text: names, identifiers).
void parse_rows(const char* begin, const char* end, int64_t first_line, const TableShape& shape,
                size_t expected_rows, RowBlock& block) {
  const std::string& path = *shape.path;
  const ColumnPlan& plan = *shape.plan;
  const auto features = static_cast<size_t>(plan.features);
  block.X.reserve(expected_rows * features);
  if (plan.has_target) block.y.reserve(expected_rows);
  CsvScanner scanner(begin, end, shape.delimiter, path, first_line);
  std::vector<Field> fields;
  int64_t line = 0;
  while (scanner.next(fields, line)) {
    if (static_cast<int64_t>(fields.size()) != shape.columns) {
      const bool trailing =
          static_cast<int64_t>(fields.size()) == shape.columns + 1 && fields.back().text.empty();
      // (A line of nothing but blanks is no empty line, which is skipped: it reads as one field.)
      const bool blanks =
          fields.size() == 1 && fields[0].text.find_first_not_of(" \t") == std::string::npos;
      throw InputError(
          path + ": line " + std::to_string(line) + ": expected " + std::to_string(shape.columns) +
          " fields, found " + std::to_string(fields.size()) +
          (trailing ? std::string(" (the line ends with the delimiter '") + shape.delimiter + "')"
           : blanks ? " (the line holds nothing but spaces or tabs)"
                    : ""));
    }
    const size_t row = block.X.size();
    block.X.resize(row + features);
    for (size_t c = 0; c < fields.size(); ++c) {
      const int64_t destination = plan.destination[c];
      if (destination == kIgnoredColumn) continue;
      const float value =
          parse_cell(fields[c], path, line, c + 1, c + 1 == fields.size(), shape.delimiter);
      if (destination == kTargetColumn) {
        block.y.push_back(value);
      } else if (destination == kWeightColumn) {
        if (value < 0.0f) {  // named where it is (the reader's check after would say its row)
          throw InputError(path + ": line " + std::to_string(line) + ", column " +
                           std::to_string(c + 1) + ": sample weight " +
                           quoted_text(fields[c].text) + " (must be >= 0)");
        }
        block.weights.push_back(value);
      } else {
        block.X[row + static_cast<size_t>(destination)] = value;
      }
    }
    ++block.rows;
  }
}

// Splits [begin, end) into up to `parts` runs of whole lines.
std::vector<const char*> line_aligned_cuts(const char* begin, const char* end, size_t parts) {
  std::vector<const char*> cuts{begin};
  const auto size = static_cast<size_t>(end - begin);
  for (size_t p = 1; p < parts; ++p) {
    const char* cut = std::max(cuts.back(), begin + size * p / parts);
    cut = std::find(cut, end, '\n');
    if (cut != end) ++cut;
    if (cut != cuts.back() && cut != end) cuts.push_back(cut);
  }
  cuts.push_back(end);
  return cuts;
}

// Threads for parsing `bytes` of CSV: `requested`, or one per 32 MiB up to the cores. Only a
// file without quotes can be split at line ends (a quoted field may hold a newline).
size_t parse_threads(const char* begin, const char* end, int requested) {
  constexpr size_t kBytesPerThread = size_t{32} << 20;
  const auto bytes = static_cast<size_t>(end - begin);
  const auto cores = static_cast<size_t>(usable_cpu_cores());
  const size_t wanted =
      requested > 0 ? static_cast<size_t>(requested) : std::min(cores, bytes / kBytesPerThread);
  if (wanted < 2 || std::memchr(begin, '"', bytes) != nullptr) return 1;
  return wanted;
}

// Parses the data rows of [begin, end) on several threads when it is large; the rows keep their
// order, and an error is the one a single thread would have met first.
RowBlock parse_data(const char* begin, const char* end, int64_t first_line, const TableShape& shape,
                    int requested_threads) {
  const char* first_newline = std::find(begin, end, '\n');
  const auto row_bytes = static_cast<size_t>(std::max<ptrdiff_t>(1, first_newline - begin + 1));
  const std::vector<const char*> cuts =
      line_aligned_cuts(begin, end, parse_threads(begin, end, requested_threads));
  const size_t parts = cuts.size() - 1;
  std::vector<RowBlock> blocks(parts);
  std::vector<std::exception_ptr> errors(parts);
  std::vector<int64_t> first_lines(parts, first_line);
  for (size_t p = 1; p < parts; ++p) {
    first_lines[p] = first_lines[p - 1] + std::count(cuts[p - 1], cuts[p], '\n');
  }
  const auto parse_part = [&](size_t p) {
    try {
      const auto expected = static_cast<size_t>(cuts[p + 1] - cuts[p]) / row_bytes * 11 / 10 + 16;
      parse_rows(cuts[p], cuts[p + 1], first_lines[p], shape, expected, blocks[p]);
    } catch (...) {
      errors[p] = std::current_exception();
    }
  };
  std::vector<std::thread> workers;
  for (size_t p = 1; p < parts; ++p) workers.emplace_back(parse_part, p);
  parse_part(0);
  for (std::thread& worker : workers) worker.join();
  for (const std::exception_ptr& error : errors) {
    if (error) std::rethrow_exception(error);
  }
  if (parts == 1) return std::move(blocks[0]);
  RowBlock all;
  size_t x_size = 0, y_size = 0, weight_size = 0;
  for (const RowBlock& block : blocks) {
    x_size += block.X.size();
    y_size += block.y.size();
    weight_size += block.weights.size();
  }
  all.X.reserve(x_size);
  all.y.reserve(y_size);
  all.weights.reserve(weight_size);
  for (RowBlock& block : blocks) {
    all.X.insert(all.X.end(), block.X.begin(), block.X.end());
    all.y.insert(all.y.end(), block.y.begin(), block.y.end());
    all.weights.insert(all.weights.end(), block.weights.begin(), block.weights.end());
    all.rows += block.rows;
    block = RowBlock{};  // free as we go
  }
  return all;
}

// A run of records of the file: [begin, end), the first starting at line `first_line`.
struct RecordRange {
  const char* begin = nullptr;
  const char* end = nullptr;
  int64_t first_line = 1;
};

// Walks the records of [begin, end) without parsing their cells: where each ends, and on which
// line. A quote-free file goes line by line (memchr); one with quotes goes through the scanner,
// since a quoted field may hold a newline. Blank lines are not records, as for the scanner.
// Lines that end in a carriage return alone (old Mac OS files) read as one line holding them:
// said so, not "mixes numbers and other cells". Looked for in the first line: a CR there, with
// more text after it, outside quotes.
void refuse_lone_carriage_returns(const char* begin, const char* end, const std::string& path) {
  bool quoted = false;
  for (const char* c = begin; c != end && *c != '\n'; ++c) {
    if (*c == '"') quoted = !quoted;
    if (*c == '\r' && !quoted && c + 1 != end && c[1] != '\n') {
      throw InputError(path +
                       ": line 1: a carriage return before the line's end: are its lines "
                       "ended by CR alone (old Mac OS)? Convert them to LF (tr '\\r' '\\n')");
    }
  }
}

class RecordWalker {
 public:
  RecordWalker(const char* begin, const char* end, int64_t first_line, char delimiter,
               const std::string& source)
      : position_(begin),
        end_(end),
        line_(first_line),
        quoted_(std::memchr(begin, '"', static_cast<size_t>(end - begin)) != nullptr),
        scanner_(begin, end, delimiter, source, first_line) {}

  const char* position() const { return position_; }
  int64_t line() const { return line_; }

  // Moves past the next record (and the blank lines before it); false when none is left.
  bool skip() {
    if (quoted_) {
      int64_t ignored = 0;
      const bool found = scanner_.next(fields_, ignored);
      position_ = scanner_.position();
      line_ = scanner_.line();
      return found;
    }
    while (position_ != end_) {
      const auto* newline = static_cast<const char*>(
          std::memchr(position_, '\n', static_cast<size_t>(end_ - position_)));
      const char* line_end = newline != nullptr ? newline : end_;
      const bool blank = line_end == position_ || (line_end - position_ == 1 && *position_ == '\r');
      position_ = newline != nullptr ? newline + 1 : end_;
      if (newline != nullptr) ++line_;
      if (!blank) return true;
    }
    return false;
  }

 private:
  const char* position_;
  const char* end_;
  int64_t line_;
  bool quoted_;
  CsvScanner scanner_;
  std::vector<Field> fields_;
};

// The records of `share` among the data records of `data` (counted first), and their total.
RecordRange share_of_records(const RecordRange& data, const RowShare& share, char delimiter,
                             const std::string& source, int64_t& total) {
  total = 0;
  RecordWalker counter(data.begin, data.end, data.first_line, delimiter, source);
  while (counter.skip()) ++total;
  RecordWalker walker(data.begin, data.end, data.first_line, delimiter, source);
  for (int64_t r = share.first_row(total); r > 0; --r) walker.skip();
  RecordRange range{walker.position(), data.end, walker.line()};
  for (int64_t r = share.row_count(total); r > 0; --r) walker.skip();
  range.end = walker.position();
  return range;
}

}  // namespace

Dataset read_csv(const InputBytes& input, const ReadOptions& options) {
  const std::string& path = input.name();
  const char* begin = input.data();
  const char* end = begin + input.size();
  // A UTF-8 byte-order mark (spreadsheets write one) is not part of the first cell.
  if (input.starts_with("\xEF\xBB\xBF")) begin += 3;
  // UTF-16 (Excel's "Unicode text", PowerShell's default) holds a NUL in every ASCII character.
  if (input.starts_with("\xFF\xFE") || input.starts_with("\xFE\xFF")) {
    throw InputError(path + ": UTF-16 text (its byte-order mark " +
                     (input.starts_with("\xFF\xFE") ? "FF FE" : "FE FF") +
                     "); save the CSV as UTF-8 or ASCII");
  }
  refuse_lone_carriage_returns(begin, end, path);
  const char delimiter = options.delimiter.value_or(',');
  CsvScanner scanner(begin, end, delimiter, path);
  std::vector<Field> fields;
  int64_t line = 0;
  if (!scanner.next(fields, line)) {
    throw InputError(path + (begin == end ? ": the file is empty" : ": only blank lines, no data"));
  }

  if (fields.size() == 1) refuse_other_delimiter(begin, end, delimiter, path);
  const bool has_header = is_header(fields, options, path);
  const auto columns = static_cast<int64_t>(fields.size());
  std::vector<std::string> names;
  if (has_header) {
    for (const Field& field : fields) names.emplace_back(trim(field.text));
  }
  const ColumnPlan plan = plan_columns(columns, names, options, path);
  // Names go into model files (JSON) and Python's strings, which hold UTF-8 alone: the name of a
  // column read (every one, in training) that is not is named now, not after training by the
  // JSON writer; one left out (by predict and evaluate) is only shown, escaped.
  for (size_t c = 0; c < names.size(); ++c) {
    if (plan.destination[c] == kIgnoredColumn || is_utf8(names[c])) continue;
    throw InputError(path + ": line " + std::to_string(line) + ", column " + std::to_string(c + 1) +
                     ": the header's name " + quoted_text(names[c]) +
                     " is not UTF-8 text (Latin-1 or Windows-1252, say); save the CSV as UTF-8");
  }
  TableShape shape;
  shape.columns = columns;
  shape.plan = &plan;
  shape.delimiter = delimiter;
  shape.path = &path;

  Dataset dataset;
  dataset.source = path;
  dataset.features = plan.features;
  dataset.feature_names = plan.feature_names;
  dataset.target_name = plan.target_name;
  dataset.named_by_header = has_header;
  dataset.target_column = plan.target_column;
  dataset.weight_column = plan.weight_column;
  dataset.ignored_columns = plan.ignored;
  // Without a header the first record is data: parse from the start of the file.
  RecordRange data = has_header ? RecordRange{scanner.position(), end, scanner.line()}
                                : RecordRange{begin, end, 1};
  int64_t file_rows = 0;  // counted first for a share
  if (!options.share.whole()) {
    data = share_of_records(data, options.share, delimiter, path, file_rows);
  }
  RowBlock rows = parse_data(data.begin, data.end, data.first_line, shape, options.parse_threads);
  if (options.share.whole()) file_rows = rows.rows;
  if (file_rows == 0) throw InputError(path + ": no data rows after the header");
  dataset.rows = rows.rows;
  dataset.first_row = options.share.first_row(file_rows);
  dataset.file_rows = file_rows;
  dataset.X = std::move(rows.X);
  dataset.y = std::move(rows.y);
  dataset.sample_weights = std::move(rows.weights);
  return dataset;
}

}  // namespace linsgd
