// write_file_atomically: temporary file in the destination's directory, fsync, rename.
#include "io/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include "linsgd/errors.hpp"

namespace linsgd {
namespace {

// Writes all of `content` to `fd` and flushes it to disk; returns 0 or the errno of the failure.
int write_all_and_sync(int fd, const std::string& content) {
  const char* cursor = content.data();
  size_t left = content.size();
  while (left > 0) {
    const ssize_t written = ::write(fd, cursor, left);
    if (written < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    cursor += written;
    left -= static_cast<size_t>(written);
  }
  return ::fsync(fd) == 0 ? 0 : errno;
}

}  // namespace

void write_file_atomically(const std::string& path, const std::string& content) {
  const std::string pattern = path + ".tmp.XXXXXX";
  std::vector<char> temporary(pattern.begin(), pattern.end());
  temporary.push_back('\0');
  const int fd = ::mkstemp(temporary.data());
  if (fd < 0) throw Error("cannot write " + path + ": " + std::strerror(errno));
  // mkstemp creates the file 0600; give it the permissions a plain open() would have.
  const mode_t mask = ::umask(0);
  ::umask(mask);
  int error = ::fchmod(fd, 0666 & ~mask) == 0 ? 0 : errno;
  if (error == 0) error = write_all_and_sync(fd, content);
  if (::close(fd) != 0 && error == 0) error = errno;
  if (error == 0 && std::rename(temporary.data(), path.c_str()) != 0) error = errno;
  if (error != 0) {
    std::remove(temporary.data());
    throw Error("cannot write " + path + ": " + std::strerror(error));
  }
}

}  // namespace linsgd
