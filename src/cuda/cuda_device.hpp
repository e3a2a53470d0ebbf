// The current CUDA device as the trainer sees it: its name and memory (for messages and the
// memory check), and the limits the fused engine's plan is made from.
#pragma once

#include <cstddef>
#include <string>

#include "core/fused_plan.hpp"

namespace linsgd {

struct CudaDeviceInfo {
  std::string name;
  size_t free_bytes = 0;
  size_t total_bytes = 0;
};
CudaDeviceInfo query_cuda_device();

// Multiprocessors, the opt-in shared memory a block of the fused kernel may take (less its
// static share), whether the device launches cooperative kernels and, where `clusters` asks (the
// cluster experiments), how many blocks its thread-block clusters may hold (else 0). Queries
// only: sets nothing.
FusedGpuLimits query_fused_gpu_limits(bool clusters = false);

}  // namespace linsgd
