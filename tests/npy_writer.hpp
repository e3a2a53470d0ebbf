// Writes .npy files for tests, byte by byte as NumPy's format specification describes, so the
// reader is checked against the format rather than against itself. Knobs make broken files.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace linsgd::testing {

struct NpySpec {
  std::string descr = "<f4";
  bool fortran_order = false;
  std::vector<int64_t> shape;
  size_t drop_payload_bytes = 0;        // truncate the payload by this many bytes
  bool quoted_descr = true;             // false writes descr as is (a structured dtype's list)
  std::string fortran_order_text = "";  // written in place of True or False when not empty
  std::string extra_entries = "";       // written after the shape's entry (", 'key': value")
};

inline std::string npy_bytes(const NpySpec& spec, const std::vector<double>& values) {
  std::string shape = "(";
  for (size_t i = 0; i < spec.shape.size(); ++i) {
    shape += std::to_string(spec.shape[i]) + (spec.shape.size() == 1 ? "," : "");
    if (i + 1 < spec.shape.size()) shape += ", ";
  }
  shape += ")";
  const std::string quote = spec.quoted_descr ? "'" : "";
  std::string header = "{'descr': " + quote + spec.descr + quote + ", 'fortran_order': " +
                       (!spec.fortran_order_text.empty() ? spec.fortran_order_text
                        : spec.fortran_order             ? "True"
                                                         : "False") +
                       ", 'shape': " + shape + spec.extra_entries + ", }";
  // Pad with spaces so magic + version + length + header + '\n' is a multiple of 64.
  while ((10 + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::string bytes = "\x93NUMPY";
  bytes += '\x01';
  bytes += '\x00';
  bytes += static_cast<char>(header.size() & 0xff);
  bytes += static_cast<char>(header.size() >> 8);
  bytes += header;
  for (double v : values) {
    if (spec.descr == "<f8") {
      char raw[8];
      std::memcpy(raw, &v, 8);
      bytes.append(raw, 8);
    } else {
      const auto f = static_cast<float>(v);
      char raw[4];
      std::memcpy(raw, &f, 4);
      bytes.append(raw, 4);
    }
  }
  bytes.resize(bytes.size() - spec.drop_payload_bytes);
  return bytes;
}

}  // namespace linsgd::testing
