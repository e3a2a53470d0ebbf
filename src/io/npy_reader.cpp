// locate_npy: parses the header dict with a few targeted lookups (the format writes it with
// Python's repr, keys in a fixed set) and finds the payload; NpyPayload::copy_to copies or
// converts it; read_npy does both.
#include "io/npy_reader.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string_view>
#include <utility>

#include "io/input_bytes.hpp"
#include "linsgd/errors.hpp"

namespace linsgd {
namespace {

// The text after `'key':` in the header dict, with leading spaces removed. A key written twice
// is refused (NumPy would take the last, a first-found reading the first: the same bytes read
// two ways).
std::string_view value_of(std::string_view header, std::string_view key, const std::string& path) {
  const std::string quoted = "'" + std::string(key) + "'";
  const size_t at = header.find(quoted);
  const size_t colon = at == std::string_view::npos ? at : header.find(':', at + quoted.size());
  if (colon == std::string_view::npos) {
    throw InputError(path + ": .npy header has no '" + std::string(key) + "' entry");
  }
  if (header.find(quoted, at + quoted.size()) != std::string_view::npos) {
    throw InputError(path + ": .npy header has the '" + std::string(key) + "' entry twice");
  }
  std::string_view rest = header.substr(colon + 1);
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  return rest;
}

// A header's Python bool (True or False, then the dict goes on or ends).
bool parse_flag(std::string_view text, std::string_view key, const std::string& path) {
  for (const auto& [word, value] :
       {std::pair<std::string_view, bool>{"True", true}, {"False", false}}) {
    if (text.substr(0, word.size()) == word &&
        (text.size() == word.size() ||
         std::string_view(", }").find(text[word.size()]) != std::string_view::npos)) {
      return value;
    }
  }
  throw InputError(path + ": .npy header's '" + std::string(key) + "' is " +
                   std::string(text.substr(0, std::min<size_t>(text.find_first_of(",}"), 20))) +
                   " (must be True or False)");
}

std::vector<int64_t> parse_shape(std::string_view text, const std::string& path) {
  if (text.empty() || text.front() != '(') throw InputError(path + ": .npy shape is malformed");
  const size_t close = text.find(')');
  if (close == std::string_view::npos) throw InputError(path + ": .npy shape is malformed");
  std::vector<int64_t> shape;
  std::string_view inside = text.substr(1, close - 1);
  while (!inside.empty()) {
    while (!inside.empty() && (inside.front() == ' ' || inside.front() == ',')) {
      inside.remove_prefix(1);
    }
    if (inside.empty()) break;
    // At most 15 digits (a dimension below 10^15), counted before they are added up, so a long
    // run of digits cannot overflow.
    int64_t dimension = 0;
    size_t digits = 0;
    while (digits < inside.size() && inside[digits] >= '0' && inside[digits] <= '9') {
      if (++digits > 15) {
        throw InputError(path + ": .npy shape has a dimension of more than 15 digits");
      }
      dimension = dimension * 10 + (inside[digits - 1] - '0');
    }
    if (digits == 0) throw InputError(path + ": .npy shape is malformed");
    shape.push_back(dimension);
    inside.remove_prefix(digits);
  }
  return shape;
}

}  // namespace

NpyPayload locate_npy(const InputBytes& input, RowShare share) {
  const std::string& path = input.name();
  const std::string_view bytes(input.data(), input.size());
  if (bytes.size() < 10 || !input.starts_with(kNpyMagic)) {
    throw InputError(path + ": not a .npy file (no \\x93NUMPY magic)");
  }
  const auto major = static_cast<unsigned char>(bytes[6]);
  size_t header_length = 0;
  size_t header_start = 0;
  if (major == 1) {
    header_length = static_cast<unsigned char>(bytes[8]) |
                    (static_cast<size_t>(static_cast<unsigned char>(bytes[9])) << 8);
    header_start = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12) throw InputError(path + ": .npy header is truncated");
    for (int i = 3; i >= 0; --i) {
      header_length = (header_length << 8) | static_cast<unsigned char>(bytes[8 + i]);
    }
    header_start = 12;
  } else {
    throw InputError(path + ": unsupported .npy version " + std::to_string(major));
  }
  if (header_start + header_length > bytes.size()) {
    throw InputError(path + ": .npy header is truncated");
  }
  const std::string_view header = bytes.substr(header_start, header_length);

