// The checkpoint file of `linsgd train --checkpoint FILE` and `--resume FILE`: a run's
// TrainingState, the hyperparameters it ran with and a fingerprint of the data it trained on,
// as JSON (floats written to read back bit for bit). A run resumes only from a checkpoint of
// the same hyperparameters and data, or is refused with the first difference named.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "linsgd/config.hpp"
#include "linsgd/dataset.hpp"
#include "linsgd/trainer.hpp"
#include "model/checkpoint_losses.hpp"
#include "model/json_fields.hpp"

namespace linsgd {

// What a run trained on: its shape and a 64-bit digest of its bytes (X, y and the sample
// weights, as trained: after --standardize; the validation rows too), or of the synthetic
// problem's description. A digest tells data apart; it is no cryptographic hash.
struct DataFingerprint {
  int64_t rows = 0;
  int64_t features = 0;
  std::string digest;  // 16 hex digits
  // Whether the digest covers a validation set (unknown in a checkpoint of an earlier version):
  // not compared, it names the difference when one run had a validation set and the other none.
  std::optional<bool> with_validation = std::nullopt;
  bool operator==(const DataFingerprint& other) const {
    return rows == other.rows && features == other.features && digest == other.digest;
  }
};
DataFingerprint fingerprint_of(const Dataset& data, const Dataset* validation);
DataFingerprint fingerprint_of_synthetic(const TrainConfig& config);

// The hyperparameters a checkpoint is matched on: hyperparameters_json of the run as it runs
// (its steps resolved for the data's rows, --lr auto's rate as computed), less what may change
// between a run and its resumption: the device and --max-seconds.
Json resumable_hyperparameters(const TrainConfig& config, int64_t rows, double first_rate);

struct Checkpoint {
  TrainingState state;
  Json hyperparameters;  // resumable_hyperparameters of the run
  DataFingerprint data;
  // The run's losses, in a file beside the checkpoint; none when the run wrote no losses. (The
  // state's own loss_history is not written: read_checkpoint fills it from this file.)
  std::optional<CheckpointLossFile> losses;
};

std::string checkpoint_json(const Checkpoint& checkpoint);

// The checkpoint in `text` (a file's content, `source` naming it in messages), its losses not
// read. Throws InputError for anything but a well-formed checkpoint of this version.
Checkpoint parse_checkpoint(const std::string& text, const std::string& source);
// The checkpoint file at `path`, with its losses from its loss file when `with_losses` (a run
// that writes no losses needs none: it resumes without the file); InputError when either cannot
// be read or they do not agree.
Checkpoint read_checkpoint(const std::string& path, bool with_losses = true);

// Throws InputError ("--resume FILE: ...") unless `checkpoint` was written by a run of these
// hyperparameters on this data: the first hyperparameter that differs, or the data, is named.
void require_resumable(const Checkpoint& checkpoint, const std::string& path,
                       const Json& hyperparameters, const DataFingerprint& data);

}  // namespace linsgd
