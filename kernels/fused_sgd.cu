// The fused engine's persistent kernel (see fused_sgd.cuh for the algorithm).
#include "kernels/fused_sgd.cuh"

#include <algorithm>
#include <cstdio>
#include <string>

#include <cooperative_groups.h>
#include <cuda_pipeline.h>
#include <cub/block/block_reduce.cuh>
#include <cuda/ptx>

#include "core/cuda_check.hpp"
#include "core/fused_plan.hpp"
#include "core/objective.hpp"
#include "core/sgd_math.hpp"
#include "kernels/block_scalars.cuh"
#include "kernels/bulk_copy.cuh"
#include "kernels/phase_clock.cuh"
#include "linsgd/errors.hpp"

namespace linsgd::kernels {
namespace {

constexpr int kThreads = kFusedThreads;
constexpr unsigned kFullWarp = 0xffffffffu;

// Threads of a block laid out as `groups` rows of `lanes`; the threads past groups x lanes
// (when lanes does not divide the block) are inactive.
struct ThreadGrid {
  int lanes, groups, lane, group;
  __device__ explicit ThreadGrid(int64_t wanted_lanes) {
    lanes = static_cast<int>(wanted_lanes < kThreads ? (wanted_lanes < 1 ? 1 : wanted_lanes)
                                                     : kThreads);
    groups = kThreads / lanes;
    lane = static_cast<int>(threadIdx.x) % lanes;
    group = static_cast<int>(threadIdx.x) / lanes;
  }
  __device__ bool active() const { return group < groups; }
};

// Starts the copies of this step's tile (the sampled rows' values of the block's features) and
// their targets into shared memory, and of the next step's draws; they land by
// __pipeline_wait_prior(0) and, with kBulk, the round's wait on `landed`. X, y and the draws do
// not change during the kernel, so the copies may go through L1. With kBulk the first warp
// issues one bulk copy a tile row (FusedLayout::bulk_copy).
template <bool kBulk>
__device__ void start_step_copies(const StepArgs& a, const FusedLayout& layout,
                                  const ThreadGrid& copy_grid, int64_t j_begin, int64_t width,
                                  const uint32_t* draws, const uint32_t* next_draws_source,
                                  uint32_t* next_draws, float* tile, float* y_batch,
                                  const RowsLanded& landed) {
  if constexpr (kBulk) {
    if (threadIdx.x < 32) {
      landed.copy(
          a.batch, static_cast<uint32_t>(width * sizeof(float)),
          [&](int64_t k) { return a.X + static_cast<int64_t>(draws[k]) * a.features + j_begin; },
          [&](int64_t k) { return tile + k * layout.stride; });
    }
  } else {
    const int step = layout.vector_copy ? 4 : 1;  // floats per copy
    const int64_t first_row = copy_grid.active() ? copy_grid.group : a.batch;
    for (int64_t k = first_row; k < a.batch; k += copy_grid.groups) {
      const float* source = a.X + static_cast<int64_t>(draws[k]) * a.features + j_begin;
      float* destination = tile + k * layout.stride;
      for (int64_t j = static_cast<int64_t>(copy_grid.lane) * step; j < width;
           j += static_cast<int64_t>(copy_grid.lanes) * step) {
        __pipeline_memcpy_async(destination + j, source + j, step * sizeof(float));
      }
    }
  }
  for (int64_t k = threadIdx.x; k < a.batch; k += kThreads) {
    __pipeline_memcpy_async(y_batch + k, a.y + draws[k], sizeof(float));
    if (next_draws_source != nullptr) {
      __pipeline_memcpy_async(next_draws + k, next_draws_source + k, sizeof(uint32_t));
    }
  }
  __pipeline_commit();
}

// A: this block's partial dot products, tile row k . w_slice, for every batch row k. `lanes`
// threads share a row (a power of two <= 32, so a row's lanes sit in one warp) and combine their
// sums with a fixed butterfly: the same order on every run. Every thread runs the same number of
// passes, so whole warps reach each shuffle.
__device__ void partial_dots(const FusedLayout& layout, int64_t batch, int64_t width,
                             const float* tile, const float* w_slice, float* partials_out) {
  const int lanes = layout.lanes_per_row;
  const int rows_per_pass = kThreads / lanes;
  const int row_in_pass = static_cast<int>(threadIdx.x) / lanes;
  const int lane = static_cast<int>(threadIdx.x) % lanes;
  for (int64_t k0 = 0; k0 < batch; k0 += rows_per_pass) {
    const int64_t k = k0 + row_in_pass;
    float sum = 0.0f;
    if (k < batch) {
      const float* row = tile + k * layout.stride;
      for (int64_t j = lane; j < width; j += lanes) sum += row[j] * w_slice[j];
    }
    for (int offset = lanes / 2; offset > 0; offset /= 2) {
      sum += __shfl_xor_sync(kFullWarp, sum, offset);
    }
    if (k < batch && lane == 0) partials_out[k] = sum;
  }
}

// The dot product of batch row k: the blocks' partials, `partial(b)` for block b, added in block
// order, so every block gets the same float. They are loaded kLoads at a time into registers
// before any is added, so each round costs one round trip, not one per load.
template <int kLoads, class PartialOfBlock>
__device__ float summed_partials(int blocks, PartialOfBlock partial) {
  float dot = 0.0f;
  for (int b0 = 0; b0 < blocks; b0 += kLoads) {
    float loaded[kLoads];
#pragma unroll
    for (int i = 0; i < kLoads; ++i) {
      loaded[i] = b0 + i < blocks ? partial(b0 + i) : 0.0f;
    }
#pragma unroll
    for (int i = 0; i < kLoads; ++i) {
      if (b0 + i < blocks) dot += loaded[i];
    }
  }
  return dot;
}

// How the blocks exchange their partial dot products each step (FusedLayout):
//   kGrid: through global memory, [step parity][block][batch row], ordered by the grid barrier
//     of cooperative groups, which measured faster than the kernel's former hand-written arrival
//     counter on the post, tall and wide shapes (benchmarks/NOTES.md).
//   kClusterRead (Hopper): each block keeps its own in shared memory, [step parity][batch row],
//     and the others read them through distributed shared memory after the cluster's barrier, a
//     hardware barrier of at most 16 blocks with no round trip to L2.
//   kClusterPush (Hopper): no barrier at all. Each block writes its partials into every block's
//     shared memory, [step parity][block][batch row], with asynchronous stores that count their
//     bytes on the receiver's transaction barrier (an mbarrier a step parity); a block waits on
//     its own barrier until every block's partials have landed, then reads them locally.
// The step parity keeps a fast block's next partials from overwriting those a slow block still
// reads: a block passes step s + 1's exchange only once every block has finished step s's reads
// (the grid's and the cluster's barriers wait for them; a push of step s + 1 leaves a block
// only after its reads of step s).
enum class Exchange { kGrid, kClusterRead, kClusterPush };

template <Exchange kExchange, int kLoads>
struct PartialsExchange {
  float* global_partials;  // kGrid
  float* shared_partials;  // the clusters': at fused_shared_offsets' `partials` in shared memory
  int64_t batch;

