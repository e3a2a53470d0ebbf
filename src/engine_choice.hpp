// Which engine computes the steps (see Engine in config.hpp), resolved from --engine, the
// device and the shape.
#pragma once

#include <cstdint>

#include "linsgd/config.hpp"

namespace linsgd {

// The GPU fused kernel keeps the batch's rows and residuals in shared memory: 8 bytes a row.
inline constexpr int64_t kFusedMaxBatchOnGpu = 4096;

// auto: on the CPU the fused engine (it skips the gather copy, which measured half of a step on
// the post's problem); on the GPU the fused engine while the batch fits its shared memory, else
// the gather + cuBLAS engine. Throws UsageError for --engine fused with a batch the GPU kernel
// cannot hold.
Engine choose_engine(Engine requested, DeviceKind backend, int64_t batch_size);

}  // namespace linsgd
