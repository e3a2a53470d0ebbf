// The batch losses of a checkpointed run that writes them (--loss-out, --plot), in a file beside
// its checkpoint: little-endian float32, one per step from step 0, appended at each checkpoint,
// so each loss is written once however many checkpoints the run takes. The checkpoint records
// the file's name, how many losses are its own and their digest; a run killed between an append
// and the checkpoint's replacement leaves losses past that count, which are not read.
//
// Each run writes a loss file of its own (CHECKPOINT.<8 hex digits>.losses), never one that a
// checkpoint on disk refers to: whatever happens before the run's first checkpoint, the one
// already there stays whole with its losses. The replaced checkpoint's file goes once the run's
// first checkpoint has replaced it (train_outputs.cpp).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/digest.hpp"

namespace linsgd {

// What a checkpoint records of its loss file.
struct CheckpointLossFile {
  std::string name;  // beside the checkpoint, no directory
  int64_t count = 0;
  std::string digest;  // Digest::add_float_stream of the `count` losses, 16 hex digits
};

// The path of the loss file `name` beside the checkpoint at `checkpoint_path` (links resolved).
std::string checkpoint_loss_path(const std::string& checkpoint_path, const std::string& name);

// True for the name of a loss file that the checkpoint file named `checkpoint_name` wrote
// (CHECKPOINT_NAME.<hex>.losses): a copy of a checkpoint under another name refers to the
// original's, which is not its to remove.
bool is_own_loss_file(const std::string& checkpoint_name, const std::string& name);

// The `file.count` losses of the checkpoint at `checkpoint_path`. Throws InputError, naming the
// file, when it is missing, short, or not the checkpoint's.
std::vector<float> read_checkpoint_losses(const std::string& checkpoint_path,
                                          const CheckpointLossFile& file);

class CheckpointLossWriter {
 public:
  // A new loss file beside the checkpoint whose final path (links resolved) is
  // `checkpoint_path`, holding `resumed`, the losses of the steps before a resumed run's.
  // Removed by the destructor (and, as a temporary file, at a signal) until a checkpoint refers
  // to it (kept()). Throws Error naming the file when it cannot be written.
  CheckpointLossWriter(const std::string& checkpoint_path, const std::vector<float>& resumed);
  ~CheckpointLossWriter();
  CheckpointLossWriter(const CheckpointLossWriter&) = delete;
  CheckpointLossWriter& operator=(const CheckpointLossWriter&) = delete;

  // Appends the losses of steps [from, from + losses.size()) (`from` is the count so far) and
  // flushes them to the disk; returns what the next checkpoint records.
  CheckpointLossFile append(int64_t from, const std::vector<float>& losses);
  // A checkpoint that refers to the file is about to replace the one on disk: from here a
  // signal leaves the file (an orphan at worst, never a checkpoint without its losses).
  void before_reference();
  // A checkpoint on disk refers to the file now: it stays.
  void kept();

 private:
  void write_all(const float* values, size_t count);
  void release() noexcept;  // closes; removes the file unless kept()
  [[noreturn]] void fail(const char* doing) const;

  std::string path_;
  std::string name_;
  int fd_ = -1;
  int temporary_slot_ = -1;
  bool referenced_ = false;
  int64_t count_ = 0;
  Digest digest_;
};

}  // namespace linsgd
