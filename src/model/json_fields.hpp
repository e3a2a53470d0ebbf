// Reading linsgd's JSON files (the model file, the checkpoint) field by field, each problem a
// one-line InputError that names the file and the field; and writing floats so that they read
// back bit for bit.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace linsgd {

using Json = nlohmann::ordered_json;

// Floats go through double, which nlohmann writes with 17 significant digits: exact round trip.
Json float_array(const std::vector<float>& values);

// json[key] as JSON text, or "nothing" where the key is absent: for messages that compare two
// sets of options, either of which may lack a key.
std::string shown_value(const Json& json, const std::string& key);

// The whole of the file at `path`, or InputError "CANNOT_OPEN: <reason>" (a directory's reason:
// "is a directory").
std::string read_text_file(const std::string& path, const std::string& cannot_open);

// The whole of the JSON file at `path` (a model or checkpoint), as read_text_file; a file that
// is no JSON object (past white space, its first byte not '{': a data file or a device given by
// mistake) is refused from its first bytes, before the rest is read, as InputError "SOURCE: not
// a valid WHAT (...)" quoting them (or "SOURCE: a .npy array, not a WHAT").
std::string read_json_file(const std::string& path, const std::string& cannot_open,
                           const std::string& source, const std::string& what);

// The check read_json_file makes of a file's first bytes, on text read otherwise (standard
// input, say).
void require_json_object_start(const std::string& start, const std::string& source,
                               const std::string& what);

// `text` parsed, or InputError "SOURCE: not a valid WHAT (truncated or not JSON): ...", or
// naming a key that comes twice in one object (whose meaning JSON leaves open).
Json parse_json_text(const std::string& text, const std::string& source, const std::string& what);

class JsonFields {
 public:
  explicit JsonFields(std::string source) : source_(std::move(source)) {}

  [[noreturn]] void fail(const std::string& problem) const;
  // object[key], or "missing 'key'".
  const Json& field(const Json& object, const char* key) const;
  float finite_float(const Json& value, const std::string& what) const;
  double finite_double(const Json& value, const std::string& what) const;
  // object[key] as an integer >= minimum.
  int64_t integer(const Json& object, const char* key, int64_t minimum) const;
  // object[key] as finite floats, `expected` of them (any count when negative).
  std::vector<float> float_vector(const Json& object, const char* key, int64_t expected) const;
  const std::string& source() const { return source_; }

 private:
  std::string source_;
};

}  // namespace linsgd
