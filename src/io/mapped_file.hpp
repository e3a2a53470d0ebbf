// A read-only memory map of a whole file (RAII). Data files are parsed straight from the map,
// so a multi-gigabyte CSV is never copied into a std::string.
#pragma once

#include <cstddef>
#include <string>

namespace linsgd {

class MappedFile {
 public:
  // Throws InputError "cannot open <path>: <reason>".
  explicit MappedFile(const std::string& path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  const char* data() const { return data_; }
  size_t size() const { return size_; }

 private:
  const char* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace linsgd
