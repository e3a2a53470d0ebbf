// train_cuda: the device-memory check before anything is allocated, then the shared training
// run.
#include "cuda/cuda_backend.hpp"

#include "core/memory_plan.hpp"
#include "core/training_run.hpp"
#include "cuda/cuda_device.hpp"
#include "cuda/cuda_exec.hpp"

namespace linsgd {

TrainResult train_cuda(const TrainConfig& config, const Dataset* data, const Dataset* validation,
                       const TrainHooks& hooks) {
  const CudaDeviceInfo device = query_cuda_device();
  const int64_t rows = data != nullptr ? data->rows : config.rows;
  const int64_t features = data != nullptr ? data->features : config.features;
  require_device_memory(
      training_memory_bytes(config, rows, features, validation ? validation->rows : 0,
                            data != nullptr && data->has_sample_weights()),
      device.free_bytes, device.name);
  CudaExec exec;
  return train_with(exec, config, data, validation, DeviceKind::kCuda, hooks);
}

}  // namespace linsgd
