// The fused engine's plans. On the GPU, the kernel's work split for a shape from the GPU's limits
// alone: pure host code, so the choice is tested without a GPU (kernels/fused_sgd.cu feeds it the
// current device's limits). On the CPU, only whether auto should pick it.
#pragma once

#include <cstdint>

#include "fused_step.hpp"

namespace linsgd {

// Threads per block of the fused kernel.
inline constexpr int kFusedThreads = 256;

// The largest tile (batch x slice floats) for which the fused engine is expected to beat the
// gemv engine. On an H200 (benchmarks/NOTES.md) a fused step took about 4.3 us plus 0.48 us per
// 1024 floats of a block's tile (post 64 x 92: 6.8 us; tall 1024 x 32: 18.6 us; wide 256 x 220:
// 31.3 us), and a gemv step about 11 us of launches plus its memory traffic (post 11.4 us, tall
// 12.7 us, wide 30.4 us): they cross near 15,000 floats, rounded here to 64 KiB.
inline constexpr int64_t kFusedFasterTileFloats = 16384;

struct FusedGpuLimits {
  int multiprocessors = 0;             // the grid barrier needs every block resident: one per SM
  int64_t shared_bytes_per_block = 0;  // dynamic shared memory a block may opt in to
};

// Blocks: about sqrt(features) / 2 (few enough that reading every block's partials costs less
// than the batch itself), raised until a block's tile fits its shared memory. The shape is
// unavailable when no count up to one block per multiprocessor fits, or when the count that fits
// would make the partials every block reads (blocks^2 x batch) outgrow the batch (batch x
// features). The plan is faster_than_gemv while batch x slice <= kFusedFasterTileFloats.
// `wanted_blocks` > 0 starts from that count instead (--fused-blocks; the slices' rounding to a
// multiple of 4 features may leave a few blocks fewer); a count above the features or the
// multiprocessors is unavailable.
FusedPlan plan_fused_gpu(int64_t features, int64_t batch, const FusedGpuLimits& limits,
                         int64_t wanted_blocks = 0);

// The CPU's fused engine (dot and axpy on each sampled row, no gathered copy) against gather +
// GEMV on one thread and on all cores: as fast or faster up to 256 rows a step (post: 34 us
// against 80 on a Xeon), slower from 1024 rows on, where the gathered batch lets the BLAS GEMVs
// stream it (1.03x to 3.4x; tall, 1024 x 256: 336 us against 245 on a Xeon). benchmarks/NOTES.md
// has the sweep. auto picks fused up to this batch.
inline constexpr int64_t kCpuFusedFasterMaxBatch = 512;

// Always available; faster_than_gemv while batch <= kCpuFusedFasterMaxBatch.
FusedPlan plan_fused_cpu(int64_t batch);

}  // namespace linsgd
