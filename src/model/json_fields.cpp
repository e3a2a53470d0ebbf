// JsonFields, float_array, read_text_file, read_json_file and parse_json_text.
#include "model/json_fields.hpp"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <system_error>

#include "linsgd/errors.hpp"

namespace linsgd {

Json float_array(const std::vector<float>& values) {
  Json array = Json::array();
  for (float v : values) array.push_back(static_cast<double>(v));
  return array;
}

std::string shown_value(const Json& json, const std::string& key) {
  return json.contains(key) ? json.at(key).dump() : std::string("nothing");
}

namespace {

std::ifstream open_for_reading(const std::string& path, const std::string& cannot_open) {
  std::error_code ignored;
  if (std::filesystem::is_directory(path, ignored)) {
    throw InputError(cannot_open + ": is a directory");
  }
  errno = 0;
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    throw InputError(cannot_open + (errno != 0 ? std::string(": ") + std::strerror(errno) : ""));
  }
  return file;
}

// `start` (the bytes read so far) followed by the rest of `file`.
std::string rest_of(std::ifstream& file, std::string start, const std::string& cannot_open) {
  std::ostringstream text;
  text << start;
  if (file) text << file.rdbuf();
  if (file.bad()) throw InputError(cannot_open + ": read failed");
  return text.str();
}

// The parser's message with the bytes it quotes from a binary file (past ASCII, or control
// characters) as \xHH: an error line is text, and Python decodes it as UTF-8.
std::string ascii_only(const std::string& message) {
  std::string shown;
  for (const char c : message) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x20 && byte < 0x7f) {
      shown += c;
    } else {
      char escaped[5];
      std::snprintf(escaped, sizeof escaped, "\\x%02X", byte);
      shown += escaped;
    }
  }
  return shown;
}

void refuse_npy(const std::string& text, const std::string& source, const std::string& what) {
  if (text.rfind("\x93NUMPY", 0) == 0) {
    throw InputError(source + ": a .npy array, not a " + what);
  }
}

}  // namespace

std::string read_text_file(const std::string& path, const std::string& cannot_open) {
  std::ifstream file = open_for_reading(path, cannot_open);
  return rest_of(file, "", cannot_open);
}

std::string read_json_file(const std::string& path, const std::string& cannot_open,
                           const std::string& source, const std::string& what) {
  std::ifstream file = open_for_reading(path, cannot_open);
  constexpr std::streamsize kStart = 4096;
  std::string start(static_cast<size_t>(kStart), '\0');
  file.read(start.data(), kStart);
  if (file.bad()) throw InputError(cannot_open + ": read failed");
  start.resize(static_cast<size_t>(file.gcount()));
  require_json_object_start(start, source, what);
  return rest_of(file, std::move(start), cannot_open);
}

void require_json_object_start(const std::string& start, const std::string& source,
                               const std::string& what) {
  refuse_npy(start, source, what);
  const size_t after_bom = start.rfind("\xEF\xBB\xBF", 0) == 0 ? 3 : 0;  // UTF-8's, as the parser
  const size_t first = start.find_first_not_of(" \t\r\n", after_bom);
  if (first != std::string::npos && start[first] != '{') {
    throw InputError(source + ": not a valid " + what + " (a JSON object, which begins with '{'; " +
                     "this file begins with '" + ascii_only(start.substr(first, 16)) + "')");
  }
}

namespace {

// The parser's events, for the first key repeated within one object (nothing else is kept).
class KeyRepetitions : public nlohmann::json_sax<Json> {
 public:
  const std::optional<std::string>& repeated() const { return repeated_; }

  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override {
    open_.emplace_back();
    return true;
  }
  bool key(string_t& key) override {
    if (!open_.back().insert(key).second) repeated_ = key;
    return !repeated_;  // the first is enough: stop there
  }
  bool end_object() override {
    open_.pop_back();
    return true;
  }
  bool start_array(std::size_t) override { return true; }
  bool end_array() override { return true; }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    return false;
  }

 private:
  std::vector<std::set<std::string>> open_;
  std::optional<std::string> repeated_;
};

}  // namespace

Json parse_json_text(const std::string& text, const std::string& source, const std::string& what) {
  refuse_npy(text, source, what);
  Json json;
  try {
    json = Json::parse(text);
  } catch (const nlohmann::json::exception& error) {
    throw InputError(source + ": not a valid " + what +
                     " (truncated or not JSON): " + ascii_only(error.what()));
  }
  // A key twice in one object: JSON leaves which counts unsaid (nlohmann keeps the last, other
  // readers the first), so an edited file could mean two things. A second pass of the parser's
  // events (linear: a parse callback would rescan each container as it closes) keeps the keys of
  // each open object on a stack and names the first repeated one.
  KeyRepetitions keys;
  Json::sax_parse(text, &keys);
  if (const std::optional<std::string>& repeated = keys.repeated()) {
    throw InputError(source + ": the key " + Json(*repeated).dump() +
                     " comes twice in one object (which one counts is not defined)");
  }
  return json;
}

void JsonFields::fail(const std::string& problem) const {
  throw InputError(source_ + ": " + problem);
}

const Json& JsonFields::field(const Json& object, const char* key) const {
  if (!object.is_object() || !object.contains(key)) fail(std::string("missing '") + key + "'");
  return object.at(key);
}

float JsonFields::finite_float(const Json& value, const std::string& what) const {
  if (!value.is_number()) fail(what + " is not a number");
  const double number = value.get<double>();
  const auto single = static_cast<float>(number);
  if (!std::isfinite(number) || !std::isfinite(single)) fail(what + " is not a finite float");
  return single;
}

double JsonFields::finite_double(const Json& value, const std::string& what) const {
  if (!value.is_number()) fail(what + " is not a number");
  const double number = value.get<double>();
  if (!std::isfinite(number)) fail(what + " is not finite");
  return number;
}

int64_t JsonFields::integer(const Json& object, const char* key, int64_t minimum) const {
  const Json& value = field(object, key);
  // A float, or an unsigned integer past int64, would go through nlohmann's unchecked cast.
  if (!value.is_number_integer() ||
      (value.is_number_unsigned() && value.get<uint64_t>() > uint64_t{INT64_MAX})) {
    fail(std::string("'") + key + "' is not an integer");
  }
  const auto number = value.get<int64_t>();
  if (number < minimum) {
    fail(std::string("'") + key + "' is " + std::to_string(number) + ", below " +
         std::to_string(minimum));
  }
  return number;
}

std::vector<float> JsonFields::float_vector(const Json& object, const char* key,
                                            int64_t expected) const {
  const Json& array = field(object, key);
  if (!array.is_array()) fail(std::string("'") + key + "' is not an array");
  if (expected >= 0 && static_cast<int64_t>(array.size()) != expected) {
    fail(std::string("'") + key + "' has " + std::to_string(array.size()) + " values, expected " +
         std::to_string(expected));
  }
  std::vector<float> values;
  values.reserve(array.size());
  for (size_t i = 0; i < array.size(); ++i) {
    values.push_back(finite_float(array[i], std::string(key) + "[" + std::to_string(i) + "]"));
  }
  return values;
}

}  // namespace linsgd
