// The fused engine's persistent kernel: one cooperative launch runs a chunk of SGD steps.
// Block b owns the feature slice [b * W, (b + 1) * W) (layout in core/fused_plan.hpp) and keeps its
// weights in shared memory for the whole chunk. Per step:
//   copy. the block starts asynchronous copies (cp.async) of the batch's values of its slice
//      (the tile, B x W) and of the batch's targets into shared memory, all in flight at once,
//      with the next step's draws;
//   A. for every batch row k, the partial dot product of the tile's row with the slice of w,
//      published to global memory (double-buffered by step parity);
//   -- grid barrier (the only one of the step) --
//   B. every block sums all blocks' partials for each k, in block order (so every block gets
//      bit-identical residuals r_k = b - y_k + x_k . w), reduces sum(r) and sum(r^2) in double,
//      updates its copy of b, and updates w on its own slice from the tile:
//      w_j -= (lr / B) sum_k r_k x_kj.
// Each sampled value is read once from global memory (no gathered copy), and w never leaves its
// block, so the next step's phase A needs no second barrier.
// Experiments the benchmark sweep times beside this (FusedLayout): the blocks as one
// thread-block cluster exchanging their partials in distributed shared memory under the
// cluster's barrier (Hopper); the next step's copies started before the barrier, into a second
// tile; the tile copied by the TMA (Hopper). Each gives the same floats.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>
#include <iterator>

#include "core/fused_plan.hpp"
#include "core/step_args.hpp"

namespace linsgd::kernels {

// The phases of a step, as the phase profile (FusedLayout::phase_clock_sums) counts them: from
// the previous step's end to this step's tile landed (its copies issued here, unless the tile is
// double-buffered); the partial dot products written (the next tile's copies issued,
// double-buffered); the exchange's barrier passed; the residuals, the batch's sums and the bias;
// the gradient and the update of the block's weights.
inline constexpr const char* kFusedPhases[] = {"copy wait", "partial dots", "exchange",
                                               "residuals and sums", "update"};
static_assert(std::size(kFusedPhases) <= kPhaseClockPhases, "a slot a phase");

// The kernel's static shared memory (its block reductions' scratch), which comes off the
// opt-in shared memory a block's plan may use (see cuda/cuda_device.hpp).
int64_t fused_kernel_static_shared_bytes();

// The kernel `layout` runs for `rule`: an opaque handle, one for each compiled instantiation (the
// post's rule compiled in where it is that rule; the experiments the layout asks for). Throws
// Error for a combination of experiments no kernel is compiled for. Needs no GPU.
const void* fused_kernel_for(const FusedLayout& layout, const StepRule& rule);

// The most blocks a cluster of the fused kernel may hold on this GPU (16 on an H100 or H200), or
// 0 where this build cannot run the cluster experiment here (no clusters, or no sm_90 code).
int fused_cluster_blocks_most();

// Once before the first chunk of a plan: gives the kernel the plan's dynamic shared memory, and
// throws Error when `args` cannot run it (a plan for another shape, X not 16-byte aligned for the
// plan's 16-byte copies, a cluster that cannot be resident).
void prepare_fused_steps(const FusedPlan& plan, const StepArgs& args);

// Runs `count` steps: one cooperative launch on `stream`.
void fused_steps(cudaStream_t stream, const FusedPlan& plan, int64_t count, const StepArgs& args);

}  // namespace linsgd::kernels