  // kClusterPush's shared memory, from shared_partials: two 8-byte transaction barriers (one a
  // step parity), this block's partials of the step (batch floats), then the blocks' partials
  // as they arrive, [step parity][block][batch row].
  __device__ uint64_t* arrived(int64_t s) const {
    return reinterpret_cast<uint64_t*>(shared_partials) + s % 2;
  }
  __device__ float* incoming(int64_t s) const {
    return shared_partials + 4 + batch + (s % 2) * gridDim.x * batch;
  }

  // Once, before the first step: kClusterPush's barriers, ready before any block stores to them.
  __device__ void start() const {
    if constexpr (kExchange == Exchange::kClusterPush) {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
      if (threadIdx.x == 0) {
        cuda::ptx::mbarrier_init(arrived(0), 1);
        cuda::ptx::mbarrier_init(arrived(1), 1);
        cuda::ptx::fence_mbarrier_init(cuda::ptx::sem_release, cuda::ptx::scope_cluster);
      }
      cooperative_groups::this_cluster().sync();
#else
      __trap();  // plan_fused_gpu_cluster offers clusters only where this build can run them
#endif
    }
  }

  // Where this block writes its partials of step s.
  __device__ float* written(int64_t s) const {
    if constexpr (kExchange == Exchange::kGrid) {
      return global_partials + ((s % 2) * gridDim.x + blockIdx.x) * batch;
    } else if constexpr (kExchange == Exchange::kClusterRead) {
      return shared_partials + (s % 2) * batch;
    } else {
      return shared_partials + 4;
    }
  }

