// plan_fused_gpu: the batch split or the feature split; for the feature split, how many blocks,
// how wide a slice, how the tile is laid out; the plans of the experiments (a cluster, a
// double-buffered tile, bulk copies, one barrier); the alignment the 16-byte copies need;
// plan_fused_cpu.
#include "core/fused_plan.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>

namespace linsgd {
namespace {

int64_t ceil_div(int64_t a, int64_t b) {
  return (a + b - 1) / b;
}

// The threads that share a batch row's dot product: as many as the block has per row, at most a
// warp (their sums are combined with shuffles), a power of two.
int lanes_per_row(int64_t batch) {
  int lanes = 1;
  while (lanes < 32 && static_cast<int64_t>(lanes) * 2 * batch <= kFusedThreads) lanes *= 2;
  return lanes;
}

// A warp reads the tile at rows k (32 / lanes of them) and columns j + lane: with stride = lanes
// (mod 32 banks) those rows start in distinct banks. 16-byte copies need a multiple of 4, so
// there the stride is 4 (mod 32) at least, and rows of one or two lanes share banks 4 or 2 ways.
int64_t padded_stride(int64_t slice, int lanes, bool vector_copy) {
  const int64_t target = (vector_copy ? std::max(lanes, 4) : lanes) % 32;
  return slice + ((target - slice % 32) % 32 + 32) % 32;
}

// Features a block owns when `blocks` share them: rounded up to a multiple of 4 where the
// layout copies 16 bytes at a time (features a multiple of 4).
int64_t slice_for(int64_t features, int64_t blocks) {
  const int64_t slice = ceil_div(features, blocks);
  return features % 4 == 0 ? ceil_div(slice, 4) * 4 : slice;
}

// Lays out `wanted` (its slice and its experiments) in `plan` (layout and shared_bytes) when a
// block's shared memory holds it: with the tile's padded stride first, else unpadded. False when
// neither fits.
bool fit_layout(int64_t features, int64_t batch, const FusedLayout& wanted,
                const FusedGpuLimits& limits, FusedPlan& plan) {
  FusedLayout layout = wanted;
  layout.blocks = static_cast<int>(ceil_div(features, wanted.slice));
  layout.vector_copy = features % 4 == 0;
  layout.lanes_per_row = lanes_per_row(batch);
  for (const int64_t stride :
       {padded_stride(wanted.slice, layout.lanes_per_row, layout.vector_copy), wanted.slice}) {
    layout.stride = stride;
    const int64_t bytes = 4 * fused_shared_offsets(batch, layout).total;
    if (bytes > limits.shared_bytes_per_block) continue;
    plan.layout = layout;
    plan.shared_bytes = bytes;
    return true;
  }
  return false;
}

// A layout of `slice` features a block, with the cluster experiments or without.
FusedLayout sliced(int64_t slice, bool cluster_exchange, bool cluster_push = false) {
  FusedLayout layout;
  layout.slice = slice;
  layout.cluster_exchange = cluster_exchange;
  layout.cluster_push = cluster_push;
  return layout;
}

constexpr const char* kNoCooperativeLaunch =
    "this GPU cannot launch cooperative kernels, which the fused engine's grid barrier needs";

std::string kibibytes(int64_t bytes) {
  return std::to_string(bytes / 1024) + " KiB";
}

}  // namespace

FusedPlan plan_fused_gpu(int64_t features, int64_t batch, const FusedGpuLimits& limits,
                         int64_t wanted_blocks) {
  FusedPlan by_features = plan_fused_gpu_feature_split(features, batch, limits, wanted_blocks);
  if (by_features.unavailable.empty() && by_features.faster_than_gemv) return by_features;
  FusedPlan by_rows = plan_fused_gpu_batch_split(features, batch, limits, wanted_blocks);
  if (by_rows.unavailable.empty()) return by_rows;
  if (!by_features.unavailable.empty() && !by_rows.unavailable.empty()) {
    by_features.unavailable += "; " + by_rows.unavailable;
  }
  return by_features;
}

FusedPlan plan_fused_gpu_feature_split(int64_t features, int64_t batch,
                                       const FusedGpuLimits& limits, int64_t wanted_blocks) {
  FusedPlan plan;
  if (!limits.cooperative_launch) {
    plan.unavailable = kNoCooperativeLaunch;
    return plan;
  }
  const int64_t most = std::min<int64_t>(limits.multiprocessors, features);
  if (wanted_blocks > most) {
    plan.unavailable = "the fused engine cannot run " + std::to_string(wanted_blocks) +
                       " blocks (--fused-blocks) on " + std::to_string(features) +
                       " features with this GPU's " + std::to_string(limits.multiprocessors) +
                       " multiprocessors: at most " + std::to_string(most);
    return plan;
  }
  // A quarter of the multiprocessors, but no more than sqrt(d) (past that every block reads
  // more partials than its tile saves), and no fewer than sqrt(d) / 2.
  const double root = std::sqrt(static_cast<double>(features));
  const auto wanted =
      wanted_blocks > 0
          ? wanted_blocks
          : std::clamp<int64_t>(
                std::max(static_cast<int64_t>(root / 2.0),
                         std::min<int64_t>(limits.multiprocessors / 4, static_cast<int64_t>(root))),
                1, features);
  for (int64_t candidate = std::min(wanted, most); candidate >= 1 && candidate <= most;
       ++candidate) {
    const int64_t slice = slice_for(features, candidate);
    const int64_t blocks = ceil_div(features, slice);
    if (blocks > wanted && blocks * blocks > features) break;
    if (fit_layout(features, batch, sliced(slice, false), limits, plan)) {
      plan.partial_floats = 2 * blocks * batch;
      plan.faster_than_gemv =
          batch <= kFusedFasterMaxBatch && batch * slice <= kFusedFasterTileFloats;
      return plan;
    }
  }
  plan.unavailable = "the fused engine cannot hold a batch of " + std::to_string(batch) + " x " +
                     std::to_string(features) + " in the shared memory of this GPU (" +
                     std::to_string(limits.multiprocessors) + " multiprocessors, " +
                     kibibytes(limits.shared_bytes_per_block) + " a block)";
  return plan;
}

FusedPlan plan_fused_gpu_cluster(int64_t features, int64_t batch, const FusedGpuLimits& limits,
                                 int64_t cluster_blocks, bool push) {
  FusedPlan plan;
  plan.faster_than_gemv = false;
  const int64_t most = std::min<int64_t>(limits.max_cluster_blocks, features);
  if (limits.max_cluster_blocks == 0) {
    plan.unavailable = "this GPU has no thread-block clusters (Hopper and later have them)";
  } else if (cluster_blocks < 1 || cluster_blocks > most) {
    plan.unavailable = "the fused engine cannot run a cluster of " +
                       std::to_string(cluster_blocks) + " blocks on " + std::to_string(features) +
                       " features with this GPU's clusters of at most " +
                       std::to_string(limits.max_cluster_blocks) + ": at most " +
                       std::to_string(most);
  } else if (!fit_layout(features, batch, sliced(slice_for(features, cluster_blocks), true, push),
                         limits, plan)) {
    plan.unavailable = "the fused engine cannot hold a batch of " + std::to_string(batch) + " x " +
                       std::to_string(features) + " in a cluster of " +
                       std::to_string(cluster_blocks) + " blocks of this GPU (" +
                       kibibytes(limits.shared_bytes_per_block) + " a block)";
  }
  return plan;
}

FusedPlan plan_fused_gpu_batch_split(int64_t features, int64_t batch, const FusedGpuLimits& limits,
                                     int64_t wanted_blocks) {
  FusedPlan plan;
  if (!limits.cooperative_launch) {
    plan.unavailable = kNoCooperativeLaunch;
    return plan;
  }
  const int64_t most = std::min<int64_t>(limits.multiprocessors, kBatchSplitMaxBlocks);
  if (wanted_blocks > most) {
    plan.unavailable = "the batch split cannot run " + std::to_string(wanted_blocks) +
                       " blocks on this GPU: at most " + std::to_string(most);
    return plan;
  }
  const int64_t asked = std::min(wanted_blocks > 0 ? wanted_blocks : most, batch);
  FusedLayout& layout = plan.layout;
  layout.rows_per_block = ceil_div(batch, asked);
  layout.blocks = static_cast<int>(ceil_div(batch, layout.rows_per_block));
  layout.slice = ceil_div(features, layout.blocks);
  layout.vector_copy = features % 4 == 0;
  layout.stride = features;  // a warp reads along a row, a thread down a column: no conflicts
  plan.shared_bytes = 4 * batch_split_shared_offsets(layout, features).total;
  plan.partial_floats = batch_split_partial_floats(layout, features);
  plan.faster_than_gemv = true;  // on every shape it ran (fused_plan.hpp)
  if (plan.shared_bytes > limits.shared_bytes_per_block) {
    plan.unavailable = "the batch split cannot hold " + std::to_string(layout.rows_per_block) +
                       " rows of " + std::to_string(features) +
                       " features in a block's shared memory on this GPU (" +
                       kibibytes(limits.shared_bytes_per_block) + ")";
  }
  return plan;
}

FusedPlan with_double_buffered_tile(const FusedPlan& plan, int64_t features, int64_t batch,
                                    const FusedGpuLimits& limits) {
  if (!plan.unavailable.empty()) return plan;
  FusedPlan doubled = plan;
  if (plan.layout.batch_split()) {
    doubled.unavailable = "the batch split copies its next step's rows during the barriers already";
    return doubled;
  }
  FusedLayout wanted = plan.layout;
  wanted.double_buffered_tile = true;
  if (!fit_layout(features, batch, wanted, limits, doubled)) {
    doubled.unavailable = "the fused engine cannot hold two tiles of " + std::to_string(batch) +
                          " x " + std::to_string(plan.layout.slice) +
                          " in a block's shared memory on this GPU (" +
                          kibibytes(limits.shared_bytes_per_block) + ")";
  }
  return doubled;
}

FusedPlan with_bulk_copy(const FusedPlan& plan, int64_t features, int64_t batch,
                         const FusedGpuLimits& limits) {
  if (!plan.unavailable.empty()) return plan;
  FusedPlan bulk = plan;
  bulk.layout.bulk_copy = true;
  if (!plan.layout.vector_copy) {
    bulk.unavailable =
        "the TMA's bulk copies move 16 bytes at a time: " + std::to_string(features) +
        " features are not a multiple of 4";
  } else if (limits.max_cluster_blocks == 0) {
    bulk.unavailable =
        "the TMA's bulk copies need sm_90 code on a Hopper GPU (or later), which this build or "
        "this GPU lacks";
  } else if (plan.layout.cluster_push) {
    bulk.unavailable = "the TMA's bulk copies run with the grid's or the cluster's read exchange";
  } else {
    // The feature split's tile as its plan lays it out (padded, else not) with the barrier; the
    // batch split's rows are never padded.
    bool fits = false;
    if (plan.layout.batch_split()) {
      bulk.shared_bytes = 4 * batch_split_shared_offsets(bulk.layout, features).total;
      fits = bulk.shared_bytes <= limits.shared_bytes_per_block;
    } else {
      fits = fit_layout(features, batch, bulk.layout, limits, bulk);
    }
    if (!fits) {
      bulk.unavailable = "the bulk copies' transaction barrier does not fit beside the " +
                         kibibytes(plan.shared_bytes) + " of a block's shared memory";
    }
  }
  return bulk;
}

FusedPlan with_one_barrier(const FusedPlan& plan, int64_t features) {
  if (!plan.unavailable.empty()) return plan;
  FusedPlan one = plan;
  if (!plan.layout.batch_split()) {
    one.unavailable = "the feature split's step has one barrier already";
    return one;
  }
  one.layout.one_barrier = true;
  one.partial_floats = batch_split_partial_floats(one.layout, features);
  return one;
}

bool fused_copies_aligned(const FusedLayout& layout, const float* X) {
  return !layout.vector_copy || reinterpret_cast<uintptr_t>(X) % 16 == 0;
}

FusedPlan plan_fused_cpu(int64_t batch) {
  FusedPlan plan;
  plan.faster_than_gemv = batch <= kCpuFusedFasterMaxBatch;
  return plan;
}

}  // namespace linsgd
