// The CUDA backend: the SGD loop over CudaExec (cuBLAS, a device cuRAND generator, CUDA Graphs
// and the fused kernel), after the check that the run fits the device's free memory.
#pragma once

#include "linsgd/trainer.hpp"

namespace linsgd {

// Trains on `data` (host arrays uploaded once, CUDA arrays in place), or on the post's synthetic
// problem when `data` is null (generated on the device). config.device must be resolved to kCuda.
TrainResult train_cuda(const TrainConfig& config, const DataView* data, const DataView* validation,
                       const InitialParameters* initial, const TrainHooks& hooks);

}  // namespace linsgd
