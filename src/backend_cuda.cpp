// The CUDA backend: checks the run fits the device's free memory before allocating anything,
// then runs the shared engine over CudaExec (cuBLAS, device cuRAND generator, CUDA Graphs).
#include "backends.hpp"
#include "cuda_exec.hpp"
#include "linsgd/memory_plan.hpp"
#include "training_run.hpp"

namespace linsgd {

TrainResult train_cuda(const TrainConfig& config, const Dataset* data,
                       const ProgressCallback& progress) {
  const CudaDeviceInfo device = query_cuda_device();
  const int64_t rows = data != nullptr ? data->rows : config.rows;
  const int64_t features = data != nullptr ? data->features : config.features;
  require_device_memory(training_memory_bytes(rows, features, config.batch_size, config.steps),
                        device.free_bytes, device.name);
  CudaExec exec;
  return train_with(exec, config, data, DeviceKind::kCuda, progress);
}

}  // namespace linsgd
