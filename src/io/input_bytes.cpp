// InputBytes: open and fstat; mmap a regular file, read anything else; inflate gzip.
#include "io/input_bytes.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>

#include "linsgd/errors.hpp"

namespace linsgd {
namespace {

constexpr char kGzipMagic[] = "\x1f\x8b";

// A NUL byte in the first bytes of a file or stream that is not gzip or a .npy array (whose headers
// hold them), nor UTF-16 text or a zip archive (which the readers name, with advice): binary data,
// refused before more is read (a device such as /dev/zero never ends). `inflated`: the first bytes
// gzip data inflates to (a gzip of zeros inflates a thousandfold).
void refuse_binary_data(const std::string& name, std::string_view first, bool inflated = false) {
  if (inflated && first.substr(0, 2) == kGzipMagic) {
    throw InputError(name +
                     ": gzip data inflated from gzip (compressed twice?); gunzip it once "
                     "and read the file that gives");
  }
  for (const std::string_view magic :
       {std::string_view("\x1f\x8b"), std::string_view("\x93NUMPY"), std::string_view("\xff\xfe"),
        std::string_view("\xfe\xff"), std::string_view("PK\x03\x04")}) {
    if (first.substr(0, magic.size()) == magic) return;
  }
  const size_t nul = first.find('\0');
  if (nul != std::string_view::npos) {
    throw InputError(name + ": binary data" + (inflated ? " inflated from gzip" : "") +
                     " (a NUL byte at offset " + std::to_string(nul) + "), not CSV text" +
                     (inflated ? " or a .npy array" : ", gzip or a .npy array"));
  }
}

}  // namespace

InputBytes::InputBytes(const std::string& path) : name_(path == "-" ? "standard input" : path) {
  const int fd = path == "-" ? STDIN_FILENO : ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw InputError("cannot open " + name_ + ": " + std::strerror(errno));
  struct stat status {};
  if (::fstat(fd, &status) != 0 || S_ISDIR(status.st_mode)) {
    const int error = S_ISDIR(status.st_mode) ? EISDIR : errno;
    if (fd != STDIN_FILENO) ::close(fd);
    throw InputError("cannot read " + name_ + ": " + std::strerror(error));
  }
  if (S_ISREG(status.st_mode) && status.st_size > 0) {
    mapped_size_ = static_cast<size_t>(status.st_size);
    mapped_ = ::mmap(nullptr, mapped_size_, PROT_READ, MAP_PRIVATE, fd, 0);
    if (mapped_ == MAP_FAILED) {
      const int error = errno;
      mapped_ = nullptr;
      if (fd != STDIN_FILENO) ::close(fd);
      throw InputError("cannot read " + name_ + ": " + std::strerror(error));
    }
    ::madvise(mapped_, mapped_size_, MADV_SEQUENTIAL);
    data_ = static_cast<const char*>(mapped_);
    size_ = mapped_size_;
  } else if (!S_ISREG(status.st_mode)) {
    try {
      read_stream(fd);
    } catch (...) {
      if (fd != STDIN_FILENO) ::close(fd);
      throw;
    }
  }
  if (fd != STDIN_FILENO) ::close(fd);
  try {  // (a constructor that throws runs no destructor: the mapping is released here)
    if (mapped_ != nullptr) {  // a stream's first bytes were looked at as it was read
      refuse_binary_data(name_, std::string_view(data_, std::min<size_t>(size_, 4096)));
    }
    if (starts_with(kGzipMagic)) inflate_gzip(SIZE_MAX);
  } catch (...) {
    if (mapped_ != nullptr) ::munmap(mapped_, mapped_size_);
    throw;
  }
}

InputBytes::InputBytes(std::string name, std::vector<char> bytes, size_t max_inflated_bytes)
    : name_(std::move(name)), owned_(std::move(bytes)) {
  data_ = owned_.data();
  size_ = owned_.size();
  if (starts_with(kGzipMagic)) inflate_gzip(max_inflated_bytes);
}

InputBytes::~InputBytes() {
  if (mapped_ != nullptr) ::munmap(mapped_, mapped_size_);
}

bool InputBytes::starts_with(const std::string& magic) const {
  return size_ >= magic.size() && std::memcmp(data_, magic.data(), magic.size()) == 0;
}

void InputBytes::read_stream(int fd) {
  size_t filled = 0;
  owned_.resize(size_t{1} << 20);
  bool looked = false;
  for (;;) {
    if (filled == owned_.size()) {
      if (!looked) refuse_binary_data(name_, std::string_view(owned_.data(), 4096));
      looked = true;
      owned_.resize(owned_.size() * 2);
    }
    const ssize_t got = ::read(fd, owned_.data() + filled, owned_.size() - filled);
    if (got < 0) {
      if (errno == EINTR) continue;
      throw InputError("cannot read " + name_ + ": " + std::strerror(errno));
    }
    if (got == 0) break;
    filled += static_cast<size_t>(got);
  }
  if (!looked)
    refuse_binary_data(name_, std::string_view(owned_.data(), std::min<size_t>(filled, 4096)));
  owned_.resize(filled);
  data_ = owned_.data();
  size_ = owned_.size();
}

// Inflates every gzip member (gzip files may be concatenations) into a new buffer.
void InputBytes::inflate_gzip(size_t max_inflated_bytes) {
  std::vector<char> inflated(std::min(max_inflated_bytes, std::max<size_t>(size_ * 4, 1 << 16)));
  struct Inflater {  // zlib's state, ended on every way out
    z_stream stream{};
    ~Inflater() { inflateEnd(&stream); }
  } inflater;
  z_stream& stream = inflater.stream;
  if (inflateInit2(&stream, 16 + MAX_WBITS) != Z_OK) {
    throw InputError(name_ + ": cannot start zlib to inflate gzip data");
  }
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data_));
  size_t input_left = size_;
  size_t filled = 0;
  int status = Z_OK;
  bool looked = false;  // at the first bytes inflated, for binary data
  for (;;) {
    if (!looked && filled >= 4096) {
      refuse_binary_data(name_, std::string_view(inflated.data(), 4096), true);
      looked = true;
    }
    if (filled == inflated.size()) {
      if (filled >= max_inflated_bytes) {
        throw InputError(name_ + ": gzip data inflates beyond " +
                         std::to_string(max_inflated_bytes) + " bytes");
      }
      inflated.resize(std::min(max_inflated_bytes, inflated.size() * 2));
    }
    // zlib counts in 32-bit units: feed and drain it at most 1 GiB at a time.
    const auto input_now = static_cast<uInt>(std::min<size_t>(input_left, size_t{1} << 30));
    const auto output_now =
        static_cast<uInt>(std::min<size_t>(inflated.size() - filled, size_t{1} << 30));
    stream.avail_in = input_now;
    stream.next_out = reinterpret_cast<Bytef*>(inflated.data() + filled);
    stream.avail_out = output_now;
    status = inflate(&stream, Z_NO_FLUSH);
    input_left -= input_now - stream.avail_in;
    filled += output_now - stream.avail_out;
    if (status == Z_STREAM_END) {
      if (input_left == 0) break;
      inflateReset(&stream);  // the next member
      continue;
    }
    if (status != Z_OK && status != Z_BUF_ERROR) break;
    if (status == Z_BUF_ERROR && input_left == 0 && stream.avail_out != 0) break;  // truncated
  }
  if (status != Z_STREAM_END) {
    const std::string problem = stream.msg != nullptr ? std::string(" (") + stream.msg + ")" : "";
    throw InputError(name_ + ": damaged or truncated gzip data" + problem);
  }
  if (!looked) refuse_binary_data(name_, std::string_view(inflated.data(), filled), true);
  inflated.resize(filled);
  owned_ = std::move(inflated);
  if (mapped_ != nullptr) {
    ::munmap(mapped_, mapped_size_);
    mapped_ = nullptr;
  }
  data_ = owned_.data();
  size_ = owned_.size();
}

}  // namespace linsgd
