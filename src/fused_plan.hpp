// The GPU fused kernel's work split for a shape, from the GPU's limits alone: pure host code, so
// the choice is tested without a GPU. kernels/fused_sgd.cu feeds it the current device's limits.
#pragma once

#include <cstdint>

#include "fused_step.hpp"

namespace linsgd {

// Threads per block of the fused kernel.
inline constexpr int kFusedThreads = 256;

struct FusedGpuLimits {
  int multiprocessors = 0;             // the grid barrier needs every block resident: one per SM
  int64_t shared_bytes_per_block = 0;  // dynamic shared memory a block may opt in to
};

// Blocks: about sqrt(features) / 2 (few enough that reading every block's partials costs less
// than the batch itself), raised until a block's tile fits its shared memory. The shape is
// unavailable when no count up to one block per multiprocessor fits, or when the count that fits
// would make the partials every block reads (blocks^2 x batch) outgrow the batch (batch x
// features).
FusedPlan plan_fused_gpu(int64_t features, int64_t batch, const FusedGpuLimits& limits);

}  // namespace linsgd
