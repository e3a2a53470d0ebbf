// checkpoint_loss_path, is_own_loss_file, read_checkpoint_losses and CheckpointLossWriter: the
// checkpoint's loss file, read whole at a resume, appended with fdatasync at each checkpoint.
#include "model/checkpoint_losses.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>

#include "io/temporary_files.hpp"
#include "linsgd/errors.hpp"

namespace linsgd {

static_assert(sizeof(float) == 4, "the loss file holds 4-byte floats");

std::string checkpoint_loss_path(const std::string& checkpoint_path, const std::string& name) {
  std::error_code error;
  const std::filesystem::path checkpoint = std::filesystem::canonical(checkpoint_path, error);
  return ((error ? std::filesystem::path(checkpoint_path) : checkpoint).parent_path() / name)
      .string();
}

bool is_own_loss_file(const std::string& checkpoint_name, const std::string& name) {
  const std::string prefix = checkpoint_name + ".", suffix = ".losses";
  return name.size() == prefix.size() + 8 + suffix.size() && name.rfind(prefix, 0) == 0 &&
         name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::vector<float> read_checkpoint_losses(const std::string& checkpoint_path,
                                          const CheckpointLossFile& file) {
  const std::string path = checkpoint_loss_path(checkpoint_path, file.name);
  const std::string prefix = "--resume " + checkpoint_path + ": the loss file " + path;
  struct stat status {};
  if (::stat(path.c_str(), &status) != 0) {
    throw InputError(prefix + " cannot be read: " + std::strerror(errno) +
                     " (a copied or moved checkpoint needs it beside it; a run without "
                     "--loss-out or --plot resumes without it)");
  }
  // Its size first: a damaged count is refused, not allocated.
  const int64_t held = static_cast<int64_t>(status.st_size) / static_cast<int64_t>(sizeof(float));
  if (!S_ISREG(status.st_mode) || held < file.count) {
    throw InputError(prefix + " holds " + std::to_string(S_ISREG(status.st_mode) ? held : 0) +
                     " losses; the checkpoint has " + std::to_string(file.count));
  }
  std::ifstream in(path, std::ios::binary);
  std::vector<float> losses(static_cast<size_t>(file.count));
  in.read(reinterpret_cast<char*>(losses.data()),
          static_cast<std::streamsize>(losses.size() * sizeof(float)));
  if (in.gcount() != static_cast<std::streamsize>(losses.size() * sizeof(float))) {
    throw InputError(prefix + " cannot be read: " + std::strerror(errno));
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
                                           const std::vector<float>& resumed) {
  const std::string checkpoint_name = std::filesystem::path(checkpoint_path).filename().string();
  std::random_device entropy;
  for (int attempt = 0; fd_ < 0; ++attempt) {  // a name no file has (O_EXCL)
    char suffix[16];
    std::snprintf(suffix, sizeof(suffix), ".%08x", static_cast<unsigned>(entropy()));
    name_ = checkpoint_name + suffix + ".losses";
    path_ = checkpoint_loss_path(checkpoint_path, name_);
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd_ < 0 && (errno != EEXIST || attempt == 8)) fail("create");
  }
  temporary_slot_ = register_temporary_file(path_);
  try {
    write_all(resumed.data(), resumed.size());
  } catch (...) {
    release();
    throw;
  }
  count_ = static_cast<int64_t>(resumed.size());
  digest_.add_float_stream(resumed.data(), resumed.size());
}

CheckpointLossWriter::~CheckpointLossWriter() {
  release();
}

void CheckpointLossWriter::release() noexcept {
  ::close(fd_);
  unregister_temporary_file(temporary_slot_);
  if (!referenced_) ::unlink(path_.c_str());  // no checkpoint refers to it
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

void CheckpointLossWriter::before_reference() {
  unregister_temporary_file(temporary_slot_);
  temporary_slot_ = -1;
}

void CheckpointLossWriter::kept() {
  before_reference();
  referenced_ = true;
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
