// The bytes of an input, whatever it is: a regular file is memory-mapped (a multi-gigabyte CSV
// is never copied), standard input ("-"), a pipe, a FIFO or a device is read to its end, and
// gzip data (recognized by its magic bytes, not its name) is inflated with zlib.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace linsgd {

class InputBytes {
 public:
  // Throws InputError "cannot open <path>: <reason>" / "cannot read <path>: <reason>", or for
  // gzip data that does not inflate.
  explicit InputBytes(const std::string& path);
  // Bytes already in memory, called `name` in messages (the fuzz targets' input). Gzip data is
  // inflated as from a file, refused (InputError) when it would pass `max_inflated_bytes`.
  InputBytes(std::string name, std::vector<char> bytes, size_t max_inflated_bytes);
  ~InputBytes();
  InputBytes(const InputBytes&) = delete;
  InputBytes& operator=(const InputBytes&) = delete;

  const char* data() const { return data_; }
  size_t size() const { return size_; }
  bool starts_with(const std::string& magic) const;
  // "standard input" for "-", else the path.
  const std::string& name() const { return name_; }

 private:
  void read_stream(int fd);
  void inflate_gzip(size_t max_inflated_bytes);

  std::string name_;
  const char* data_ = nullptr;
  size_t size_ = 0;
  void* mapped_ = nullptr;  // the mapping of a regular file, or null
  size_t mapped_size_ = 0;
  std::vector<char> owned_;  // read from a stream, or inflated
};

}  // namespace linsgd
