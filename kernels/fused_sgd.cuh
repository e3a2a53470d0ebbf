// The fused engine's persistent kernel: one cooperative launch runs a chunk of SGD steps.
// Block b owns the feature slice [b * W, (b + 1) * W). Per step:
//   A. each block computes, for every batch row k, the partial dot product of its slice of
//      x_k with its slice of w, and publishes the B partials;
//   -- grid barrier (the only one of the step) --
//   B. every block sums all blocks' partials for each k, in block order (so every block gets
//      bit-identical residuals r_k = b - y_k + x_k . w), reduces sum(r) and sum(r^2) in double,
//      updates its copy of b, and updates w on its own slice: w_j -= (lr / B) sum_k r_k x_kj.
// X is read once per step, straight from the sampled rows (no gathered copy), and w never
// leaves its block's slice, so the next step's phase A needs no second barrier.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

#include "../src/fused_step.hpp"

namespace linsgd::kernels {

// Blocks for `features` and `batch`: about sqrt(features) / 2 (few enough that reading every
// block's partials costs less than the batch itself), capped by how many blocks the device
// holds at once (the grid barrier needs them all resident).
FusedPlan plan_fused_steps(int64_t features, int64_t batch);

// Runs `count` steps; `args.barrier` is reset on `stream` before the launch.
void fused_steps(cudaStream_t stream, const FusedPlan& plan, int64_t count,
                 const FusedStepArgs& args);

}  // namespace linsgd::kernels
