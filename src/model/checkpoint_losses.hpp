// The batch losses of a checkpointed run that writes them (--loss-out, --plot), in a file beside
// its checkpoint (CHECKPOINT.losses): little-endian float32, one per step from step 0, appended
// at each checkpoint, so each loss is written once however many checkpoints the run takes. The
// checkpoint records the file's name, how many losses are its own and their digest; a run killed
// between the append and the checkpoint's replacement leaves losses past that count, which are
// not read and are cut off when the run resumes there.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/digest.hpp"

namespace linsgd {

// What a checkpoint records of its loss file.
struct CheckpointLossFile {
  std::string name;  // beside the checkpoint: its file name + ".losses"
  int64_t count = 0;
  std::string digest;  // Digest::add_float_stream of the `count` losses, 16 hex digits
};

// The `file.count` losses of the checkpoint at `checkpoint_path` (symbolic links resolved).
// Throws InputError, naming the file, when it is missing, short, or not the checkpoint's.
std::vector<float> read_checkpoint_losses(const std::string& checkpoint_path,
                                          const CheckpointLossFile& file);

class CheckpointLossWriter {
 public:
  // The loss file of the checkpoint whose final path (links resolved) is `checkpoint_path`,
  // started with `resumed`, the losses of steps 0 to `resumed.size()` of a resumed run: where
  // the run resumed from this same checkpoint its file holds them already and is cut to them,
  // else it is written anew. Throws Error naming the file when it cannot be written.
  CheckpointLossWriter(const std::string& checkpoint_path, const std::vector<float>& resumed,
                       bool resumed_from_this_checkpoint);
  ~CheckpointLossWriter();
  CheckpointLossWriter(const CheckpointLossWriter&) = delete;
  CheckpointLossWriter& operator=(const CheckpointLossWriter&) = delete;

  // Appends the losses of steps [from, from + losses.size()) (`from` is the count so far) and
  // flushes them to the disk; returns what the next checkpoint records.
  CheckpointLossFile append(int64_t from, const std::vector<float>& losses);

 private:
  void write_all(const float* values, size_t count);
  [[noreturn]] void fail(const char* doing) const;

  std::string path_;
  std::string name_;
  int fd_ = -1;
  int64_t count_ = 0;
  Digest digest_;
};

}  // namespace linsgd