  // After step s's partials are written: every block's are readable when it returns.
  __device__ void exchange(int64_t s) const {
    if constexpr (kExchange == Exchange::kGrid) {
      cooperative_groups::this_grid().sync();
    } else {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
      const cooperative_groups::cluster_group cluster = cooperative_groups::this_cluster();
      if constexpr (kExchange == Exchange::kClusterRead) {
        cluster.sync();
      } else {
        const int blocks = static_cast<int>(gridDim.x);
        const int rows = static_cast<int>(batch);
        __syncthreads();  // this block's partials written
        if (threadIdx.x == 0) {
          // CTA scope: this arrival publishes nothing to other blocks (their stores release
          // their own bytes), so it needs no fence across the GPU.
          cuda::ptx::mbarrier_arrive_expect_tx(cuda::ptx::sem_release, cuda::ptx::scope_cta,
                                               cuda::ptx::space_shared, arrived(s),
                                               static_cast<uint32_t>(4 * blocks * rows));
        }
        // The grid is one cluster (ClusterLaunch), so a block's index is its rank in it. The
        // stores take map_shared_rank's addresses, as CCCL's own st_async example does.
        const float* own = written(s);
        float* slot = incoming(s) + blockIdx.x * batch;  // this block's slot, in every block
        for (int q = static_cast<int>(threadIdx.x); q < blocks * rows; q += kThreads) {
          const int to = q / rows;
          const int k = q - to * rows;
          cuda::ptx::st_async(cluster.map_shared_rank(slot + k, to), own[k],
                              cluster.map_shared_rank(arrived(s), to));
        }
        // Every block's partials of step s landed here: the (s / 2)-th completion of this
        // parity's barrier. Bounded by the clock (10 s, a thousand times any step under the
        // sanitizers), so that a fault ends the run with a message rather than hangs the GPU.
        const uint32_t phase = static_cast<uint32_t>((s / 2) % 2);
        const uint64_t began = cuda::ptx::get_sreg_globaltimer();
        while (!cuda::ptx::mbarrier_try_wait_parity(cuda::ptx::sem_acquire,
                                                    cuda::ptx::scope_cluster, arrived(s), phase)) {
          if (cuda::ptx::get_sreg_globaltimer() - began > 10'000'000'000ull) {
            printf("fused kernel, cluster push: block %u waited 10 s for step %lld's partials\n",
                   blockIdx.x, static_cast<long long>(s));
            __trap();
          }
        }
      }
#else
      __trap();
#endif
    }
  }

  // The dot product of batch row k at step s, from every block's partials in block order.
  __device__ float dot(int64_t s, int64_t k) const {
    const int blocks = static_cast<int>(gridDim.x);
    if constexpr (kExchange == Exchange::kGrid) {
      // __ldcg: other blocks wrote these since this SM last cached the buffer; read them from
      // L2, never from a stale L1 line.
      const float* row = global_partials + (s % 2) * blocks * batch + k;
      return summed_partials<kLoads>(blocks, [&](int b) { return __ldcg(row + b * batch); });
    } else if constexpr (kExchange == Exchange::kClusterRead) {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
      const cooperative_groups::cluster_group cluster = cooperative_groups::this_cluster();
      float* own = shared_partials + (s % 2) * batch + k;
      return summed_partials<kLoads>(blocks,
                                     [&](int b) { return *cluster.map_shared_rank(own, b); });
#else
      __trap();
      return 0.0f;
#endif
    } else {
      const float* row = incoming(s) + k;
      return summed_partials<kLoads>(blocks, [&](int b) { return row[b * batch]; });
    }
  }

