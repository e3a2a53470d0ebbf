// read_checkpoint_losses and CheckpointLossWriter: the checkpoint's loss file, read whole at a
// resume, appended with fdatasync at each checkpoint.
#include "model/checkpoint_losses.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "linsgd/errors.hpp"

namespace linsgd {
namespace {

static_assert(sizeof(float) == 4, "the loss file holds 4-byte floats");

// The loss file `name` beside the checkpoint at `checkpoint_path` (its links resolved).
std::string beside(const std::string& checkpoint_path, const std::string& name) {
  std::error_code error;
  const std::filesystem::path checkpoint = std::filesystem::canonical(checkpoint_path, error);
  return ((error ? std::filesystem::path(checkpoint_path) : checkpoint).parent_path() / name)
      .string();
}

}  // namespace

std::vector<float> read_checkpoint_losses(const std::string& checkpoint_path,
                                          const CheckpointLossFile& file) {
  const std::string path = beside(checkpoint_path, file.name);
  const std::string prefix = "--resume " + checkpoint_path + ": the loss file " + path;
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(prefix + " cannot be read: " + std::strerror(errno));
  std::vector<float> losses(static_cast<size_t>(file.count));
  in.read(reinterpret_cast<char*>(losses.data()),
          static_cast<std::streamsize>(losses.size() * sizeof(float)));
  const auto read = static_cast<int64_t>(in.gcount()) / static_cast<int64_t>(sizeof(float));
  if (read < file.count) {
    throw InputError(prefix + " holds " + std::to_string(read) + " losses; the checkpoint has " +
                     std::to_string(file.count));
  }
  Digest digest;
  digest.add_float_stream(losses.data(), losses.size());
  if (digest.hex() != file.digest) {
    throw InputError(prefix + " is not the checkpoint's (digest " + digest.hex() + ", expected " +
                     file.digest + ")");
  }
  return losses;
}

CheckpointLossWriter::CheckpointLossWriter(const std::string& checkpoint_path,
                                           const std::vector<float>& resumed,
                                           bool resumed_from_this_checkpoint)
    : name_(std::filesystem::path(checkpoint_path).filename().string() + ".losses") {
  path_ = beside(checkpoint_path, name_);
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) fail("open");
  // Cut to the resumed losses where the file holds them already (what a checkpoint that was
  // never written appended goes); else emptied and written with them.
  const auto kept = static_cast<off_t>(resumed_from_this_checkpoint ? resumed.size() : 0);
  if (::ftruncate(fd_, kept * static_cast<off_t>(sizeof(float))) != 0) fail("truncate");
  if (::lseek(fd_, 0, SEEK_END) < 0) fail("seek in");
  if (!resumed_from_this_checkpoint) write_all(resumed.data(), resumed.size());
  count_ = static_cast<int64_t>(resumed.size());
  digest_.add_float_stream(resumed.data(), resumed.size());
}

CheckpointLossWriter::~CheckpointLossWriter() {
  if (fd_ >= 0) ::close(fd_);
}

CheckpointLossFile CheckpointLossWriter::append(int64_t from, const std::vector<float>& losses) {
  if (from != count_) {
    throw Error("the loss file " + path_ + " holds " + std::to_string(count_) +
                " losses; the losses given start at step " + std::to_string(from));
  }
  write_all(losses.data(), losses.size());
  if (::fdatasync(fd_) != 0) fail("flush");
  count_ += static_cast<int64_t>(losses.size());
  digest_.add_float_stream(losses.data(), losses.size());
  return {name_, count_, digest_.hex()};
}

void CheckpointLossWriter::write_all(const float* values, size_t count) {
  const auto* bytes = reinterpret_cast<const char*>(values);
  size_t left = count * sizeof(float);
  while (left > 0) {
    const ssize_t written = ::write(fd_, bytes, left);
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) fail("write");
    bytes += written;
    left -= static_cast<size_t>(written);
  }
}

void CheckpointLossWriter::fail(const char* doing) const {
  throw Error("cannot " + std::string(doing) + " the checkpoint's loss file " + path_ + ": " +
              std::strerror(errno));
}

}  // namespace linsgd
