// Device selection and dispatch to the CPU or CUDA backend, and the figures derived from a run.
#include "linsgd/trainer.hpp"

#include <cuda_runtime.h>

#include <cmath>

#include "backends.hpp"
#include "linsgd/errors.hpp"

namespace linsgd {

double TrainResult::steps_per_second() const {
  return train_seconds > 0.0 ? static_cast<double>(loss_history.size()) / train_seconds : 0.0;
}

double TrainResult::weight_relative_error() const {
  if (!truth) throw Error("weight error needs the true weights of synthetic data");
  double difference = 0.0;
  double reference = 0.0;
  for (size_t j = 0; j < weights.size(); ++j) {
    const double delta = static_cast<double>(weights[j]) - truth->weights[j];
    difference += delta * delta;
    reference += static_cast<double>(truth->weights[j]) * truth->weights[j];
  }
  return std::sqrt(difference) / std::sqrt(reference);
}

double TrainResult::bias_absolute_error() const {
  if (!truth) throw Error("bias error needs the true bias of synthetic data");
  return std::abs(static_cast<double>(bias) - truth->bias);
}

bool cuda_device_available() {
  int count = 0;
  const cudaError_t status = cudaGetDeviceCount(&count);
  if (status != cudaSuccess) {
    cudaGetLastError();  // no driver or no device: clear the error, report none
    return false;
  }
  return count > 0;
}

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

namespace {

TrainResult dispatch(const TrainConfig& config, const Dataset* data,
                     const ProgressCallback& progress) {
  const DeviceKind backend = resolve_device(config.device).kind;
  return backend == DeviceKind::kCuda ? train_cuda(config, data, progress)
                                      : train_cpu(config, data, progress);
}

}  // namespace

TrainResult train_synthetic(const TrainConfig& config, const ProgressCallback& progress) {
  validate(config);
  return dispatch(config, nullptr, progress);
}

TrainResult train_on_data(const TrainConfig& config, const Dataset& data,
                          const ProgressCallback& progress) {
  TrainConfig sized = config;
  sized.rows = data.rows;
  sized.features = data.features;
  validate(sized);
  if (!data.has_target()) throw InputError(data.source + ": no target column to train on");
  if (static_cast<int64_t>(data.X.size()) != data.rows * data.features ||
      static_cast<int64_t>(data.y.size()) != data.rows) {
    throw Error("train_on_data: X or y does not match rows x features");
  }
  return dispatch(sized, &data, progress);
}

}  // namespace linsgd