  const std::string_view descr = value_of(header, "descr", path);
  size_t item_size = 0;
  if (descr.substr(0, 5) == "'<f4'") {
    item_size = 4;
  } else if (descr.substr(0, 5) == "'<f8'") {
    item_size = 8;
  } else {
    // The whole dtype: a quoted name, or a structured dtype's bracketed list of fields.
    size_t end = descr.find_first_of(",}");
    if (!descr.empty() && descr.front() == '[') {
      int depth = 0;
      for (end = 0; end < descr.size(); ++end) {
        depth += descr[end] == '[' ? 1 : descr[end] == ']' ? -1 : 0;
        if (depth == 0) break;
      }
      end = std::min(end + 1, descr.size());
    }
    throw InputError(path + ": unsupported dtype " + std::string(descr.substr(0, end)) +
                     " (linsgd reads little-endian float32 '<f4' or float64 '<f8')");
  }
  if (parse_flag(value_of(header, "fortran_order", path), "fortran_order", path)) {
    throw InputError(path + ": Fortran-order array; save it in C order (np.ascontiguousarray)");
  }
  NpyPayload array;
  array.item_size = static_cast<int>(item_size);
  array.shape = parse_shape(value_of(header, "shape", path), path);
  uint64_t count = 1;
  for (int64_t dimension : array.shape) {
    if (dimension != 0 && count > (uint64_t{1} << 60) / static_cast<uint64_t>(dimension)) {
      throw InputError(path + ": .npy shape is too large");
    }
    count *= static_cast<uint64_t>(dimension);
  }
  const size_t payload_start = header_start + header_length;
  const uint64_t expected = count * item_size;
  const uint64_t available = bytes.size() - payload_start;
  if (available < expected) {
    throw InputError(path + ": truncated .npy payload: the shape needs " +
                     std::to_string(expected) + " bytes of data, the file holds " +
                     std::to_string(available));
  }
  if (available > expected) {  // np.save writes none: a shape that undercounts the data
    throw InputError(path + ": " + std::to_string(available - expected) +
                     " bytes after the .npy data: the shape in its header needs " +
                     std::to_string(expected) + " bytes, the file holds " +
                     std::to_string(available) + " (one array a file, as np.save writes it)");
  }
  // The share's rows of the first dimension: a run of whole rows of the C-order payload.
  uint64_t first = 0;
  if (!share.whole() && !array.shape.empty()) {
    const int64_t rows = array.shape[0];
    const uint64_t row_values = rows == 0 ? 0 : count / static_cast<uint64_t>(rows);
    array.first_row = share.first_row(rows);
    first = static_cast<uint64_t>(array.first_row) * row_values;
    count = static_cast<uint64_t>(share.row_count(rows)) * row_values;
  }
  array.count = count;
  array.data = bytes.data() + payload_start + first * item_size;
  return array;
}

void NpyPayload::copy_to(uint64_t first, uint64_t n, float* out) const {
  if (n == 0) return;  // (memcpy to or from a null pointer is undefined, even of 0 bytes)
  const char* from = data + first * static_cast<uint64_t>(item_size);
  if (item_size == 4) {
    std::memcpy(out, from, n * 4);
    return;
  }
  for (uint64_t i = 0; i < n; ++i) {
    double value = 0.0;
    std::memcpy(&value, from + i * 8, 8);
    out[i] = static_cast<float>(value);
  }
}

NpyArray read_npy(const InputBytes& input, RowShare share) {
  const NpyPayload payload = locate_npy(input, share);
  NpyArray array;
  array.shape = payload.shape;
  array.first_row = payload.first_row;
  array.values.resize(payload.count);
  payload.copy_to(0, payload.count, array.values.data());
  return array;
}

}  // namespace linsgd
