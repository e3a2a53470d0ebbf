// plan_output, OutputWriter and the checked writes to standard output.
#include "io/output_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <optional>
#include <vector>

#include "io/temporary_files.hpp"

namespace linsgd {
namespace {

constexpr int kMaxLinks = 40;  // as the kernel's own limit on a path's symbolic links

std::string directory_of(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

std::string base_name_of(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// The descriptor `path` names when it is an entry of this process's descriptor directory,
// however spelled: /dev/fd/N, /proc/self/fd/N, /proc/thread-self/fd/N, /proc/PID/fd/N. (Those
// entries are links to what the descriptor has open: followed, a file would be reopened from its
// start and replaced, and a pipe's "pipe:[N]" is no path at all.)
std::optional<int> descriptor_named(const std::string& path) {
  const std::string name = base_name_of(path);
  if (name.empty() || name.size() > 9 ||
      name.find_first_not_of("0123456789") != std::string::npos) {
    return std::nullopt;
  }
  char resolved[PATH_MAX];
  if (::realpath(directory_of(path).c_str(), resolved) == nullptr) return std::nullopt;
  const std::string directory = resolved;
  const std::string process = "/proc/" + std::to_string(::getpid());
  const bool ours = directory == process + "/fd" ||
                    (directory.rfind(process + "/task/", 0) == 0 && directory.size() > 3 &&
                     directory.compare(directory.size() - 3, 3, "/fd") == 0);
  if (!ours) return std::nullopt;
  return std::stoi(name);
}

// Follows `path` link by link to the file it finally names (which need not exist yet), or stops
// at a descriptor's entry (descriptor_named), which it returns as it is.
std::string follow_links(const std::string& path, const std::string& label) {
  std::string current = path;
  for (int hops = 0;; ++hops) {
    if (descriptor_named(current)) return current;
    struct stat status {};
    if (::lstat(current.c_str(), &status) != 0) {
      if (errno == ENOENT) return current;
      throw UsageError(label + ": " + std::strerror(errno));
    }
    if (!S_ISLNK(status.st_mode)) return current;
    if (hops == kMaxLinks) throw UsageError(label + ": too many levels of symbolic links");
    std::vector<char> target(PATH_MAX + 1);
    const ssize_t length = ::readlink(current.c_str(), target.data(), PATH_MAX);
    if (length < 0) throw UsageError(label + ": " + std::strerror(errno));
    const std::string next(target.data(), static_cast<size_t>(length));
    current = next.front() == '/' ? next : directory_of(current) + "/" + next;
  }
}

// Throws EPIPE as BrokenPipe and anything else as Error naming the output.
[[noreturn]] void throw_write_error(const std::string& label, int error) {
  if (error == EPIPE) throw BrokenPipe("cannot write " + label + ": the reader has gone");
  throw Error("cannot write " + label + ": " + std::strerror(error));
}

// Writes all of [data, data + size) to `fd`; returns 0 or the errno of the failure.
int write_all(int fd, const char* data, size_t size) {
  while (size > 0) {
    const ssize_t written = ::write(fd, data, size);
    if (written < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    data += written;
    size -= static_cast<size_t>(written);
  }
  return 0;
}

}  // namespace

OutputTarget plan_output(const std::string& path, const std::string& option) {
  OutputTarget target;
  target.option = option;
  target.path = path;
  if (path == "-") {
    target.label = "standard output";
    target.descriptor_file = identify_descriptor(STDOUT_FILENO);
    return target;
  }
  target.label = option + " " + path;
  if (path.empty()) throw UsageError(option + ": an empty path");
  target.final_path = follow_links(path, target.label);
  if (const std::optional<int> descriptor = descriptor_named(target.final_path)) {
    const int flags = ::fcntl(*descriptor, F_GETFL);
    if (flags < 0) {
      throw UsageError(target.label + ": descriptor " + std::to_string(*descriptor) +
                       " is not open");
    }
    if ((flags & O_ACCMODE) == O_RDONLY) {
      throw UsageError(target.label + ": descriptor " + std::to_string(*descriptor) +
                       " is open for reading only");
    }
    target.kind = OutputTarget::Kind::kDescriptor;
    target.descriptor = *descriptor;
    target.final_path.clear();
    target.descriptor_file = identify_descriptor(*descriptor);
    return target;
  }
  const std::string directory = directory_of(target.final_path);
  struct stat status {};
  if (::stat(target.final_path.c_str(), &status) == 0) {
    if (S_ISDIR(status.st_mode)) throw UsageError(target.label + ": is a directory");
    if (::access(target.final_path.c_str(), W_OK) != 0) {
      throw UsageError(target.label + ": not writable (" + std::strerror(errno) + ")");
    }
    if (!S_ISREG(status.st_mode)) {
      target.kind = OutputTarget::Kind::kStream;  // a device, FIFO or socket: never replaced
      return target;
    }
  }
  target.kind = OutputTarget::Kind::kReplaceFile;
  struct stat directory_status {};
  if (::stat(directory.c_str(), &directory_status) != 0) {
    throw UsageError(target.label + ": directory " + directory + " does not exist");
  }
  if (!S_ISDIR(directory_status.st_mode)) {
    throw UsageError(target.label + ": " + directory + " is not a directory");
  }
  if (::access(directory.c_str(), W_OK | X_OK) != 0) {
    throw UsageError(target.label + ": directory " + directory + " is not writable");
  }
  return target;
}

namespace {

FileIdentity identity_of(const struct stat& status) {
  FileIdentity identity;
  identity.exists = true;
  identity.device = status.st_dev;
  identity.inode = status.st_ino;
  identity.regular = S_ISREG(status.st_mode);
  identity.character_device = S_ISCHR(status.st_mode);
  return identity;
}

}  // namespace

FileIdentity identify_descriptor(int fd) {
  struct stat status {};
  return ::fstat(fd, &status) == 0 ? identity_of(status) : FileIdentity{};
}

FileIdentity identify_file(const std::string& path) {
  struct stat status {};
  return !path.empty() && ::stat(path.c_str(), &status) == 0 ? identity_of(status) : FileIdentity{};
}

void refuse_own_descriptor(const OutputTarget& output) {
  if (output.kind == OutputTarget::Kind::kDescriptor && output.descriptor > STDERR_FILENO &&
      (::fcntl(output.descriptor, F_GETFD) & FD_CLOEXEC) != 0) {
    throw UsageError(output.label + ": descriptor " + std::to_string(output.descriptor) +
                     " is not one linsgd was started with");
  }
}

void refuse_input_as_output(const OutputTarget& output, const std::string& option,
                            const std::string& path, bool dash_is_standard_input) {
  if (output.kind == OutputTarget::Kind::kStream) return;
  const FileIdentity input = path == "-" && dash_is_standard_input
                                 ? identify_descriptor(STDIN_FILENO)
                                 : identify_file(path);
  const FileIdentity written = output.kind == OutputTarget::Kind::kDescriptor
                                   ? output.descriptor_file
                                   : identify_file(output.final_path);
  if (input.exists && input.regular && written == input) {
    throw UsageError(output.label + " is the input " + option + " " + path +
                     "; write the output elsewhere");
  }
}

bool same_destination(const OutputTarget& a, const OutputTarget& b) {
  using Kind = OutputTarget::Kind;
  // (A terminal or /dev/null behind two descriptors takes both, as devices named by path do.)
  if (a.kind == Kind::kDescriptor && b.kind == Kind::kDescriptor) {
    return a.descriptor == b.descriptor ||
           (!a.descriptor_file.character_device && a.descriptor_file == b.descriptor_file);
  }
  if (a.kind == Kind::kDescriptor || b.kind == Kind::kDescriptor) {
    const OutputTarget& descriptor = a.kind == Kind::kDescriptor ? a : b;
    const OutputTarget& other = a.kind == Kind::kDescriptor ? b : a;
    return other.kind == Kind::kReplaceFile &&
           descriptor.descriptor_file == identify_file(other.final_path);
  }
  if (a.kind != Kind::kReplaceFile || b.kind != Kind::kReplaceFile) return false;
  const FileIdentity file_a = identify_file(a.final_path);
  const FileIdentity file_b = identify_file(b.final_path);
  if (file_a.exists || file_b.exists) return file_a == file_b;
  return base_name_of(a.final_path) == base_name_of(b.final_path) &&
         identify_file(directory_of(a.final_path)) == identify_file(directory_of(b.final_path));
}

OutputWriter::OutputWriter(const OutputTarget& target) : target_(target) {
  switch (target_.kind) {
    case OutputTarget::Kind::kDescriptor:
      // What stdio buffered for the descriptor goes first.
      if (target_.descriptor == STDOUT_FILENO) std::fflush(stdout);
      if (target_.descriptor == STDERR_FILENO) std::fflush(stderr);
      fd_ = target_.descriptor;
      return;
    case OutputTarget::Kind::kStream:
      fd_ = ::open(target_.final_path.c_str(), O_WRONLY | O_CLOEXEC);
      if (fd_ < 0) throw_write_error(target_.label, errno);
      return;
    case OutputTarget::Kind::kReplaceFile:
      break;
  }
  // ".NAME.tmp.XXXXXX" beside the final target: the rename stays within one file system.
  const std::string pattern =
      directory_of(target_.final_path) + "/." + base_name_of(target_.final_path) + ".tmp.XXXXXX";
  std::vector<char> name(pattern.begin(), pattern.end());
  name.push_back('\0');
  fd_ = ::mkostemp(name.data(), O_CLOEXEC);
  if (fd_ < 0) throw_write_error(target_.label, errno);
  temporary_ = name.data();
  registration_ = register_temporary_file(temporary_);
  // The permissions the replaced file had, or those a plain open() would give a new one.
  struct stat existing {};
  mode_t mode = 0;
  if (::stat(target_.final_path.c_str(), &existing) == 0) {
    mode = existing.st_mode & 07777;
  } else {
    const mode_t mask = ::umask(0);
    ::umask(mask);
    mode = 0666 & ~mask;
  }
  if (::fchmod(fd_, mode) != 0) fail(errno);
}

OutputWriter::~OutputWriter() {
  if (!committed_) abandon();
}

void OutputWriter::abandon() noexcept {
  if (fd_ >= 0 && target_.kind != OutputTarget::Kind::kDescriptor) ::close(fd_);
  fd_ = -1;
  if (!temporary_.empty()) {
    ::unlink(temporary_.c_str());
    unregister_temporary_file(registration_);
    temporary_.clear();
  }
}

void OutputWriter::fail(int error) {
  abandon();
  throw_write_error(target_.label, error);
}

void OutputWriter::write(const std::string& text) {
  if (fd_ < 0) throw Error("cannot write " + target_.label + ": already closed");
  const int error = write_all(fd_, text.data(), text.size());
  if (error != 0) fail(error);
}

void OutputWriter::finish() {
  if (finished_) return;
  if (fd_ < 0) throw Error("cannot write " + target_.label + ": already closed");
  finished_ = true;
  if (target_.kind == OutputTarget::Kind::kDescriptor) {  // not ours to close
    fd_ = -1;
    return;
  }
  // A file's data reaches the disk before the rename makes it the output. A device or FIFO has
  // nothing to sync (EINVAL); its errors, like /dev/full's, came with the writes.
  if (target_.kind == OutputTarget::Kind::kReplaceFile && ::fsync(fd_) != 0) fail(errno);
  const int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) fail(errno);
}

void OutputWriter::commit() {
  finish();
  if (committed_) return;
  if (target_.kind == OutputTarget::Kind::kReplaceFile) {
    if (std::rename(temporary_.c_str(), target_.final_path.c_str()) != 0) fail(errno);
    unregister_temporary_file(registration_);
    temporary_.clear();
  }
  committed_ = true;
}

void write_output(const OutputTarget& target, const std::string& content) {
  OutputWriter writer(target);
  writer.write(content);
  writer.commit();
}

void write_standard_output(const std::string& text) {
  OutputTarget target;  // standard output
  target.label = "standard output";
  write_output(target, text);
}

}  // namespace linsgd
