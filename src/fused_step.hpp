// Arguments and work split of the fused engine's steps (Engine::kFused), shared by the CPU loop
// and the CUDA persistent kernel. Step s of a call reads its indices from
// draws[s * batch, (s + 1) * batch).
#pragma once

#include <cstdint>
#include <string>

#include "linsgd/hd.hpp"

namespace linsgd {

struct FusedStepArgs {
  int64_t rows = 0;
  int64_t features = 0;
  int64_t batch = 0;
  float scale = 0.0f;  // lr / B
  const uint32_t* draws = nullptr;
  const float* X = nullptr;  // row-major rows x features
  const float* y = nullptr;
  float* weights = nullptr;
  float* bias = nullptr;
  float* loss_history = nullptr;
  int64_t* step_counter = nullptr;
  float* residual = nullptr;    // CPU: batch floats of scratch
  float* gradient = nullptr;    // CPU: features floats of scratch
  float* partials = nullptr;    // GPU: 2 x blocks x batch floats, the blocks' partial dot products
  unsigned* barrier = nullptr;  // GPU: the grid barrier's arrival counter
};

// How the GPU kernel splits a step (kernels/fused_sgd.cuh): block b owns the features
// [b * slice, min((b + 1) * slice, features)) and keeps the batch's values of them, the "tile",
// in shared memory as batch rows of `stride` floats.
struct FusedLayout {
  int blocks = 1;
  int64_t slice = 0;         // features per block; the last block may have fewer
  int64_t stride = 0;        // floats between tile rows: >= slice, padded against bank conflicts
  int lanes_per_row = 1;     // threads that share one batch row's dot product (a power of two)
  bool vector_copy = false;  // 16-byte copies: features and slice are multiples of 4
};

// A block's shared memory, in floats (4 bytes each), in this order: the tile (batch x stride,
// first, so 16-byte copies land 16-byte aligned), the block's weights (slice, rounded up to 4),
// the batch's targets and residuals (batch each), one float per thread for the gradient's
// cross-group sums, and two buffers of batch draws (this step's and the next step's, 4-byte
// integers). The offsets of each array after the tile, and the total.
struct FusedSharedOffsets {
  int64_t w_slice, y_batch, residual, group_sums, draws, next_draws, total;
};
LINSGD_HD inline FusedSharedOffsets fused_shared_offsets(int64_t batch, int64_t stride,
                                                         int64_t slice, int threads) {
  FusedSharedOffsets o{};
  o.w_slice = batch * stride;
  o.y_batch = o.w_slice + (slice + 3) / 4 * 4;
  o.residual = o.y_batch + batch;
  o.group_sums = o.residual + batch;
  o.draws = o.group_sums + threads;
  o.next_draws = o.draws + batch;
  o.total = o.next_draws + batch;
  return o;
}

// The fused engine's plan for one shape: the GPU layout and the buffers it needs, or why the
// shape cannot run fused on this GPU (`unavailable` is then a one-line reason), and whether it
// is expected to beat the gemv engine. The default plan is available and faster, with one
// "block" and no partials: plan_fused_cpu starts from it.
struct FusedPlan {
  FusedLayout layout;
  int64_t shared_bytes = 0;    // dynamic shared memory per block
  int64_t partial_floats = 0;  // 2 x blocks x batch
  std::string unavailable;
  bool faster_than_gemv = true;  // expected to be: what --engine auto picks where available
};

}  // namespace linsgd
