// The fused engine's plans (Engine::kFused). On the GPU: the persistent kernel's work split for a
// shape, from the GPU's limits alone: pure host code with no side effects, so the choice is
// tested without a GPU (cuda/ queries the limits, kernels/fused_sgd.cuh runs the plan). On the
// CPU: only whether auto should pick it.
#pragma once

#include <cstdint>
#include <string>

#include "core/hd.hpp"

namespace linsgd {

// Threads per block of the fused kernel.
inline constexpr int kFusedThreads = 256;
// Partial dot products a thread of the fused kernel loads before it adds them, each round one
// round trip to L2: the kept kernel's, and the experiment's (FusedLayout::partial_loads_in_flight).
inline constexpr int kFusedPartialLoads = 16;
inline constexpr int kFusedPartialLoadsWide = 32;

// How the GPU kernel splits a step. By features (kernels/fused_sgd.cuh): block b owns the
// features [b * slice, min((b + 1) * slice, features)) and keeps the batch's values of them, the
// "tile", in shared memory as batch rows of `stride` floats. By rows (rows_per_block > 0,
// kernels/batch_split_sgd.cuh): see rows_per_block.
struct FusedLayout {
  int blocks = 1;
  int64_t slice = 0;         // features per block; the last block may have fewer
  int64_t stride = 0;        // floats between tile rows: >= slice, padded against bank conflicts
  int lanes_per_row = 1;     // threads that share one batch row's dot product (a power of two)
  bool vector_copy = false;  // 16-byte copies: features and slice are multiples of 4
  // An experiment the benchmark sweep times (never chosen by a plan): the kernel that reads the
  // step's rule at run time even where it is the post's (is_post_rule), which otherwise runs a
  // kernel with that rule compiled in. Every float is the same either way.
  bool rule_read_at_run_time = false;
  // The blocks form one thread-block cluster (Hopper and later) and exchange their partial dot
  // products through distributed shared memory under the cluster's barrier, in place of global
  // memory and the grid barrier (plan_fused_gpu_cluster; an experiment the sweep times).
  bool cluster_exchange = false;
  // With cluster_exchange: each block pushes its partials into every block's shared memory with
  // asynchronous stores counted on the receiver's transaction barrier, in place of the cluster's
  // barrier and remote reads (an experiment the sweep times).
  bool cluster_push = false;
  // Two tiles: the next step's copies start as soon as this step's partial dot products are
  // written, and fly during the barrier and the update (with_double_buffered_tile; an
  // experiment the sweep times). Every float is the same either way.
  bool double_buffered_tile = false;
  // > 0: the batch split (plan_fused_gpu_batch_split, kernels/batch_split_sgd.cuh), the plan
  // where the feature split is not expected to beat gemv (past kFusedFasterMaxBatch rows, or
  // large tiles) and its rows fit. Block b owns the batch rows [b * rows_per_block, ...) of every
  // step and updates the features [b * slice, ...) (none past the features); its rows sit in shared
  // memory `stride` floats apart; lanes_per_row is unused.
  int64_t rows_per_block = 0;
  LINSGD_HD bool batch_split() const { return rows_per_block > 0; }
  // kFusedPartialLoads, or kFusedPartialLoadsWide: an experiment the sweep times (the grid's
  // exchange and the post's rule only), half the rounds where more than 16 blocks exchange (the
  // post's plan: 32). Every float is the same either way: a row's partials are added in block
  // order whatever the rounds.
  int partial_loads_in_flight = kFusedPartialLoads;
  // The kernel as it ran before 2026-11-27, an experiment the sweep times (the grid's exchange,
  // one tile, the post's rule): compiled without a minimum of resident blocks, for which ptxas
  // keeps its registers near 40 by interleaving the partials' loads with their adds (3 in flight
  // on sm_90, not 16). Every float is the same either way.
  bool register_lean = false;
  // The Tensor Memory Accelerator copies the rows (Hopper and later; an experiment the sweep
  // times, the post's rule only, with_bulk_copy): one bulk copy (cp.async.bulk) a tile row or a
  // batch split's row, issued by one warp and counted in bytes on a transaction barrier in shared
  // memory, in place of 16-byte cp.async copies by every thread. Needs vector_copy (16-byte
  // sizes and addresses). Every float is the same either way.
  bool bulk_copy = false;
  // With the batch split: one grid barrier a step, not two (with_one_barrier; an experiment the
  // sweep times, the post's rule only). Every block adds every feature's partial gradients
  // itself, in the same order as the feature's owner does, and steps all the weights in its
  // shared memory, so no block waits for the others' weights; the partials are double-buffered
  // by step parity (batch_split_partial_floats). Every float is the same either way.
  bool one_barrier = false;
  // Non-null: the benchmark sweep's phase profile (never set by a plan). The kernel that times
  // its steps (the post's rule only) adds, per block, the clock cycles each phase of its steps
  // took, the cycles and the nanoseconds of its whole loop into this device buffer, a row of
  // kPhaseClockSlots a block (kernels/phase_clock.cuh). Every float is the same either way.
  unsigned long long* phase_clock_sums = nullptr;
};

// The phase profile's row of a block: kPhaseClockPhases phases' clock cycles (the kernel names
// them: kFusedPhases, kBatchSplitPhases), then the loop's cycles and its nanoseconds.
inline constexpr int kPhaseClockPhases = 6;
inline constexpr int kPhaseClockLoopCycles = kPhaseClockPhases;
inline constexpr int kPhaseClockLoopNanoseconds = kPhaseClockPhases + 1;
inline constexpr int kPhaseClockSlots = kPhaseClockPhases + 2;

// A block's shared memory, in floats (4 bytes each), in this order: the tile (batch x stride,
// first, so 16-byte copies land 16-byte aligned) and, double-buffered, the next step's; the
// block's weights (slice, rounded up to 4); the batch's targets (and, double-buffered, the next
// step's) and residuals (batch each); one float per thread for the gradient's cross-group sums;
// the batch's draws, 4-byte integers, of this step and the next (and, double-buffered, the one
// after); with cluster_exchange, last, from an even offset (8-byte aligned), the block's partial
// dot products (batch floats for each step parity), which the cluster's other blocks read, or,
// with cluster_push, two 8-byte transaction barriers, the block's partials of the step (batch)
// and every block's as they arrive (2 x blocks x batch); with bulk_copy, last, from an even
// offset, the 8-byte transaction barrier the tile's bulk copies complete on. The offsets of each
// array after the first tile (a second buffer's offset is its first's where there is none), and
// the total.
struct FusedSharedOffsets {
  int64_t next_tile, w_slice, y_batch, next_y_batch, residual, group_sums, draws, next_draws,
      later_draws, partials, rows_landed, total;
};
LINSGD_HD inline FusedSharedOffsets fused_shared_offsets(int64_t batch, const FusedLayout& layout) {
  const bool two = layout.double_buffered_tile;
  FusedSharedOffsets o{};
  o.next_tile = two ? batch * layout.stride : 0;
  o.w_slice = (two ? 2 : 1) * batch * layout.stride;
  o.y_batch = o.w_slice + (layout.slice + 3) / 4 * 4;
  o.next_y_batch = two ? o.y_batch + batch : o.y_batch;
  o.residual = o.next_y_batch + batch;
  o.group_sums = o.residual + batch;
  o.draws = o.group_sums + kFusedThreads;
  o.next_draws = o.draws + batch;
  o.later_draws = two ? o.next_draws + batch : o.next_draws;
  o.partials =
      layout.cluster_exchange ? (o.later_draws + batch + 1) / 2 * 2 : o.later_draws + batch;
  const int64_t pushed = 4 + batch + 2 * layout.blocks * batch;
  const int64_t end = o.partials + (!layout.cluster_exchange ? 0
                                    : layout.cluster_push    ? pushed
                                                             : 2 * batch);
  o.rows_landed = (end + 1) / 2 * 2;
  o.total = layout.bulk_copy ? o.rows_landed + 2 : end;
  return o;
}

// The batch split's shared memory, in floats: the block's rows of the step (rows_per_block x
// stride, first, for 16-byte copies), all the weights (features, rounded up to 4), and
// rows_per_block each of targets, residuals (or s'L'(r)), loss terms s'L(r), this step's draws
// and the next step's; with bulk_copy, last, from an even offset, the 8-byte transaction barrier
// the rows' bulk copies complete on.
struct BatchSplitSharedOffsets {
  int64_t weights, y_rows, residual, loss_terms, draws, next_draws, rows_landed, total;
};
LINSGD_HD inline BatchSplitSharedOffsets batch_split_shared_offsets(const FusedLayout& layout,
                                                                    int64_t features) {
  const int64_t rows = layout.rows_per_block;
  BatchSplitSharedOffsets o{};
  o.weights = rows * layout.stride;
  o.y_rows = o.weights + (features + 3) / 4 * 4;
  o.residual = o.y_rows + rows;
  o.loss_terms = o.residual + rows;
  o.draws = o.loss_terms + rows;
  o.next_draws = o.draws + rows;
  o.rows_landed = (o.next_draws + rows + 1) / 2 * 2;
  o.total = layout.bulk_copy ? o.rows_landed + 2 : o.next_draws + rows;
  return o;
}

// The batch split's exchange in global memory, in floats: each block's partial gradient
// (blocks x features), then each block's two partial sums as doubles (of r and r^2, or of
// s'L'(r) and s'L(r)), from an even offset so they sit 8-byte aligned; with one_barrier, two
// such exchanges, step parity 0's then 1's (each an even count of floats, so both stay aligned).
LINSGD_HD inline int64_t batch_split_sums_offset(int64_t blocks, int64_t features) {
  return (blocks * features + 1) / 2 * 2;
}
LINSGD_HD inline int64_t batch_split_exchange_floats(int64_t blocks, int64_t features) {
  return batch_split_sums_offset(blocks, features) + 4 * blocks;
}
LINSGD_HD inline int64_t batch_split_partial_floats(const FusedLayout& layout, int64_t features) {
  return (layout.one_barrier ? 2 : 1) * batch_split_exchange_floats(layout.blocks, features);
}

// The fused engine's plan for one shape: the GPU layout and the buffers it needs, or why the
// shape cannot run fused on this GPU (`unavailable` is then a one-line reason), and whether it
// is expected to beat the gemv engine. The default plan is available and faster, with one
// "block" and no partials: plan_fused_cpu starts from it.
struct FusedPlan {
  FusedLayout layout;
  int64_t shared_bytes = 0;    // dynamic shared memory per block
  int64_t partial_floats = 0;  // in global memory: 2 x blocks x batch (none for a cluster)
  std::string unavailable;
  bool faster_than_gemv = true;  // expected to be: what --engine auto picks where available
};

// The largest tile (batch x slice floats) for which the fused engine is expected to beat the
// gemv engine on the GPU: where the two engines' measured step times cross, rounded to 64 KiB
// (benchmarks/NOTES.md, "--engine auto follows these figures").
inline constexpr int64_t kFusedFasterTileFloats = 16384;
// And the largest batch the feature split takes: past it the batch split does, where it fits
// (H200, 4d52a68: tall at B = 1024 took 5.7 us a step split by rows, 11.7 by features and 14.6
// on gemv; the post at B = 64 took 4.9 by features and 8.7 by rows; benchmarks/NOTES.md).
inline constexpr int64_t kFusedFasterMaxBatch = 512;

// What the plan needs to know of the GPU.
struct FusedGpuLimits {
  int multiprocessors = 0;             // the grid barrier needs every block resident: one per SM
  int64_t shared_bytes_per_block = 0;  // dynamic shared memory a block may opt in to
  bool cooperative_launch = true;      // the grid barrier needs a cooperative launch
  // The most blocks a thread-block cluster may hold: 16 on Hopper (beyond the portable 8, which
  // the kernel opts out of), 0 on a GPU without clusters.
  int max_cluster_blocks = 0;
};

// The fused engine's plan on the GPU: the feature split (plan_fused_gpu_feature_split) up to
// kFusedFasterMaxBatch rows a step where it is expected to beat gemv; else the batch split
// (plan_fused_gpu_batch_split) where a block's rows fit its shared memory; else the feature
// split, or, where neither fits, unavailable with both reasons. `wanted_blocks` > 0
// (--fused-blocks) asks for that many blocks of whichever it is.
FusedPlan plan_fused_gpu(int64_t features, int64_t batch, const FusedGpuLimits& limits,
                         int64_t wanted_blocks = 0);

// The feature split: each block owns a slice of the features and keeps the batch's values of
// them in shared memory (the tile). Blocks: a quarter of the multiprocessors (the block-count
// sweep's optimum for the post's problem and tall on an H200), bounded by sqrt(features) (few
// enough that reading every block's partials costs less than the batch itself) and at least
// sqrt(features) / 2, raised until a block's tile fits its shared memory. The shape is
// unavailable when no count up to one block per multiprocessor fits, when the count that fits
// would make the partials every block reads (blocks^2 x batch) outgrow the batch (batch x
// features), or when the GPU has no cooperative launch. The plan is faster_than_gemv while
// batch x slice <= kFusedFasterTileFloats and batch <= kFusedFasterMaxBatch. `wanted_blocks` > 0
// starts from that count instead (--fused-blocks; the slices' rounding to a multiple of 4
// features may leave a few blocks fewer); a count above the features or the multiprocessors is
// unavailable.
//
// One block per multiprocessor is always resident: its shared memory fits by construction, and
// __launch_bounds__(kFusedThreads, 1) keeps its registers within a multiprocessor's.
FusedPlan plan_fused_gpu_feature_split(int64_t features, int64_t batch,
                                       const FusedGpuLimits& limits, int64_t wanted_blocks = 0);

// The experiment of FusedLayout::cluster_exchange: `cluster_blocks` blocks (their slices as
// plan_fused_gpu_feature_split cuts them, so the same floats as the grid of the same blocks) in
// one cluster; with `push`, exchanging by FusedLayout::cluster_push.
// Unavailable without clusters, beyond the GPU's cluster size or the features, and where a
// block's tile and partials do not fit its shared memory. Never faster_than_gemv: auto does not
// pick an experiment.
FusedPlan plan_fused_gpu_cluster(int64_t features, int64_t batch, const FusedGpuLimits& limits,
                                 int64_t cluster_blocks, bool push = false);

// The most blocks the batch split runs: a feature's partial gradients are summed by one warp,
// kBatchSplitLoadsPerLane of them a lane (kernels/batch_split_sgd.cu).
inline constexpr int kBatchSplitLoadsPerLane = 5;
inline constexpr int kBatchSplitMaxBlocks = 32 * kBatchSplitLoadsPerLane;

// The batch split (FusedLayout::rows_per_block): `wanted_blocks` blocks (0: one per
// multiprocessor), fewer where the batch has fewer rows or the rows' rounding leaves a block
// none, each owning ceil(batch / blocks) rows of a step and a slice of ceil(features / blocks)
// features to update. Unavailable without cooperative launches, beyond the multiprocessors or
// kBatchSplitMaxBlocks, and where a block's rows and the weights do not fit its shared memory.
// faster_than_gemv: it beat gemv on every shape it ran (post, tall, big-batch; H200, 4d52a68).
FusedPlan plan_fused_gpu_batch_split(int64_t features, int64_t batch, const FusedGpuLimits& limits,
                                     int64_t wanted_blocks);

// The experiment of FusedLayout::double_buffered_tile on an available plan (a grid's or a
// cluster's): the same blocks and slices with a second tile, targets and draws; unavailable
// where they do not fit a block's shared memory.
FusedPlan with_double_buffered_tile(const FusedPlan& plan, int64_t features, int64_t batch,
                                    const FusedGpuLimits& limits);

// The experiment of FusedLayout::bulk_copy on an available plan (the feature split's, a grid or
// a cluster read, one tile or two, or the batch split's): the same blocks and slices with the
// transaction barrier in shared memory. Unavailable without 16-byte copies (features not a
// multiple of 4), where the GPU or this build has no sm_90 code (limits.max_cluster_blocks is
// 0: the TMA comes with the clusters, and is asked with them), with pushed partials (no kernel
// is compiled for those), or where the barrier's 8 bytes do not fit.
FusedPlan with_bulk_copy(const FusedPlan& plan, int64_t features, int64_t batch,
                         const FusedGpuLimits& limits);

// The experiment of FusedLayout::one_barrier on an available batch split: the same blocks and
// rows, with the exchange's buffers doubled. Unavailable for the feature split (whose step has
// one barrier already).
FusedPlan with_one_barrier(const FusedPlan& plan, int64_t features);

// The 16-byte copies of a vector_copy layout read X's rows from `X + row * features`, features
// being a multiple of 4: they need X itself 16-byte aligned. True when the layout's copies can
// read this X.
bool fused_copies_aligned(const FusedLayout& layout, const float* X);

// The batch up to which the CPU's fused engine (dot and axpy on each sampled row, no gathered
// copy) is expected to beat gather + GEMV, on one thread and on all cores; from about 1024 rows
// a step the gathered batch lets the BLAS GEMVs stream it (benchmarks/NOTES.md, "the CPU
// engines' crossover"). auto picks fused up to this batch.
inline constexpr int64_t kCpuFusedFasterMaxBatch = 512;

// Always available; faster_than_gemv while batch <= kCpuFusedFasterMaxBatch.
FusedPlan plan_fused_cpu(int64_t batch);

}  // namespace linsgd
