// The training dispatch: resolves the device, refuses options that do not apply to it, and
// hands the run to the CPU or the CUDA backend.
#include <string>
#include <thread>

#include "cpu/cpu_backend.hpp"
#include "cuda/cuda_backend.hpp"
#include "linsgd/errors.hpp"
#include "linsgd/trainer.hpp"

namespace linsgd {

DeviceChoice resolve_device(DeviceKind requested) {
  switch (requested) {
    case DeviceKind::kCpu:
      return {DeviceKind::kCpu, ""};
    case DeviceKind::kCuda:
      if (!cuda_device_available()) {
        throw UsageError(
            "--device cuda: no usable CUDA GPU found (no device, or no NVIDIA driver); use "
            "--device cpu or auto");
      }
      return {DeviceKind::kCuda, ""};
    case DeviceKind::kAuto:
      break;
  }
  if (cuda_device_available()) return {DeviceKind::kCuda, ""};
  return {DeviceKind::kCpu, "no CUDA GPU found; training on the CPU"};
}

void require_options_apply(DeviceKind backend, const TrainConfig& config) {
  const unsigned cores = std::thread::hardware_concurrency();
  if (backend == DeviceKind::kCpu && cores > 0 && config.threads > static_cast<int>(cores)) {
    throw UsageError("--threads " + std::to_string(config.threads) + ": this machine has " +
                     std::to_string(cores) + (cores == 1 ? " core" : " cores") +
                     " (more threads than cores only slow the GEMVs down)");
  }
  if (backend == DeviceKind::kCpu && config.fused_blocks > 0) {
    throw UsageError("--fused-blocks " + std::to_string(config.fused_blocks) +
                     ": applies to the GPU's fused engine, and this run trains on the CPU");
  }
  if (backend == DeviceKind::kCuda && config.threads > 0) {
    throw UsageError("--threads " + std::to_string(config.threads) +
                     ": applies to the CPU backend, and this run trains on the GPU (use "
                     "--device cpu to train on the CPU)");
  }
}

namespace {

TrainResult dispatch(const TrainConfig& config, const Dataset* data, const Dataset* validation,
                     const TrainHooks& hooks) {
  const DeviceKind backend = resolve_device(config.device).kind;
  require_options_apply(backend, config);
  return backend == DeviceKind::kCuda ? train_cuda(config, data, validation, hooks)
                                      : train_cpu(config, data, validation, hooks);
}

// Throws InputError unless `data` is a whole table of targets with features (and weights) of
// the sizes it says; `expected_features` >= 0 asks for that many features.
void require_consistent(const Dataset& data, int64_t expected_features) {
  if (!data.has_target()) throw InputError(data.source + ": no target column to train on");
  if (static_cast<int64_t>(data.X.size()) != data.rows * data.features ||
      static_cast<int64_t>(data.y.size()) != data.rows ||
      (data.has_sample_weights() &&
       static_cast<int64_t>(data.sample_weights.size()) != data.rows)) {
    throw InputError(data.source + ": X, y or the sample weights do not match " +
                     std::to_string(data.rows) + " rows x " + std::to_string(data.features) +
                     " features");
  }
  if (expected_features >= 0 && data.features != expected_features) {
    throw InputError(data.source + " has " + std::to_string(data.features) +
                     " feature columns but the training data has " +
                     std::to_string(expected_features));
  }
}

TrainResult train_on(const TrainConfig& config, const Dataset& data, const Dataset* validation,
                     const TrainHooks& hooks) {
  TrainConfig sized = resolve_for_rows(config, data.rows);
  sized.rows = data.rows;
  sized.features = data.features;
  validate(sized);
  require_consistent(data, -1);
  if (validation != nullptr) require_consistent(*validation, data.features);
  return dispatch(sized, &data, validation, hooks);
}

}  // namespace

TrainResult train_synthetic(const TrainConfig& config, const TrainHooks& hooks) {
  const TrainConfig resolved = resolve_for_rows(config, config.rows);
  validate(resolved);
  return dispatch(resolved, nullptr, nullptr, hooks);
}

TrainResult train_on_data(const TrainConfig& config, const Dataset& data, const TrainHooks& hooks) {
  return train_on(config, data, nullptr, hooks);
}

TrainResult train_on_data(const TrainConfig& config, const Dataset& data, const Dataset& validation,
                          const TrainHooks& hooks) {
  return train_on(config, data, &validation, hooks);
}

}  // namespace linsgd
