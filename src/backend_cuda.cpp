// The CUDA backend: checks the run fits the device's free memory, then runs the shared engine
// over CudaExec (cuBLAS, device cuRAND generator, CUDA Graphs).
#include "backends.hpp"
#include "cuda_exec.hpp"
#include "linsgd/memory_plan.hpp"
#include "synthetic_run.hpp"

namespace linsgd {

TrainResult train_synthetic_cuda(const TrainConfig& config) {
  const CudaDeviceInfo device = query_cuda_device();
  require_device_memory(
      training_device_bytes(config.rows, config.features, config.batch_size, config.steps),
      device.free_bytes, device.name);
  CudaExec exec;
  return train_synthetic_with(exec, config, DeviceKind::kCuda);
}

}  // namespace linsgd
