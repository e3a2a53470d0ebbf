// The GPU fused kernel's work split (plan_fused_gpu), for the limits of an H100 or H200: the
// batch split past kFusedFasterMaxBatch rows where it fits, else the feature split; every plan
// covers the features exactly, fits a block's shared memory, keeps 16-byte copies aligned and
// the tile's rows apart in the banks; shapes too large are unavailable with a reason.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <tuple>
#include <utility>

#include "core/fused_plan.hpp"

namespace linsgd {
namespace {

// 132 multiprocessors, 227 KiB of opt-in shared memory a block, less the kernel's static share;
// cooperative launches and clusters of up to 16 blocks.
constexpr FusedGpuLimits kHopper{132, 227 * 1024 - 512, true, 16};

bool is_power_of_two(int value) {
  return value > 0 && (value & (value - 1)) == 0;
}

// The properties of an available layout the kernel relies on, for a grid or a cluster.
void check_layout(int64_t features, int64_t batch, const FusedGpuLimits& limits,
                  const FusedPlan& plan) {
  const std::string shape = std::to_string(batch) + " x " + std::to_string(features);
  const FusedLayout& l = plan.layout;
  // Slices cover [0, features) and none is empty.
  EXPECT_GE(l.blocks, 1) << shape;
  EXPECT_LE(l.blocks, limits.multiprocessors) << shape;
  EXPECT_LT((l.blocks - 1) * l.slice, features) << shape;
  EXPECT_GE(l.blocks * l.slice, features) << shape;
  // Shared memory: what the kernel carves, within the limit.
  EXPECT_GE(l.stride, l.slice) << shape;
  EXPECT_LT(l.stride - l.slice, 32) << shape;
  EXPECT_EQ(plan.shared_bytes, 4 * fused_shared_offsets(batch, l).total) << shape;
  EXPECT_LE(plan.shared_bytes, limits.shared_bytes_per_block) << shape;
  // 16-byte copies only where every source and destination row offset is a multiple of 4.
  EXPECT_EQ(l.vector_copy, features % 4 == 0) << shape;
  if (l.vector_copy) {
    EXPECT_EQ(l.slice % 4, 0) << shape;
    EXPECT_EQ(l.stride % 4, 0) << shape;
  }
  // A row's lanes share one warp, and the block has a lane for each of them.
  EXPECT_TRUE(is_power_of_two(l.lanes_per_row) && l.lanes_per_row <= 32) << shape;
  EXPECT_TRUE(l.lanes_per_row == 1 || l.lanes_per_row * batch <= kFusedThreads) << shape;
}

// The feature split's plan, checked for every property its kernel relies on; returns the plan
// for further checks.
FusedPlan checked_plan(int64_t features, int64_t batch, const FusedGpuLimits& limits = kHopper,
                       int64_t wanted_blocks = 0) {
  const FusedPlan plan = plan_fused_gpu_feature_split(features, batch, limits, wanted_blocks);
  const std::string shape = std::to_string(batch) + " x " + std::to_string(features);
  if (!plan.unavailable.empty()) return plan;
  check_layout(features, batch, limits, plan);
  const FusedLayout& l = plan.layout;
  EXPECT_FALSE(l.cluster_exchange) << shape;
  EXPECT_EQ(plan.partial_floats, 2 * l.blocks * batch) << shape;
  EXPECT_EQ(plan.faster_than_gemv,
            batch <= kFusedFasterMaxBatch && batch * l.slice <= kFusedFasterTileFloats)
      << shape;
  // The partials every block reads (blocks^2 x batch) stay within the batch's own size, unless
  // the count is the one the plan starts from: sqrt(features) / 2, or the one asked for.
  const auto wanted = wanted_blocks > 0
                          ? wanted_blocks
                          : static_cast<int64_t>(std::sqrt(static_cast<double>(features)) / 2.0);
  EXPECT_TRUE(l.blocks <= std::max<int64_t>(wanted, 1) ||
              static_cast<int64_t>(l.blocks) * l.blocks <= features)
      << shape;
  return plan;
}

TEST(FusedPlan, PostProblemUsesAQuarterOfTheMultiprocessors) {
  const FusedPlan plan = checked_plan(2000, 64);
  ASSERT_EQ(plan.unavailable, "");
  // 132 / 4 = 33 blocks (between sqrt(2000) / 2 = 22 and sqrt(2000) = 44) of ceil(2000 / 33) = 61
  // features, rounded up to 64 for 16-byte copies: 32 blocks; 4 lanes a row (64 rows x 4 = 256
  // threads); stride 68 = 4 (mod 32): the 8 rows a warp reads start 4 banks apart.
  EXPECT_EQ(plan.layout.blocks, 32);
  EXPECT_EQ(plan.layout.slice, 64);
  EXPECT_EQ(plan.layout.lanes_per_row, 4);
  EXPECT_TRUE(plan.layout.vector_copy);
  EXPECT_EQ(plan.layout.stride, 68);
  // 64 x 68 tile + 64 weights + 4 x 64 + 256 floats.
  EXPECT_EQ(plan.shared_bytes, 4 * (64 * 68 + 64 + 256 + 256));
  EXPECT_TRUE(plan.faster_than_gemv);  // a 64 x 64 tile
  // A GPU of 80 multiprocessors: 20 blocks, below sqrt(2000) / 2 = 22: 22 of 92 features.
  EXPECT_EQ(checked_plan(2000, 64, {80, 227 * 1024 - 512, true, 0}).layout.blocks, 22);
  EXPECT_EQ(checked_plan(2000, 64, {80, 227 * 1024 - 512, true, 0}).layout.slice, 92);
}

TEST(FusedPlan, OddFeatureCountsCopyOneFloatAtATime) {
  const FusedPlan plan = checked_plan(2001, 64);
  ASSERT_EQ(plan.unavailable, "");
  EXPECT_FALSE(plan.layout.vector_copy);
  EXPECT_EQ(plan.layout.slice, 61);       // ceil(2001 / 33)
  EXPECT_EQ(plan.layout.stride % 32, 4);  // = lanes: rows 4 banks apart
}

TEST(FusedPlan, WideShapeTakesMoreBlocksUntilTheTileFits) {
  // 256 x 20000: sqrt / 2 = 70 blocks would need 256 x 288 floats (288 KiB) each; 91 blocks of
  // 220 features (220 KiB with the rest) fit.
  const FusedPlan plan = checked_plan(20000, 256);
  ASSERT_EQ(plan.unavailable, "");
  EXPECT_EQ(plan.layout.blocks, 91);
  EXPECT_EQ(plan.layout.slice, 220);
  EXPECT_EQ(plan.layout.lanes_per_row, 1);
  EXPECT_FALSE(plan.faster_than_gemv);  // a 256 x 220 tile
}

TEST(FusedPlan, TheFeatureSplitOfTallIsNotExpectedToBeatGemv) {
  // 1024 x 256: sqrt(256) = 16 blocks (fewer than 132 / 4) of 16 features, a 1024 x 16 tile
  // within kFusedFasterTileFloats, but a batch beyond kFusedFasterMaxBatch (the batch split's).
  const FusedPlan plan = checked_plan(256, 1024);
  ASSERT_EQ(plan.unavailable, "");
  EXPECT_EQ(plan.layout.blocks, 16);
  EXPECT_EQ(plan.layout.slice, 16);
  EXPECT_FALSE(plan.faster_than_gemv);
  // The same features at a batch of 512: fused (8192 floats a tile).
  EXPECT_TRUE(checked_plan(256, 512).faster_than_gemv);
}

TEST(FusedPlan, LargestFusedTestBatchFitsWithFiveBlocks) {
  // 4096 x 40 (the GPU suite's largest fused batch): 5 slices of 8 features, 4096 x 8 floats.
  const FusedPlan plan = checked_plan(40, 4096);
  ASSERT_EQ(plan.unavailable, "");
  EXPECT_EQ(plan.layout.blocks, 5);
  EXPECT_EQ(plan.layout.slice, 8);
  EXPECT_EQ(plan.layout.stride, 8);  // padding would not fit
}

TEST(FusedPlan, BatchesTooLargeForTheFeatureSplitAreUnavailableToItWithAReason) {
  // The big-batch benchmark shape: 8192 rows of even 4 features need 8192 x 8 x 4 bytes (the
  // batch split takes it: PastKFusedFasterMaxBatchRows... below).
  const FusedPlan big_batch = checked_plan(512, 8192);
  EXPECT_EQ(big_batch.unavailable,
            "the fused engine cannot hold a batch of 8192 x 512 in the shared memory of this GPU "
            "(132 multiprocessors, 226 KiB a block)");
  // A small GPU: 4 multiprocessors cannot hold the post's batch in 48 KiB each.
  EXPECT_NE(checked_plan(2000, 64, {4, 48 * 1024, true, 0}).unavailable, "");
  EXPECT_EQ(checked_plan(2000, 64, {24, 48 * 1024, true, 0}).unavailable, "");
}

TEST(FusedPlan, EveryShapeOfAGridSatisfiesTheKernelsAssumptions) {
  int available = 0;
  for (const int64_t features : {1, 2, 3, 4, 7, 33, 40, 70, 129, 256, 2001, 4096, 20000, 70000}) {
    for (const int64_t batch : {1, 7, 25, 64, 65, 256, 300, 1024, 4096, 8192}) {
      if (checked_plan(features, batch).unavailable.empty()) ++available;
    }
  }
  EXPECT_GT(available, 100);  // of 140: only the largest batches of many features are not
}

TEST(FusedPlan, AskedBlockCountsSplitThePostsFeaturesAsNearAsTheirRoundingAllows) {
  // --fused-blocks 44: slices of ceil(2000 / 44) = 46, rounded up to 48 for 16-byte copies, so
  // ceil(2000 / 48) = 42 blocks; 132: slices of 16, 125 blocks; 8: slices of 252, 8 blocks.
  for (const auto& [asked, blocks, slice] :
       {std::tuple{44, 42, 48}, std::tuple{132, 125, 16}, std::tuple{8, 8, 252}}) {
    const FusedPlan plan = checked_plan(2000, 64, kHopper, asked);
    ASSERT_EQ(plan.unavailable, "") << asked;
    EXPECT_EQ(plan.layout.blocks, blocks) << asked;
    EXPECT_EQ(plan.layout.slice, slice) << asked;
  }
  // Too few to hold the batch: the count rises until the tile fits, as from the default. One
  // block cannot hold 64 x 2000 floats (500 KiB): 3 blocks of 668 features (170 KiB) can. Nor
  // 1024 x 256 (1 MiB): 5 blocks of 52 features (208 KiB) can.
  EXPECT_EQ(checked_plan(2000, 64, kHopper, 1).layout.blocks, 3);
  EXPECT_EQ(checked_plan(2000, 64, kHopper, 1).layout.slice, 668);
  EXPECT_EQ(checked_plan(256, 1024, kHopper, 1).layout.blocks, 5);
  EXPECT_EQ(checked_plan(256, 1024, kHopper, 1).layout.slice, 52);
}

TEST(FusedPlan, AskedBlockCountsBeyondTheGpuOrTheFeaturesAreUnavailable) {
  EXPECT_EQ(checked_plan(2000, 64, kHopper, 133).unavailable,
            "the fused engine cannot run 133 blocks (--fused-blocks) on 2000 features with this "
            "GPU's 132 multiprocessors: at most 132");
  EXPECT_EQ(checked_plan(40, 64, kHopper, 41).unavailable,
            "the fused engine cannot run 41 blocks (--fused-blocks) on 40 features with this "
            "GPU's 132 multiprocessors: at most 40");
}

TEST(FusedPlan, AGpuWithoutCooperativeLaunchHasNoFusedEngine) {
  FusedGpuLimits limits = kHopper;
  limits.cooperative_launch = false;
  EXPECT_EQ(checked_plan(2000, 64, limits).unavailable,
            "this GPU cannot launch cooperative kernels, which the fused engine's grid barrier "
            "needs");
}

TEST(FusedPlan, SixteenByteCopiesNeedXSixteenByteAligned) {
  alignas(16) float X[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  FusedLayout layout = checked_plan(2000, 64).layout;
  ASSERT_TRUE(layout.vector_copy);
  EXPECT_TRUE(fused_copies_aligned(layout, X));
  EXPECT_FALSE(fused_copies_aligned(layout, X + 1));  // 4 bytes past a 16-byte boundary
  EXPECT_FALSE(fused_copies_aligned(layout, X + 2));
  EXPECT_TRUE(fused_copies_aligned(layout, X + 4));
  layout = checked_plan(2001, 64).layout;  // one float at a time: any float address
  ASSERT_FALSE(layout.vector_copy);
  EXPECT_TRUE(fused_copies_aligned(layout, X + 1));
}

// The cluster experiment's plan, checked as checked_plan checks a grid's, and against the grid
// of the same blocks: the same slices and tile, so the same floats (a gpu test runs both).
FusedPlan checked_cluster_plan(int64_t features, int64_t batch, int64_t cluster_blocks,
                               const FusedGpuLimits& limits = kHopper, bool push = false) {
  const FusedPlan plan = plan_fused_gpu_cluster(features, batch, limits, cluster_blocks, push);
  const std::string shape = std::to_string(batch) + " x " + std::to_string(features) +
                            ", cluster of " + std::to_string(cluster_blocks);
  if (!plan.unavailable.empty()) return plan;
  check_layout(features, batch, limits, plan);
  const FusedLayout& l = plan.layout;
  EXPECT_TRUE(l.cluster_exchange) << shape;
  EXPECT_EQ(l.cluster_push, push) << shape;
  EXPECT_EQ(fused_shared_offsets(batch, l).partials % 2, 0) << shape;  // 8-byte barriers
  EXPECT_LE(l.blocks, cluster_blocks) << shape;
  EXPECT_LE(l.blocks, limits.max_cluster_blocks) << shape;
  EXPECT_EQ(plan.partial_floats, 0) << shape;  // in the blocks' shared memory
  EXPECT_FALSE(plan.faster_than_gemv) << shape;
  const FusedPlan grid = plan_fused_gpu_feature_split(features, batch, limits, cluster_blocks);
  if (grid.unavailable.empty() && grid.layout.slice == l.slice) {
    EXPECT_EQ(grid.layout.blocks, l.blocks) << shape;
    EXPECT_EQ(grid.layout.lanes_per_row, l.lanes_per_row) << shape;
    EXPECT_EQ(grid.layout.vector_copy, l.vector_copy) << shape;
  }
  return plan;
}

TEST(FusedPlan, TheClusterExperimentSplitsThePostsFeaturesAsTheGridOfItsBlocks) {
  // 16 blocks (Hopper's largest cluster) of ceil(2000 / 16) = 125 features, rounded up to 128:
  // the last has 80. Stride 132 = 4 (mod 32), 4 lanes a row; each block keeps its partials of
  // the two step parities (2 x 64 floats) after the grid layout's arrays.
  const FusedPlan plan = checked_cluster_plan(2000, 64, 16);
  ASSERT_EQ(plan.unavailable, "");
  EXPECT_EQ(plan.layout.blocks, 16);
  EXPECT_EQ(plan.layout.slice, 128);
  EXPECT_EQ(plan.layout.stride, 132);
  EXPECT_EQ(plan.layout.lanes_per_row, 4);
  EXPECT_EQ(plan.shared_bytes, 4 * (64 * 132 + 128 + 4 * 64 + 256 + 2 * 64));
  // The grid of 16 blocks: the same layout, exchanging through global memory.
  const FusedPlan grid = checked_plan(2000, 64, kHopper, 16);
  EXPECT_EQ(grid.layout.slice, 128);
  EXPECT_EQ(grid.layout.stride, 132);
  EXPECT_EQ(grid.shared_bytes, plan.shared_bytes - 4 * 2 * 64);
  // Pushed: two 8-byte barriers (4 floats), the block's partials (64) and every block's of both
  // step parities (2 x 16 x 64) in place of the two parities of its own.
  const FusedPlan pushed = checked_cluster_plan(2000, 64, 16, kHopper, true);
  ASSERT_EQ(pushed.unavailable, "");
  EXPECT_EQ(pushed.layout.slice, 128);
  EXPECT_EQ(pushed.shared_bytes, grid.shared_bytes + 4 * (4 + 64 + 2 * 16 * 64));
  // A portable cluster of 8: slices of 252; tall (1024 x 256) in 16 blocks of 16 features.
  EXPECT_EQ(checked_cluster_plan(2000, 64, 8).layout.slice, 252);
  EXPECT_EQ(checked_cluster_plan(256, 1024, 16).layout.blocks, 16);
  EXPECT_EQ(checked_cluster_plan(256, 1024, 16).layout.slice, 16);
}

TEST(FusedPlan, TheClusterExperimentIsUnavailableWhereNoClusterHoldsTheShape) {
  FusedGpuLimits ampere = kHopper;
  ampere.max_cluster_blocks = 0;
  EXPECT_EQ(checked_cluster_plan(2000, 64, 8, ampere).unavailable,
            "this GPU has no thread-block clusters (Hopper and later have them)");
  EXPECT_EQ(checked_cluster_plan(2000, 64, 17).unavailable,
            "the fused engine cannot run a cluster of 17 blocks on 2000 features with this GPU's "
            "clusters of at most 16: at most 16");
  EXPECT_EQ(checked_cluster_plan(7, 64, 8).unavailable,
            "the fused engine cannot run a cluster of 8 blocks on 7 features with this GPU's "
            "clusters of at most 16: at most 7");
  EXPECT_NE(checked_cluster_plan(2000, 64, 0).unavailable, "");
  // wide (256 x 20000): 16 blocks of 1252 features would need 1.2 MiB each.
  EXPECT_EQ(checked_cluster_plan(20000, 256, 16).unavailable,
            "the fused engine cannot hold a batch of 256 x 20000 in a cluster of 16 blocks of "
            "this GPU (226 KiB a block)");
}

TEST(FusedPlan, EveryClusterOfAGridOfShapesSatisfiesTheKernelsAssumptions) {
  // Available unless there are more blocks than features, or the unpadded tile and the block's
  // other arrays outgrow its shared memory: its weights (the slice rounded up to 4 floats), the
  // targets, residuals and two buffers of draws (4 x batch), one float a thread, rounded up to an
  // even count; then the partials: two parities of its own (2 x batch), or, pushed, two
  // barriers (4 floats), its own (batch) and two parities of every block's (2 x blocks x batch).
  int available = 0;
  for (const int64_t features : {1, 3, 4, 33, 40, 129, 256, 2000, 2001, 4096}) {
    for (const int64_t batch : {1, 7, 64, 65, 300, 1024, 4096}) {
      for (const int64_t blocks : {1, 2, 5, 8, 16}) {
        for (const bool push : {false, true}) {
          const FusedPlan plan = checked_cluster_plan(features, batch, blocks, kHopper, push);
          int64_t slice = (features + blocks - 1) / blocks;
          if (features % 4 == 0) slice = (slice + 3) / 4 * 4;
          const int64_t blocks_run = (features + slice - 1) / slice;
          const int64_t before = batch * slice + (slice + 3) / 4 * 4 + 4 * batch + kFusedThreads;
          const int64_t partials = push ? 4 + batch + 2 * blocks_run * batch : 2 * batch;
          const bool fits = 4 * ((before + 1) / 2 * 2 + partials) <= kHopper.shared_bytes_per_block;
          EXPECT_EQ(plan.unavailable.empty(), blocks <= features && fits)
              << batch << " x " << features << " in " << blocks << (push ? ", pushed: " : ": ")
              << plan.unavailable;
          if (plan.unavailable.empty()) ++available;
        }
      }
    }
  }
  EXPECT_GT(available, 300);  // of 700
}

TEST(FusedPlan, TheDoubleBufferedTileExperimentKeepsThePlansBlocksWithASecondTile) {
  // The post's plan (32 blocks of 64, stride 68) with a second tile, a second buffer of targets
  // and a third of draws: 4 x (2 x 64 x 68 + 64 weights + 2 x 64 targets + 64 residuals + 256
  // + 3 x 64 draws) bytes.
  const FusedPlan post = checked_plan(2000, 64);
  const FusedPlan doubled = with_double_buffered_tile(post, 2000, 64, kHopper);
  ASSERT_EQ(doubled.unavailable, "");
  check_layout(2000, 64, kHopper, doubled);
  EXPECT_TRUE(doubled.layout.double_buffered_tile);
  EXPECT_EQ(doubled.layout.blocks, 32);
  EXPECT_EQ(doubled.layout.slice, 64);
  EXPECT_EQ(doubled.layout.stride, 68);
  EXPECT_EQ(doubled.partial_floats, post.partial_floats);
  EXPECT_EQ(doubled.shared_bytes, 4 * (2 * 64 * 68 + 64 + 2 * 64 + 64 + 256 + 3 * 64));
  // tall (1024 x 256, 16 blocks of 16): two padded tiles (1024 x 36 floats each) would need
  // 288 KiB; two unpadded ones fit.
  const FusedPlan tall = with_double_buffered_tile(checked_plan(256, 1024), 256, 1024, kHopper);
  ASSERT_EQ(tall.unavailable, "");
  check_layout(256, 1024, kHopper, tall);
  EXPECT_EQ(tall.layout.blocks, 16);
  EXPECT_EQ(tall.layout.stride, 16);
  // A cluster's plan keeps its exchange.
  const FusedPlan cluster =
      with_double_buffered_tile(checked_cluster_plan(2000, 64, 16), 2000, 64, kHopper);
  ASSERT_EQ(cluster.unavailable, "");
  check_layout(2000, 64, kHopper, cluster);
  EXPECT_TRUE(cluster.layout.cluster_exchange);
  EXPECT_TRUE(cluster.layout.double_buffered_tile);
  // wide (256 x 20000, 91 blocks of 220): one tile nearly fills a block.
  EXPECT_EQ(with_double_buffered_tile(checked_plan(20000, 256), 20000, 256, kHopper).unavailable,
            "the fused engine cannot hold two tiles of 256 x 220 in a block's shared memory on "
            "this GPU (226 KiB)");
  // An unavailable plan stays unavailable, for its own reason.
  const FusedPlan big_batch = checked_plan(512, 8192);
  EXPECT_EQ(with_double_buffered_tile(big_batch, 512, 8192, kHopper).unavailable,
            big_batch.unavailable);
}

// The batch split's plan: what its kernel relies on, for any shape it takes.
FusedPlan checked_batch_split(int64_t features, int64_t batch, int64_t wanted_blocks = 0,
                              const FusedGpuLimits& limits = kHopper) {
  const FusedPlan plan = plan_fused_gpu_batch_split(features, batch, limits, wanted_blocks);
  const std::string shape = std::to_string(batch) + " x " + std::to_string(features);
  if (!plan.unavailable.empty()) return plan;
  const FusedLayout& l = plan.layout;
  EXPECT_TRUE(l.batch_split()) << shape;
  // Rows: every block owns at least one, together all of them.
  EXPECT_GE(static_cast<int64_t>(l.blocks) * l.rows_per_block, batch) << shape;
  EXPECT_LT(static_cast<int64_t>(l.blocks - 1) * l.rows_per_block, batch) << shape;
  EXPECT_LE(l.blocks, std::min<int64_t>(limits.multiprocessors, kBatchSplitMaxBlocks)) << shape;
  // Features: the update slices cover them all.
  EXPECT_GE(static_cast<int64_t>(l.blocks) * l.slice, features) << shape;
  EXPECT_EQ(l.vector_copy, features % 4 == 0) << shape;
  EXPECT_EQ(l.stride, features) << shape;
  EXPECT_EQ(plan.shared_bytes, 4 * batch_split_shared_offsets(l, features).total) << shape;
  EXPECT_LE(plan.shared_bytes, limits.shared_bytes_per_block) << shape;
  EXPECT_EQ(plan.partial_floats, batch_split_partial_floats(l, features)) << shape;
  EXPECT_EQ(batch_split_sums_offset(l.blocks, features) % 2, 0) << shape;  // doubles aligned
  EXPECT_GE(batch_split_sums_offset(l.blocks, features), l.blocks * features) << shape;
  EXPECT_TRUE(plan.faster_than_gemv) << shape;
  return plan;
}

TEST(FusedPlan, TheBatchSplitGivesEachMultiprocessorRowsOfTheBatch) {
  // tall (1024 x 256): ceil(1024 / 132) = 8 rows a block, so 128 blocks, each updating 2 of the
  // 256 features; 8 rows, the weights and 5 x 8 more floats of shared memory.
  const FusedPlan tall = checked_batch_split(256, 1024);
  ASSERT_EQ(tall.unavailable, "");
  EXPECT_EQ(tall.layout.blocks, 128);
  EXPECT_EQ(tall.layout.rows_per_block, 8);
  EXPECT_EQ(tall.layout.slice, 2);
  EXPECT_EQ(tall.shared_bytes, 4 * (8 * 256 + 256 + 5 * 8));
  EXPECT_EQ(tall.partial_floats, 128 * 256 + 4 * 128);
  // big-batch (8192 x 512), beyond the feature split: 63 rows a block (126 KiB), 131 blocks.
  const FusedPlan big = checked_batch_split(512, 8192);
  ASSERT_EQ(big.unavailable, "");
  EXPECT_EQ(big.layout.blocks, 131);
  EXPECT_EQ(big.layout.rows_per_block, 63);
  EXPECT_EQ(big.layout.slice, 4);
  // The post (64 x 2000): a row a block, 64 blocks of 32 features.
  const FusedPlan post = checked_batch_split(2000, 64);
  EXPECT_EQ(post.layout.blocks, 64);
  EXPECT_EQ(post.layout.rows_per_block, 1);
  EXPECT_EQ(post.layout.slice, 32);
  // Asked for 7 blocks of a 300-row batch of 37 features: 43 rows each (the last 42), slices of
  // 6 features (the last 1), one float a copy.
  const FusedPlan odd = checked_batch_split(37, 300, 7);
  ASSERT_EQ(odd.unavailable, "");
  EXPECT_EQ(odd.layout.blocks, 7);
  EXPECT_EQ(odd.layout.rows_per_block, 43);
  EXPECT_EQ(odd.layout.slice, 6);
  EXPECT_FALSE(odd.layout.vector_copy);
  // A double-buffered tile is the feature split's experiment.
  EXPECT_EQ(with_double_buffered_tile(tall, 256, 1024, kHopper).unavailable,
            "the batch split copies its next step's rows during the barriers already");
}

TEST(FusedPlan, TheBatchSplitIsUnavailableWhereItsRowsOrTheGpuDoNotAllowIt) {
  // wide (256 x 20000): 2 rows and the 20000 weights, 234 KiB.
  EXPECT_EQ(checked_batch_split(20000, 256).unavailable,
            "the batch split cannot hold 2 rows of 20000 features in a block's shared memory on "
            "this GPU (226 KiB)");
  // One block for the post's 64 rows: 500 KiB.
  EXPECT_NE(checked_batch_split(2000, 64, 1).unavailable, "");
  EXPECT_EQ(checked_batch_split(2000, 64, 133).unavailable,
            "the batch split cannot run 133 blocks on this GPU: at most 132");
  FusedGpuLimits no_cooperative = kHopper;
  no_cooperative.cooperative_launch = false;
  EXPECT_NE(checked_batch_split(256, 1024, 0, no_cooperative).unavailable, "");
  // A GPU of 200 multiprocessors: at most kBatchSplitMaxBlocks (one warp sums a feature's
  // partials, 5 a lane): 8000 rows in 160 blocks of 50.
  const FusedGpuLimits large{200, 227 * 1024 - 512, true, 16};
  EXPECT_EQ(checked_batch_split(256, 8000, 0, large).layout.blocks, 160);
  EXPECT_EQ(checked_batch_split(256, 8000, 0, large).layout.rows_per_block, 50);
}

TEST(FusedPlan, EveryBatchSplitOfAGridOfShapesSatisfiesTheKernelsAssumptions) {
  int available = 0;
  for (const int64_t features : {1, 3, 4, 33, 40, 129, 256, 2001, 4096}) {
    for (const int64_t batch : {1, 7, 64, 65, 300, 1024, 8192}) {
      for (const int64_t blocks : {0, 1, 5, 64, 132}) {
        if (checked_batch_split(features, batch, blocks).unavailable.empty()) ++available;
      }
    }
  }
  EXPECT_GT(available, 250);  // of 315: not the largest batches of many features in few blocks
}

TEST(FusedPlan, TheBulkCopyExperimentAddsOnlyItsTransactionBarrier) {
  // FusedLayout::bulk_copy: the same blocks, slices and arrays, with one 8-byte barrier past them
  // at an 8-byte aligned offset (4 more bytes where the arrays end on an odd float).
  const auto expect_barrier_added = [](const FusedPlan& plain, const FusedPlan& bulk,
                                       int64_t plain_floats, int64_t barrier_at,
                                       const std::string& name) {
    ASSERT_EQ(bulk.unavailable, "") << name;
    EXPECT_TRUE(bulk.layout.bulk_copy) << name;
    EXPECT_FALSE(plain.layout.bulk_copy) << name;
    EXPECT_EQ(bulk.layout.blocks, plain.layout.blocks) << name;
    EXPECT_EQ(bulk.layout.slice, plain.layout.slice) << name;
    EXPECT_EQ(bulk.layout.stride, plain.layout.stride) << name;
    EXPECT_EQ(bulk.partial_floats, plain.partial_floats) << name;
    EXPECT_EQ(plain.shared_bytes, 4 * plain_floats) << name;
    EXPECT_EQ(barrier_at % 2, 0) << name;
    EXPECT_TRUE(barrier_at == plain_floats || barrier_at == plain_floats + 1) << name;
    EXPECT_EQ(bulk.shared_bytes, 4 * (barrier_at + 2)) << name;
  };
  const FusedPlan post = checked_plan(2000, 64);
  const FusedPlan post_bulk = with_bulk_copy(post, 2000, 64, kHopper);
  check_layout(2000, 64, kHopper, post_bulk);
  expect_barrier_added(post, post_bulk, fused_shared_offsets(64, post.layout).total,
                       fused_shared_offsets(64, post_bulk.layout).rows_landed, "post");
  const FusedPlan cluster = checked_cluster_plan(2000, 64, 16);
  const FusedPlan cluster_bulk = with_bulk_copy(cluster, 2000, 64, kHopper);
  check_layout(2000, 64, kHopper, cluster_bulk);
  expect_barrier_added(cluster, cluster_bulk, fused_shared_offsets(64, cluster.layout).total,
                       fused_shared_offsets(64, cluster_bulk.layout).rows_landed, "cluster");
  // The barrier lies past the cluster's partials, which the other blocks read.
  EXPECT_GE(fused_shared_offsets(64, cluster_bulk.layout).rows_landed,
            fused_shared_offsets(64, cluster_bulk.layout).partials + 2 * 64);
  // tall's batch split: 8 rows of 256, the weights and 5 x 8 floats (2344, even), then 2.
  const FusedPlan tall = checked_batch_split(256, 1024);
  const FusedPlan tall_bulk = with_bulk_copy(tall, 256, 1024, kHopper);
  EXPECT_EQ(tall_bulk.shared_bytes, 4 * (8 * 256 + 256 + 5 * 8 + 2));
  expect_barrier_added(tall, tall_bulk, batch_split_shared_offsets(tall.layout, 256).total,
                       batch_split_shared_offsets(tall_bulk.layout, 256).rows_landed, "tall");
  // The post's batch split: a row of 2000, the 2000 weights and 5 floats end on an odd float
  // (4005), so the barrier starts at 4006; every other array stays where it was.
  const FusedPlan post_rows = checked_batch_split(2000, 64);
  const FusedPlan post_rows_bulk = with_bulk_copy(post_rows, 2000, 64, kHopper);
  const BatchSplitSharedOffsets plain = batch_split_shared_offsets(post_rows.layout, 2000);
  const BatchSplitSharedOffsets with_barrier =
      batch_split_shared_offsets(post_rows_bulk.layout, 2000);
  EXPECT_EQ(plain.total, 4005);
  EXPECT_EQ(with_barrier.rows_landed, 4006);
  expect_barrier_added(post_rows, post_rows_bulk, plain.total, with_barrier.rows_landed,
                       "post, by rows");
  EXPECT_EQ(std::tuple(plain.weights, plain.y_rows, plain.residual, plain.loss_terms, plain.draws,
                       plain.next_draws),
            std::tuple(with_barrier.weights, with_barrier.y_rows, with_barrier.residual,
                       with_barrier.loss_terms, with_barrier.draws, with_barrier.next_draws));
  const FusedSharedOffsets tiles = fused_shared_offsets(64, cluster.layout);
  const FusedSharedOffsets tiles_bulk = fused_shared_offsets(64, cluster_bulk.layout);
  EXPECT_EQ(std::tuple(tiles.next_tile, tiles.w_slice, tiles.y_batch, tiles.residual,
                       tiles.group_sums, tiles.draws, tiles.next_draws, tiles.partials),
            std::tuple(tiles_bulk.next_tile, tiles_bulk.w_slice, tiles_bulk.y_batch,
                       tiles_bulk.residual, tiles_bulk.group_sums, tiles_bulk.draws,
                       tiles_bulk.next_draws, tiles_bulk.partials));
  // A block whose shared memory the plan fills to the byte has no room for the barrier.
  FusedGpuLimits full = kHopper;
  full.shared_bytes_per_block = tall.shared_bytes;
  const FusedPlan filled = checked_batch_split(256, 1024, 0, full);
  ASSERT_EQ(filled.unavailable, "");
  EXPECT_EQ(with_bulk_copy(filled, 256, 1024, full).unavailable,
            "the bulk copies' transaction barrier does not fit beside the 9 KiB of a block's "
            "shared memory");
  // Where no kernel runs it, or the TMA cannot.
  EXPECT_EQ(with_bulk_copy(checked_batch_split(37, 300, 7), 37, 300, kHopper).unavailable,
            "the TMA's bulk copies move 16 bytes at a time: 37 features are not a multiple of 4");
  FusedGpuLimits ampere = kHopper;
  ampere.max_cluster_blocks = 0;
  EXPECT_EQ(with_bulk_copy(post, 2000, 64, ampere).unavailable,
            "the TMA's bulk copies need sm_90 code on a Hopper GPU (or later), which this build "
            "or this GPU lacks");
  EXPECT_EQ(with_bulk_copy(checked_cluster_plan(2000, 64, 16, kHopper, true), 2000, 64, kHopper)
                .unavailable,
            "the TMA's bulk copies run with the grid's or the cluster's read exchange");
  // Two tiles: the barrier past both.
  const FusedPlan doubled = with_double_buffered_tile(post, 2000, 64, kHopper);
  const FusedPlan doubled_bulk = with_bulk_copy(doubled, 2000, 64, kHopper);
  check_layout(2000, 64, kHopper, doubled_bulk);
  EXPECT_TRUE(doubled_bulk.layout.double_buffered_tile);
  expect_barrier_added(doubled, doubled_bulk, fused_shared_offsets(64, doubled.layout).total,
                       fused_shared_offsets(64, doubled_bulk.layout).rows_landed, "two tiles");
  const FusedPlan big_batch = checked_plan(512, 8192);
  EXPECT_EQ(with_bulk_copy(big_batch, 512, 8192, kHopper).unavailable, big_batch.unavailable);
}

TEST(FusedPlan, TheOneBarrierExperimentDoublesTheBatchSplitsExchange) {
  // FusedLayout::one_barrier: the same blocks, rows and shared memory, the exchange in global
  // memory twice (a step parity each), each an even count of floats so the doubles of both stay
  // 8-byte aligned.
  const FusedPlan tall = checked_batch_split(256, 1024);
  const FusedPlan one = with_one_barrier(tall, 256);
  ASSERT_EQ(one.unavailable, "");
  EXPECT_TRUE(one.layout.one_barrier);
  EXPECT_EQ(one.layout.blocks, 128);
  EXPECT_EQ(one.layout.rows_per_block, 8);
  EXPECT_EQ(one.shared_bytes, tall.shared_bytes);
  EXPECT_EQ(one.partial_floats, 2 * (128 * 256 + 4 * 128));
  // 7 blocks of 37 features: 259 partial gradients, the sums from float 260, 288 floats a parity.
  const FusedPlan odd = with_one_barrier(checked_batch_split(37, 300, 7), 37);
  ASSERT_EQ(odd.unavailable, "");
  EXPECT_EQ(batch_split_exchange_floats(7, 37), 288);
  EXPECT_EQ(odd.partial_floats, 2 * 288);
  // With the bulk copies too: both experiments at once.
  const FusedPlan both = with_bulk_copy(one, 256, 1024, kHopper);
  ASSERT_EQ(both.unavailable, "");
  EXPECT_TRUE(both.layout.one_barrier && both.layout.bulk_copy);
  EXPECT_EQ(both.partial_floats, one.partial_floats);
  // The feature split has one barrier a step already; an unavailable plan keeps its reason.
  EXPECT_EQ(with_one_barrier(checked_plan(2000, 64), 2000).unavailable,
            "the feature split's step has one barrier already");
  const FusedPlan wide = checked_batch_split(20000, 256);
  EXPECT_EQ(with_one_barrier(wide, 20000).unavailable, wide.unavailable);
}

TEST(FusedPlan, PastKFusedFasterMaxBatchRowsTheBatchIsSplitByRowsWhereTheyFit) {
  using Shape = std::pair<int64_t, int64_t>;  // features, batch
  // tall (1024 x 256) and big-batch (8192 x 512): the batch split, as checked_batch_split plans
  // it, for auto too; asked for 66 blocks, tall's 1024 rows go 16 a block to 64.
  for (const auto& [features, batch] : {Shape{256, 1024}, Shape{512, 8192}}) {
    const FusedPlan plan = plan_fused_gpu(features, batch, kHopper);
    const FusedPlan split = checked_batch_split(features, batch);
    ASSERT_EQ(plan.unavailable, "") << batch << " x " << features;
    EXPECT_TRUE(plan.layout.batch_split()) << batch << " x " << features;
    EXPECT_EQ(plan.layout.blocks, split.layout.blocks) << batch << " x " << features;
    EXPECT_TRUE(plan.faster_than_gemv) << batch << " x " << features;
  }
  const FusedPlan asked = plan_fused_gpu(256, 1024, kHopper, 66);
  EXPECT_TRUE(asked.layout.batch_split());
  EXPECT_EQ(asked.layout.blocks, 64);
  EXPECT_EQ(asked.layout.rows_per_block, 16);
  // At kFusedFasterMaxBatch rows and below, the feature split: the post, tall's features at 512.
  for (const auto& [features, batch] : {Shape{2000, 64}, Shape{256, 512}}) {
    const FusedPlan plan = plan_fused_gpu(features, batch, kHopper);
    EXPECT_FALSE(plan.layout.batch_split()) << batch << " x " << features;
    EXPECT_EQ(plan.layout.blocks, checked_plan(features, batch).layout.blocks);
    EXPECT_TRUE(plan.faster_than_gemv) << batch << " x " << features;
  }
  // 541 rows of 10000 features: 5 rows a block and the weights need 234 KiB, so the feature
  // split (100 blocks of 100 features), not expected to beat gemv past 512 rows.
  ASSERT_NE(checked_batch_split(10000, 541).unavailable, "");
  const FusedPlan long_rows = plan_fused_gpu(10000, 541, kHopper);
  ASSERT_EQ(long_rows.unavailable, "");
  EXPECT_FALSE(long_rows.layout.batch_split());
  EXPECT_EQ(long_rows.layout.blocks, checked_plan(10000, 541).layout.blocks);
  EXPECT_EQ(long_rows.layout.blocks, 100);
  EXPECT_FALSE(long_rows.faster_than_gemv);
  // 1024 rows of 8192: neither fits, and --engine fused is refused with both reasons.
  EXPECT_EQ(plan_fused_gpu(8192, 1024, kHopper).unavailable,
            "the fused engine cannot hold a batch of 1024 x 8192 in the shared memory of this GPU "
            "(132 multiprocessors, 226 KiB a block); the batch split cannot hold 8 rows of 8192 "
            "features in a block's shared memory on this GPU (226 KiB)");
  // big-batch asked for 66 blocks: 125 rows a block do not fit; the reasons of both splits.
  EXPECT_EQ(plan_fused_gpu(512, 8192, kHopper, 66).unavailable,
            checked_plan(512, 8192, kHopper, 66).unavailable + "; " +
                checked_batch_split(512, 8192, 66).unavailable);
}

TEST(FusedPlan, UpTo512RowsTheBatchSplitTakesWhatTheFeatureSplitIsNotExpectedToWin) {
  // 512 x 2000: the feature split's 32 blocks would hold 512 x 64 tiles, twice
  // kFusedFasterTileFloats; split by rows, 4 rows a block in 128 blocks.
  ASSERT_FALSE(checked_plan(2000, 512).faster_than_gemv);
  const FusedPlan plan = plan_fused_gpu(2000, 512, kHopper);
  EXPECT_TRUE(plan.layout.batch_split());
  EXPECT_EQ(plan.layout.blocks, checked_batch_split(2000, 512).layout.blocks);
  EXPECT_TRUE(plan.faster_than_gemv);
  // wide (256 x 20000): 2 rows and the weights do not fit a block, so the feature split, not
  // expected to beat gemv (auto picks gemv; --engine fused runs it).
  const FusedPlan wide = plan_fused_gpu(20000, 256, kHopper);
  ASSERT_EQ(wide.unavailable, "");
  EXPECT_FALSE(wide.layout.batch_split());
  EXPECT_FALSE(wide.faster_than_gemv);
}

TEST(FusedPlan, OnTheCpuAutoPicksFusedForBatchesUpTo512Rows) {
  for (const int64_t batch : {1, 64, 256, 512}) {
    EXPECT_EQ(plan_fused_cpu(batch).unavailable, "");
    EXPECT_TRUE(plan_fused_cpu(batch).faster_than_gemv) << batch;
  }
  for (const int64_t batch : {513, 1024, 8192}) {
    EXPECT_EQ(plan_fused_cpu(batch).unavailable, "");  // --engine fused still runs
    EXPECT_FALSE(plan_fused_cpu(batch).faster_than_gemv) << batch;
  }
}

}  // namespace
}  // namespace linsgd
