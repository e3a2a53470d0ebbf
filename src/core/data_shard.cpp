// require_shardable: what a data-parallel run refuses; resolve_for_shard: its steps and
// evaluations.
#include <string>

#include "linsgd/errors.hpp"
#include "linsgd/trainer.hpp"

namespace linsgd {

void require_shardable(const TrainConfig& config, bool validation, const TrainHooks* hooks,
                       int64_t sync_every) {
  const auto refuse = [](const std::string& what) {
    throw UsageError("--distributed: " + what + " is not available in a data-parallel run yet");
  };
  if (validation) refuse("a validation set");
  if (hooks != nullptr && (hooks->on_state || hooks->resume_from != nullptr)) {
    refuse("--checkpoint or --resume");
  }
  if (config.engine == Engine::kFused || config.fused_blocks > 0) refuse("--engine fused");
  if (sync_every > kMaxSyncEvery) {
    throw UsageError("invalid value for --sync-every: " + std::to_string(sync_every) +
                     " (must be at most " + std::to_string(kMaxSyncEvery) + ")");
  }
  if (sync_every > 0 && config.eval_every > 0 && config.eval_every % sync_every != 0) {
    throw UsageError("--eval-every " + std::to_string(config.eval_every) +
                     " must be a multiple of --sync-every " + std::to_string(sync_every) +
                     ": the processes' models are one model at the averagings alone");
  }
  if (sync_every > 0) {
    const auto refuse_local = [](const std::string& what, const std::string& why) {
      throw UsageError("--sync-every: " + what + " is not available with local SGD yet (" + why +
                       ")");
    };
    const std::string own_rows = "each process samples its own rows with replacement";
    if (config.sampling != Sampling::kReplacement) {
      refuse_local(std::string("--sampling ") + to_string(config.sampling), own_rows);
    }
    if (config.average_from) refuse_local("--average", own_rows);
    // A share with more curvature than the whole would diverge at the whole's rate.
    if (config.learning_rate_auto) {
      refuse_local("--lr auto",
                   "its rate is sized for batches of every process's rows, and a "
                   "process steps on its own; give --lr");
    }
  }
}

TrainConfig resolve_for_shard(const TrainConfig& config, const DataShard& shard) {
  if (!shard.local_steps()) return resolve_for_rows(config, shard.total_rows);
  // K processes walk K B rows a step between them: an epoch is ceil(n / K) rows of B.
  TrainConfig resolved =
      resolve_for_rows(config, (shard.total_rows + shard.processes - 1) / shard.processes);
  // (require_shardable checked an --eval-every given, and sync_every's range.)
  const int64_t every = shard.sync_every;
  if (config.eval_every == 0) {
    resolved.eval_every = (resolved.eval_every + every - 1) / every * every;
  }
  return resolved;
}

}  // namespace linsgd