  // Before the kernel ends: a block's shared memory must outlive the others' reads of it (and,
  // pushed, their stores to it).
  __device__ void finish() const {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
    if constexpr (kExchange != Exchange::kGrid) cooperative_groups::this_cluster().sync();
#endif
  }
};

// kPostRule: the post's rule compiled in (the caller checked is_post_rule), so the step reads
// no rule field and takes none of the other rules' branches; the same arithmetic, so the same
// floats as the kernel that reads the rule. kExchange: how the blocks exchange their partials
// (PartialsExchange); the same floats whichever it is, for the same blocks.
// kDoubleBuffered: the next step's copies start before the barrier, into a second tile; the same
// floats as one tile. kTimed: the phase profile (PhaseClock), phases as kFusedPhases names them.
// kLoads: the partials a thread loads at once (FusedLayout::partial_loads_in_flight); the same
// floats whichever it is.
// kMinBlocks: __launch_bounds__'s minimum of resident blocks. 1, the kept kernel's: ptxas may then
// spend registers on keeping every load of a round in flight, which it does (sm_90 SASS: 16
// partial loads issued before the first add, about 120 registers, two blocks a multiprocessor at
// most, where the plan has one or, in a packed cluster, a few). 0 (no minimum), the
// register-lean experiment (FusedLayout::register_lean): ptxas then keeps the post's kernel at
// 40 registers by interleaving the partials' loads with their adds, 3 in flight on sm_90, 1 on
// sm_80. The same instructions' arithmetic either way.
// kBulk: the tiles copied by the TMA (FusedLayout::bulk_copy); the same floats. A round of bulk
// copies a step, one in flight at a time (with two tiles too: step s + 1's round is issued in
// step s after step s's round was waited for), so round s lands at parity s % 2.
template <bool kPostRule, Exchange kExchange, bool kDoubleBuffered, bool kTimed,
          int kLoads = kFusedPartialLoads, int kMinBlocks = 1, bool kBulk = false>
__global__ void __launch_bounds__(kThreads, kMinBlocks)
    fused_sgd_kernel(StepArgs run_args, FusedLayout layout, int64_t count) {
  if (count <= 0) return;  // every block alike: no copy is left in flight
  StepArgs a = run_args;
  if constexpr (kPostRule) a.rule = StepRule{};
  // Shared memory as fused_shared_offsets (core/fused_plan.hpp) lays it out.
  extern __shared__ __align__(16) float shared[];
  const FusedSharedOffsets at = fused_shared_offsets(a.batch, layout);
  float* tile = shared;
  float* next_tile = shared + at.next_tile;  // the same buffer unless kDoubleBuffered
  float* w_slice = shared + at.w_slice;
  float* y_batch = shared + at.y_batch;
  float* next_y_batch = shared + at.next_y_batch;
  float* residual = shared + at.residual;
  float* group_sums = shared + at.group_sums;
  auto* draws = reinterpret_cast<uint32_t*>(shared + at.draws);
  auto* next_draws = reinterpret_cast<uint32_t*>(shared + at.next_draws);
  auto* later_draws = reinterpret_cast<uint32_t*>(shared + at.later_draws);  // kDoubleBuffered
  const PartialsExchange<kExchange, kLoads> exchange{a.partials, shared + at.partials, a.batch};
  const RowsLanded landed{reinterpret_cast<uint64_t*>(shared + at.rows_landed)};  // kBulk

  using BlockReduce = cub::BlockReduce<double, kThreads>;
  __shared__ typename BlockReduce::TempStorage reduce_storage;
  __shared__ double shared_sum, shared_square_sum;

  const int64_t j_begin = blockIdx.x * layout.slice;
  const int64_t width =
      (j_begin + layout.slice < a.features ? j_begin + layout.slice : a.features) -
      j_begin;  // >= 1: the plan leaves no block empty
  // Copies: threads across a row's floats (in copies of 4, the width being a multiple of 4, or
  // of 1), rows down the groups.
  const ThreadGrid copy_grid(layout.vector_copy ? width / 4 : width);
  // B2: threads across the slice, groups of them down the batch.
  const ThreadGrid update_grid(width);

  // The block keeps its weights in shared memory for the whole chunk (and the bias in
  // registers: BlockScalars).
  for (int64_t j = threadIdx.x; j < width; j += kThreads) w_slice[j] = a.weights[j_begin + j];
  for (int64_t k = threadIdx.x; k < a.batch; k += kThreads) {
    __pipeline_memcpy_async(draws + k, a.sampled_rows + k, sizeof(uint32_t));
  }
  __pipeline_commit();
  __pipeline_wait_prior(0);
  __syncthreads();
  exchange.start();
  if constexpr (kBulk) landed.start();
  BlockScalars kept(a);
  const int64_t first_step = *a.step_counter;
  // The draws of step s of the chunk, in global memory (none past the chunk).
  const auto draws_of = [&](int64_t s) -> const uint32_t* {
    return s < count ? a.sampled_rows + s * a.batch : nullptr;
  };
  if constexpr (kDoubleBuffered) {
    start_step_copies<kBulk>(a, layout, copy_grid, j_begin, width, draws, draws_of(1), next_draws,
                             tile, y_batch, landed);
  }

  PhaseClock<kTimed> clock;
  clock.begin();
  for (int64_t s = 0; s < count; ++s) {
    const int64_t t = first_step + s;
    const StepScalars scalars = step_scalars(a, t);
    if constexpr (!kDoubleBuffered) {
      start_step_copies<kBulk>(a, layout, copy_grid, j_begin, width, draws, draws_of(s + 1),
                               next_draws, tile, y_batch, landed);
    }
    __pipeline_wait_prior(0);
    if constexpr (kBulk) landed.wait(s);  // round s: this step's tile
    __syncthreads();
    clock.template mark<0>();

    partial_dots(layout, a.batch, width, tile, w_slice, exchange.written(s));
    if constexpr (kDoubleBuffered) {
      // The next step's tile and targets (its draws landed with this step's copies) and the
      // draws of the step after, into the buffers the previous step last read: every thread
      // finished with them at the block barrier that ends B2.
      if (s + 1 < count) {
        start_step_copies<kBulk>(a, layout, copy_grid, j_begin, width, next_draws, draws_of(s + 2),
                                 later_draws, next_tile, next_y_batch, landed);
      }
    }
    clock.template mark<1>();
    exchange.exchange(s);  // the step's only synchronization across blocks
    clock.template mark<2>();

    // B1: residuals from all blocks' partials; the coefficients the gradient multiplies the
    // tile by (the residuals themselves for the post's squared loss, else s'L'(r), 0 past the
    // step's rows), kept in `residual`; the batch's two sums in double (of r and r^2, or of
    // s'L'(r) and s'L(r)).
    double sum = 0.0;
    double second = 0.0;
    for (int64_t k = threadIdx.x; k < a.batch; k += kThreads) {
      const float r = residual_offset(kept.bias, y_batch[k]) + exchange.dot(s, k);
      if (a.rule.plain_data) {
        residual[k] = r;
        sum += r;
        second += static_cast<double>(r) * r;
      } else {
        const float weight = a.sample_weights != nullptr ? a.sample_weights[draws[k]] : 1.0f;
        float derivative = 0.0f, loss = 0.0f;
        data_term(a.rule, r, weight, k < scalars.batch_rows, &derivative, &loss);
        residual[k] = derivative;
        sum += derivative;
        second += loss;
      }
    }
    sum = BlockReduce(reduce_storage).Sum(sum);
    __syncthreads();
    second = BlockReduce(reduce_storage).Sum(second);
    if (threadIdx.x == 0) {
      shared_sum = sum;
      shared_square_sum = second;
    }
    __syncthreads();
    kept.step(a, t, scalars, shared_sum, shared_square_sum);
    clock.template mark<3>();

    // B2: gradient and update of the block's weights; groups split the batch, then group 0 adds
    // the groups' sums in group order.
    const ThreadGrid& g = update_grid;
    for (int64_t j0 = 0; j0 < width; j0 += g.lanes) {
      const int64_t j = j0 + g.lane;
      float gradient = 0.0f;
      if (j < width && g.active()) {
        for (int64_t k = g.group; k < a.batch; k += g.groups) {
          gradient += residual[k] * tile[k * layout.stride + j];
        }
      }
      group_sums[threadIdx.x] = gradient;
      __syncthreads();
      if (g.group == 0 && j < width) {
        float total = 0.0f;
        for (int group = 0; group < g.groups; ++group)
          total += group_sums[group * g.lanes + g.lane];
        w_slice[j] = updated_parameter(a.rule, w_slice[j], total, velocity_of(a, j_begin + j),
                                       scalars, true);
        fold_into_average(a, t, j_begin + j, w_slice[j]);
      }
      __syncthreads();
    }

    // The next step's buffers become this step's; the freed ones take the step after's.
    uint32_t* used = draws;
    draws = next_draws;
    if constexpr (kDoubleBuffered) {
      next_draws = later_draws;
      later_draws = used;
      float* used_tile = tile;
      tile = next_tile;
      next_tile = used_tile;
      float* used_y = y_batch;
      y_batch = next_y_batch;
      next_y_batch = used_y;
    } else {
      next_draws = used;
    }
    clock.template mark<4>();
  }

  clock.finish(layout.phase_clock_sums);
  exchange.finish();
  for (int64_t j = threadIdx.x; j < width; j += kThreads) a.weights[j_begin + j] = w_slice[j];
  kept.write_back(a, first_step + count);
}

// The kernel a layout runs for a rule: the post's rule compiled in where it is that rule, unless
// the experiment asks for the kernel that reads it; the experiments the layout asks for. The
// timed kernel is compiled for the post's rule alone (fused_kernel_for refuses the others).
template <Exchange kExchange, bool kDoubleBuffered>
const void* kernel_with(bool post_rule, bool timed = false) {
  if (timed) {
    return reinterpret_cast<const void*>(fused_sgd_kernel<true, kExchange, kDoubleBuffered, true>);
  }
  return post_rule ? reinterpret_cast<const void*>(
                         fused_sgd_kernel<true, kExchange, kDoubleBuffered, false>)
                   : reinterpret_cast<const void*>(
                         fused_sgd_kernel<false, kExchange, kDoubleBuffered, false>);
}

template <Exchange kExchange>
const void* kernel_with(bool post_rule, bool double_buffered, bool timed) {
  return double_buffered ? kernel_with<kExchange, true>(post_rule, timed)
                         : kernel_with<kExchange, false>(post_rule, timed);
}

// The experiments compiled for the grid's exchange and the post's rule alone, untimed: 32
// partials in flight (with one tile or two), and the register-lean kernel (one tile).
const void* grid_experiment_kernel(const FusedLayout& layout, bool post_rule) {
  if (layout.cluster_exchange || !post_rule || layout.phase_clock_sums != nullptr ||
      (layout.register_lean &&
       (layout.double_buffered_tile || layout.partial_loads_in_flight != kFusedPartialLoads))) {
    throw Error(
        "the fused kernel's experiments of 32 partial loads in flight (one tile or two) and of "
        "the register-lean kernel (one tile) run the grid's exchange and the post's rule only, "
        "untimed");
  }
  constexpr int kWide = kFusedPartialLoadsWide;
  constexpr int kLean = kFusedPartialLoads;
  if (layout.register_lean) {
    return reinterpret_cast<const void*>(
        fused_sgd_kernel<true, Exchange::kGrid, false, false, kLean, 0>);
  }
  return layout.double_buffered_tile
             ? reinterpret_cast<const void*>(
                   fused_sgd_kernel<true, Exchange::kGrid, true, false, kWide>)
             : reinterpret_cast<const void*>(
                   fused_sgd_kernel<true, Exchange::kGrid, false, false, kWide>);
}

// The experiment of the TMA's bulk copies (FusedLayout::bulk_copy), compiled for one tile or
// two, the grid's exchange or the cluster's read, and the post's rule, timed or not.
template <Exchange kExchange, bool kDoubleBuffered>
const void* bulk_copy_kernel(bool timed) {
  constexpr int kLoads = kFusedPartialLoads;
  return timed ? reinterpret_cast<const void*>(
                     fused_sgd_kernel<true, kExchange, kDoubleBuffered, true, kLoads, 1, true>)
               : reinterpret_cast<const void*>(
                     fused_sgd_kernel<true, kExchange, kDoubleBuffered, false, kLoads, 1, true>);
}

template <Exchange kExchange>
const void* bulk_copy_kernel(bool double_buffered, bool timed) {
  return double_buffered ? bulk_copy_kernel<kExchange, true>(timed)
                         : bulk_copy_kernel<kExchange, false>(timed);
}

const void* bulk_copy_experiment_kernel(const FusedLayout& layout, bool post_rule) {
  if (!post_rule || layout.cluster_push || layout.register_lean ||
      layout.partial_loads_in_flight != kFusedPartialLoads) {
    throw Error(
        "the fused kernel's experiment of bulk copies runs the grid's exchange or the cluster's "
        "read, 16 partial loads and the post's rule only");
  }
  const bool timed = layout.phase_clock_sums != nullptr;
  const bool doubled = layout.double_buffered_tile;
  return layout.cluster_exchange ? bulk_copy_kernel<Exchange::kClusterRead>(doubled, timed)
                                 : bulk_copy_kernel<Exchange::kGrid>(doubled, timed);
}

// A cluster layout's launch: one cluster of all the plan's blocks.
struct ClusterLaunch {
  cudaLaunchAttribute attribute{};
  cudaLaunchConfig_t config{};
  ClusterLaunch(const FusedPlan& plan, cudaStream_t stream) {
    const auto blocks = static_cast<unsigned>(plan.layout.blocks);
    attribute.id = cudaLaunchAttributeClusterDimension;
    attribute.val.clusterDim.x = blocks;
    attribute.val.clusterDim.y = 1;
    attribute.val.clusterDim.z = 1;
    config.gridDim = dim3(blocks);
    config.blockDim = dim3(kThreads);
    config.dynamicSmemBytes = static_cast<size_t>(plan.shared_bytes);
    config.stream = stream;
    config.attrs = &attribute;
    config.numAttrs = 1;
  }
};

}  // namespace

const void* fused_kernel_for(const FusedLayout& layout, const StepRule& rule) {
  const bool post_rule = !layout.rule_read_at_run_time && is_post_rule(rule);
  if (layout.bulk_copy) return bulk_copy_experiment_kernel(layout, post_rule);
  if (layout.partial_loads_in_flight == kFusedPartialLoadsWide || layout.register_lean) {
    return grid_experiment_kernel(layout, post_rule);
  }
  if (layout.partial_loads_in_flight != kFusedPartialLoads) {
    throw Error("the fused kernel loads " + std::to_string(kFusedPartialLoads) + " or " +
                std::to_string(kFusedPartialLoadsWide) + " partials at once, not " +
                std::to_string(layout.partial_loads_in_flight));
  }
  const bool timed = layout.phase_clock_sums != nullptr;
  if (timed && !post_rule) throw Error(kPhaseClockPostRuleOnly);
  const bool doubled = layout.double_buffered_tile;
  if (!layout.cluster_exchange) return kernel_with<Exchange::kGrid>(post_rule, doubled, timed);
  return layout.cluster_push ? kernel_with<Exchange::kClusterPush>(post_rule, doubled, timed)
                             : kernel_with<Exchange::kClusterRead>(post_rule, doubled, timed);
}

// The kept kernels' (the grid's, one tile): every variant and the batch split declare the same
// static shared memory (a block reduction's scratch and two doubles), and querying them all would
// load kernels a run never launches.
int64_t fused_kernel_static_shared_bytes() {
  int64_t most = 0;
  for (const bool post_rule : {true, false}) {
    cudaFuncAttributes attributes{};
    LINSGD_CUDA_CHECK(
        cudaFuncGetAttributes(&attributes, kernel_with<Exchange::kGrid, false>(post_rule)));
    most = std::max<int64_t>(most, static_cast<int64_t>(attributes.sharedSizeBytes));
  }
  return most;
}

int fused_cluster_blocks_most() {
  // The cluster kernels run only from sm_90 code: a build without it reaches a Hopper GPU through
  // older PTX, compiled to trap.
  const void* kernel = kernel_with<Exchange::kClusterRead, false>(true);
  cudaFuncAttributes attributes{};
  LINSGD_CUDA_CHECK(cudaFuncGetAttributes(&attributes, kernel));
  if (attributes.ptxVersion < 90) return 0;
  LINSGD_CUDA_CHECK(
      cudaFuncSetAttribute(kernel, cudaFuncAttributeNonPortableClusterSizeAllowed, 1));
  FusedPlan smallest;
  smallest.layout.blocks = 16;
  const ClusterLaunch launch(smallest, nullptr);
  int most = 0;
  LINSGD_CUDA_CHECK(cudaOccupancyMaxPotentialClusterSize(&most, kernel, &launch.config));
  return most;
}

void prepare_fused_steps(const FusedPlan& plan, const StepArgs& args) {
  if (!plan.unavailable.empty()) throw Error("prepare_fused_steps: " + plan.unavailable);
  const FusedLayout& layout = plan.layout;
  if (layout.batch_split() ||
      4 * fused_shared_offsets(args.batch, layout).total > plan.shared_bytes ||
      static_cast<int64_t>(layout.blocks) * layout.slice < args.features ||
      static_cast<int64_t>(layout.blocks - 1) * layout.slice >= args.features) {
    throw Error("prepare_fused_steps: the plan was made for another shape");
  }
  if (!fused_copies_aligned(layout, args.X)) {
    throw Error(
        "the fused engine's 16-byte copies need X 16-byte aligned; use --engine gemv for this "
        "data");
  }
  const void* kernel = fused_kernel_for(layout, args.rule);
  check_bulk_copies_can_run(layout, kernel);
  LINSGD_CUDA_CHECK(cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize,
                                         static_cast<int>(plan.shared_bytes)));
  if (layout.cluster_exchange) {
    // Past the portable 8 blocks a cluster needs the kernel's consent; and a cluster that fits
    // no group of multiprocessors would fail at launch: say so now.
    LINSGD_CUDA_CHECK(
        cudaFuncSetAttribute(kernel, cudaFuncAttributeNonPortableClusterSizeAllowed, 1));
    const ClusterLaunch launch(plan, nullptr);
    int clusters = 0;
    LINSGD_CUDA_CHECK(cudaOccupancyMaxActiveClusters(&clusters, kernel, &launch.config));
    if (clusters < 1) {
      throw Error("the fused engine's cluster of " + std::to_string(layout.blocks) + " blocks (" +
                  std::to_string(plan.shared_bytes / 1024) +
                  " KiB of shared memory each) cannot be resident on this GPU");
    }
  }
}

// Grid: the blocks must all be resident at once for the grid barrier: the plan makes one block
// per multiprocessor fit (see plan_fused_gpu), and a cooperative launch refuses a grid that does
// not (cudaErrorCooperativeLaunchTooLarge) rather than hang. Cluster: a cluster's blocks are
// resident together by construction.
void fused_steps(cudaStream_t stream, const FusedPlan& plan, int64_t count, const StepArgs& args) {
  StepArgs kernel_args = args;
  FusedLayout layout = plan.layout;
  void* parameters[] = {&kernel_args, &layout, &count};
  const void* kernel = fused_kernel_for(layout, args.rule);
  if (layout.cluster_exchange) {
    const ClusterLaunch launch(plan, stream);
    LINSGD_CUDA_CHECK(cudaLaunchKernelExC(&launch.config, kernel, parameters));
    return;
  }
  LINSGD_CUDA_CHECK(cudaLaunchCooperativeKernel(kernel, dim3(static_cast<unsigned>(layout.blocks)),
                                                dim3(kThreads), parameters,
                                                static_cast<size_t>(plan.shared_bytes), stream));
}

}  // namespace linsgd::kernels
