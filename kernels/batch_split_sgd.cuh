// The batch split: a persistent kernel beside the feature split (fused_sgd.cuh), the fused
// engine's plan for batches too tall for that (tall, big-batch: see plan_fused_gpu),
// where every block needing every row's residual costs more than the batch. Block b owns the rows
// [b * R, (b + 1) * R) of each step's batch and the features [b * S, (b + 1) * S) (layout in
// core/fused_plan.hpp). Per step:
//   A. the block's rows are in shared memory (copied during the previous step's barriers); it
//      computes their full dot products with w (a warp a row) and their residuals, its partial
//      sums of r and r^2 (in double), and its partial gradient X_R^T r over all features, and
//      publishes both to global memory; then it starts copying the next step's rows over these;
//   -- grid barrier --
//   C. every block adds all blocks' partial sums in one fixed order (so every block holds the
//      same bias), and each block adds all blocks' partial gradients of its own features, in a
//      fixed order, and updates those weights in global memory;
//   -- grid barrier -- (before any block reads the new weights)
//   every block copies all the weights into its shared memory for the next step.
// Each sampled row is read once from global memory, by one block.
// Experiments the benchmark sweep times beside this (FusedLayout, the post's rule only): the rows
// copied by the TMA (bulk_copy); one barrier a step (one_barrier: every block adds every
// feature's partials and steps all the weights itself, so no block waits for the others'
// weights). Each gives the same floats.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>
#include <iterator>

#include "core/fused_plan.hpp"
#include "core/step_args.hpp"

namespace linsgd::kernels {

// The phases of a step, as the phase profile (FusedLayout::phase_clock_sums) counts them: from
// the previous step's end to its rows landed; the rows' dot products and residuals; the block's
// partial sums and gradient published (the next rows' copies issued); the first grid barrier;
// the sums over the blocks, the block's features updated and the bias; the second grid barrier
// and the weights reloaded.
inline constexpr const char* kBatchSplitPhases[] = {"copy wait", "row dots", "partial gradient",
                                                    "barrier",   "update",   "barrier and reload"};
static_assert(std::size(kBatchSplitPhases) <= kPhaseClockPhases, "a slot a phase");
// The phases `layout`'s kernel times: the first five of them with one barrier (the weights are
// not reloaded), else all.
inline int batch_split_phases(const FusedLayout& layout) {
  return layout.one_barrier ? 5 : static_cast<int>(std::size(kBatchSplitPhases));
}

// The kernel a batch split `layout` runs for `rule` (as fused_kernel_for): the post's rule
// compiled in where it is that rule, with the experiments the layout asks for. Throws Error for
// an experiment or the phase profile with another rule. Needs no GPU.
const void* batch_split_kernel_for(const FusedLayout& layout, const StepRule& rule);

// Once before the first chunk of a plan: gives the kernel the plan's dynamic shared memory.
// The plan must be a batch split's (FusedLayout::batch_split) and `args` able to run it (X
// 16-byte aligned for 16-byte copies), else Error.
void prepare_batch_split_steps(const FusedPlan& plan, const StepArgs& args);

// Runs `count` steps: one cooperative launch on `stream`.
void batch_split_steps(cudaStream_t stream, const FusedPlan& plan, int64_t count,
                       const StepArgs& args);

}  // namespace linsgd::kernels
