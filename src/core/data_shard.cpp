// require_shardable: what a data-parallel run refuses.
#include <string>

#include "linsgd/errors.hpp"
#include "linsgd/trainer.hpp"

namespace linsgd {

void require_shardable(const TrainConfig& config, DeviceKind backend, bool validation,
                       const TrainHooks* hooks) {
  const auto refuse = [](const std::string& what) {
    throw UsageError("--distributed: " + what + " is not available in a data-parallel run yet");
  };
  if (backend == DeviceKind::kCuda) refuse("the GPU (--device cuda)");
  if (config.learning_rate_auto) refuse("--lr auto");
  if (config.solver == Solver::kExact) refuse("--solver exact");
  if (validation) refuse("a validation set");
  if (hooks != nullptr && (hooks->on_state || hooks->resume_from != nullptr)) {
    refuse("--checkpoint or --resume");
  }
  if (config.engine == Engine::kFused || config.fused_blocks > 0) refuse("--engine fused");
  if (config.max_seconds > 0.0) refuse("--max-seconds");
}

}  // namespace linsgd
