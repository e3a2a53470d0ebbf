// The batch split's persistent kernel (see batch_split_sgd.cuh for the algorithm).
#include "kernels/batch_split_sgd.cuh"

#include <algorithm>

#include <cooperative_groups.h>
#include <cuda_pipeline.h>
#include <cub/block/block_reduce.cuh>

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
constexpr int kWarps = kThreads / 32;
constexpr unsigned kFullWarp = 0xffffffffu;
constexpr int kLoads = kBatchSplitLoadsPerLane;

// Starts the copies of the block's `own` rows of a step (their values and targets) into shared
// memory, and of the next step's draws of those rows when `next_source` is given; they land by
// __pipeline_wait_prior(0) and, with kBulk, the round's wait on `landed`. A warp copies a row,
// 16 bytes a lane at a time where the layout allows; with kBulk, the first warp issues a bulk
// copy a row (FusedLayout::bulk_copy).
template <bool kBulk>
__device__ void start_row_copies(const StepArgs& a, const FusedLayout& layout, int64_t own,
                                 const uint32_t* draws, const uint32_t* next_source,
                                 uint32_t* next_draws, float* rows, float* y_rows,
                                 const RowsLanded& landed) {
  const int warp = static_cast<int>(threadIdx.x) / 32;
  const int lane = static_cast<int>(threadIdx.x) % 32;
  if constexpr (kBulk) {
    if (warp == 0) {
      landed.copy(
          own, static_cast<uint32_t>(a.features * sizeof(float)),
          [&](int64_t k) { return a.X + static_cast<int64_t>(draws[k]) * a.features; },
          [&](int64_t k) { return rows + k * layout.stride; });
    }
  } else {
    const int step = layout.vector_copy ? 4 : 1;  // floats per copy
    for (int64_t k = warp; k < own; k += kWarps) {
      const float* source = a.X + static_cast<int64_t>(draws[k]) * a.features;
      float* destination = rows + k * layout.stride;
      for (int64_t j = static_cast<int64_t>(lane) * step; j < a.features; j += 32 * step) {
        __pipeline_memcpy_async(destination + j, source + j, step * sizeof(float));
      }
    }
  }
  for (int64_t k = threadIdx.x; k < own; k += kThreads) {
    __pipeline_memcpy_async(y_rows + k, a.y + draws[k], sizeof(float));
    if (next_source != nullptr) {
      __pipeline_memcpy_async(next_draws + k, next_source + k, sizeof(uint32_t));
    }
  }
  __pipeline_commit();
}

// A fixed butterfly across a warp's lanes: the same order on every run and in every block.
template <class T>
__device__ T warp_sum(T value) {
  for (int offset = 16; offset > 0; offset /= 2) value += __shfl_xor_sync(kFullWarp, value, offset);
  return value;
}

// The sums over the blocks of kCount values, `of(b, c)` value c of block b, each in one fixed
// order: lane l adds blocks l, l + 32, ... (the loads of all kCount values in flight at once),
// then the lanes' sums are combined by warp_sum. Every lane gets the totals. __ldcg in `of`:
// other blocks wrote the values since this SM last cached them.
template <class T, int kCount, class Of>
__device__ void summed_over_blocks_each(int blocks, Of of, T (&totals)[kCount]) {
  const int lane = static_cast<int>(threadIdx.x) % 32;
  T loaded[kCount][kLoads];
#pragma unroll
  for (int c = 0; c < kCount; ++c) {
#pragma unroll
    for (int i = 0; i < kLoads; ++i) {
      const int b = lane + 32 * i;
      loaded[c][i] = b < blocks ? of(b, c) : T(0);
    }
  }
#pragma unroll
  for (int c = 0; c < kCount; ++c) {
    T sum = T(0);
#pragma unroll
    for (int i = 0; i < kLoads; ++i) sum += loaded[c][i];
    totals[c] = warp_sum(sum);
  }
}

// One value's sum over the blocks, `of(b)` block b's, in the order above.
template <class T, class Of>
__device__ T summed_over_blocks(int blocks, Of of) {
  T total[1];
  summed_over_blocks_each<T, 1>(
      blocks, [&](int b, int) { return of(b); }, total);
  return total[0];
}

// Features a warp of the one-barrier kernel adds at once, their loads in flight together: 8 x
// kLoads registers, so a warp's features (tall's 32 at 32 blocks) take 4 round trips to L2.
constexpr int kFeaturesAtOnce = 8;

// kPostRule: the post's rule compiled in (the caller checked is_post_rule), as in fused_sgd.cu.
// kTimed: the phase profile (PhaseClock), phases as kBatchSplitPhases names them (the first
// batch_split_phases of them). kBulk: the rows copied by the TMA (FusedLayout::bulk_copy).
// kOneBarrier: one grid barrier a step (FusedLayout::one_barrier). The experiments run the post's
// rule only; each gives the same floats as the kept kernel.
template <bool kPostRule, bool kTimed, bool kBulk = false, bool kOneBarrier = false>
__global__ void __launch_bounds__(kThreads)
    batch_split_kernel(StepArgs run_args, FusedLayout layout, int64_t count) {
  static_assert(kPostRule || (!kBulk && !kOneBarrier), "the experiments run the post's rule");
  if (count <= 0) return;  // every block alike: no copy is left in flight
  StepArgs a = run_args;
  if constexpr (kPostRule) a.rule = StepRule{};
  // Shared memory as batch_split_shared_offsets (core/fused_plan.hpp) lays it out.
  extern __shared__ __align__(16) float shared[];
  const BatchSplitSharedOffsets at = batch_split_shared_offsets(layout, a.features);
  float* rows = shared;
  float* w = shared + at.weights;
  float* y_rows = shared + at.y_rows;
  float* residual = shared + at.residual;
  float* loss_terms = shared + at.loss_terms;
  auto* draws = reinterpret_cast<uint32_t*>(shared + at.draws);
  auto* next_draws = reinterpret_cast<uint32_t*>(shared + at.next_draws);
  const RowsLanded landed{reinterpret_cast<uint64_t*>(shared + at.rows_landed)};  // kBulk
  // Global exchange: partial gradients [block][feature], then partial sums [block][2]; with
  // kOneBarrier, step parity 0's exchange, then 1's.
  const int64_t exchange_floats = batch_split_exchange_floats(gridDim.x, a.features);
  const auto gradient_partials_of = [&](int64_t s) {
    return a.partials + (kOneBarrier ? (s % 2) * exchange_floats : 0);
  };
  const auto sum_partials_of = [&](int64_t s) {
    return reinterpret_cast<double*>(gradient_partials_of(s) +
                                     batch_split_sums_offset(gridDim.x, a.features));
  };

  using BlockReduce = cub::BlockReduce<double, kThreads>;
  __shared__ typename BlockReduce::TempStorage reduce_storage;
  __shared__ double step_sum, step_second;

  const int blocks = static_cast<int>(gridDim.x);
  const int warp = static_cast<int>(threadIdx.x) / 32;
  const int lane = static_cast<int>(threadIdx.x) % 32;
  const int64_t k_begin = blockIdx.x * layout.rows_per_block;
  const int64_t rows_left = a.batch - k_begin;
  const int64_t own =
      layout.rows_per_block < rows_left ? layout.rows_per_block : rows_left;  // >= 1
  const int64_t slice_begin = blockIdx.x * layout.slice;
  const int64_t j_begin = slice_begin < a.features ? slice_begin : a.features;
  const int64_t j_end =
      j_begin + layout.slice < a.features ? j_begin + layout.slice : a.features;  // may own none
  // The draws of the block's rows at step s of the chunk, in global memory (none past it).
  const auto draws_of = [&](int64_t s) -> const uint32_t* {
    return s < count ? a.sampled_rows + s * a.batch + k_begin : nullptr;
  };

  for (int64_t j = threadIdx.x; j < a.features; j += kThreads) w[j] = a.weights[j];
  for (int64_t k = threadIdx.x; k < own; k += kThreads) {
    __pipeline_memcpy_async(draws + k, a.sampled_rows + k_begin + k, sizeof(uint32_t));
  }
  __pipeline_commit();
  __pipeline_wait_prior(0);
  __syncthreads();
  if constexpr (kBulk) landed.start();
  start_row_copies<kBulk>(a, layout, own, draws, draws_of(1), next_draws, rows, y_rows, landed);
  BlockScalars kept(a);
  const int64_t first_step = *a.step_counter;

  PhaseClock<kTimed> clock;
  clock.begin();
  for (int64_t s = 0; s < count; ++s) {
    const int64_t t = first_step + s;
    const StepScalars scalars = step_scalars(a, t);
    __pipeline_wait_prior(0);             // this step's rows, targets and the next step's draws
    if constexpr (kBulk) landed.wait(s);  // round s: this step's rows
    __syncthreads();
    clock.template mark<0>();
    float* gradient_partials = gradient_partials_of(s);
    double* sum_partials = sum_partials_of(s);

    // A1: a warp a row: its dot product with w, then the residual r (the post's squared loss)
    // or the coefficients s'L'(r) and s'L(r) (0 past the step's rows).
    for (int64_t k = warp; k < own; k += kWarps) {
      const float* row = rows + k * layout.stride;
      float dot = 0.0f;
      for (int64_t j = lane; j < a.features; j += 32) dot += row[j] * w[j];
      dot = warp_sum(dot);
      if (lane == 0) {
        const float r = residual_offset(kept.bias, y_rows[k]) + dot;
        if (a.rule.plain_data) {
          residual[k] = r;
        } else {
          const float weight = a.sample_weights != nullptr ? a.sample_weights[draws[k]] : 1.0f;
          float derivative = 0.0f, loss = 0.0f;
          data_term(a.rule, r, weight, k_begin + k < scalars.batch_rows, &derivative, &loss);
          residual[k] = derivative;
          loss_terms[k] = loss;
        }
      }
    }
    __syncthreads();
    clock.template mark<1>();

    // A2: the block's partial sums, in double, and its partial gradient over every feature
    // (a thread a feature, down the block's rows in order).
    double sum = 0.0;
    double second = 0.0;
    for (int64_t k = threadIdx.x; k < own; k += kThreads) {
      sum += residual[k];
      second += a.rule.plain_data ? static_cast<double>(residual[k]) * residual[k]
                                  : static_cast<double>(loss_terms[k]);
    }
    sum = BlockReduce(reduce_storage).Sum(sum);
    __syncthreads();
    second = BlockReduce(reduce_storage).Sum(second);
    if (threadIdx.x == 0) {
      sum_partials[2 * blockIdx.x] = sum;
      sum_partials[2 * blockIdx.x + 1] = second;
    }
    for (int64_t j = threadIdx.x; j < a.features; j += kThreads) {
      float gradient = 0.0f;
      for (int64_t k = 0; k < own; ++k) gradient += residual[k] * rows[k * layout.stride + j];
      gradient_partials[blockIdx.x * a.features + j] = gradient;
    }
    __syncthreads();  // the rows, targets and draws are read: the next step's may land on them
    if (s + 1 < count) {
      start_row_copies<kBulk>(a, layout, own, next_draws, draws_of(s + 2), draws, rows, y_rows,
                              landed);
    }
    clock.template mark<2>();
    cooperative_groups::this_grid().sync();
    clock.template mark<3>();

    // C: the step's sums, added over the blocks in the same order by every block (warp 0); the
    // block's features, each added over the blocks by one warp and updated by its lane 0.
    if (warp == 0) {
      const double total_sum =
          summed_over_blocks<double>(blocks, [&](int b) { return __ldcg(sum_partials + 2 * b); });
      const double total_second = summed_over_blocks<double>(
          blocks, [&](int b) { return __ldcg(sum_partials + 2 * b + 1); });
      if (lane == 0) {
        step_sum = total_sum;
        step_second = total_second;
      }
    }
    if constexpr (kOneBarrier) {
      // Every feature, kFeaturesAtOnce to a warp at a time, each added over the blocks as its
      // owner adds it below, so every block steps every weight to the same float; the owner's
      // block folds its own into the average. The blocks start at groups spread evenly over the
      // features: had all begun at feature 0, every block would ask the same L2 lines at once
      // (at 344a8d3, tall at 128 blocks read its 16 MiB a step at about 390 GB/s).
      const int64_t groups = (a.features + kFeaturesAtOnce - 1) / kFeaturesAtOnce;
      const int64_t first_group = blockIdx.x * groups / blocks;
      for (int64_t i = warp; i < groups; i += kWarps) {
        const int64_t group = i + first_group < groups ? i + first_group : i + first_group - groups;
        const int64_t j0 = group * kFeaturesAtOnce;
        float totals[kFeaturesAtOnce];
        summed_over_blocks_each<float, kFeaturesAtOnce>(
            blocks,
            [&](int b, int c) {
              const int64_t j = j0 + c;
              return j < a.features ? __ldcg(gradient_partials + b * a.features + j) : 0.0f;
            },
            totals);
        if (lane == 0) {
#pragma unroll
          for (int c = 0; c < kFeaturesAtOnce; ++c) {
            const int64_t j = j0 + c;
            if (j >= a.features) break;
            w[j] = updated_parameter(a.rule, w[j], totals[c], velocity_of(a, j), scalars, true);
            if (j >= j_begin && j < j_end) fold_into_average(a, t, j, w[j]);
          }
        }
      }
    } else {
      for (int64_t j = j_begin + warp; j < j_end; j += kWarps) {
        const float total = summed_over_blocks<float>(
            blocks, [&](int b) { return __ldcg(gradient_partials + b * a.features + j); });
        if (lane == 0) {
          const float updated =
              updated_parameter(a.rule, w[j], total, velocity_of(a, j), scalars, true);
          a.weights[j] = updated;
          fold_into_average(a, t, j, updated);
        }
      }
    }
    __syncthreads();
    kept.step(a, t, scalars, step_sum, step_second);
    uint32_t* used = draws;  // the next step's draws landed with this step's copies
    draws = next_draws;
    next_draws = used;
    clock.template mark<4>();

    if constexpr (!kOneBarrier) {
      if (s + 1 < count) {
        cooperative_groups::this_grid().sync();  // every block's weights written
        for (int64_t j = threadIdx.x; j < a.features; j += kThreads) w[j] = __ldcg(a.weights + j);
      }
      clock.template mark<5>();
    }
  }

  clock.finish(layout.phase_clock_sums);
  if constexpr (kOneBarrier) {  // every block holds every weight: each writes its own slice
    for (int64_t j = j_begin + threadIdx.x; j < j_end; j += kThreads) a.weights[j] = w[j];
  }
  kept.write_back(a, first_step + count);
}

// The kernel the post's rule runs with the experiments `layout` asks for, timed or not.
template <bool kTimed>
const void* post_rule_kernel(const FusedLayout& layout) {
  if (layout.bulk_copy) {
    return layout.one_barrier
               ? reinterpret_cast<const void*>(batch_split_kernel<true, kTimed, true, true>)
               : reinterpret_cast<const void*>(batch_split_kernel<true, kTimed, true, false>);
  }
  return layout.one_barrier
             ? reinterpret_cast<const void*>(batch_split_kernel<true, kTimed, false, true>)
             : reinterpret_cast<const void*>(batch_split_kernel<true, kTimed, false, false>);
}

}  // namespace

const void* batch_split_kernel_for(const FusedLayout& layout, const StepRule& rule) {
  const bool post_rule = is_post_rule(rule);
  const bool timed = layout.phase_clock_sums != nullptr;
  if (!post_rule) {
    if (timed) throw Error(kPhaseClockPostRuleOnly);
    if (layout.bulk_copy || layout.one_barrier) {
      throw Error(
          "the batch split's experiments of bulk copies and one barrier a step run the post's "
          "rule only");
    }
    return reinterpret_cast<const void*>(batch_split_kernel<false, false>);
  }
  return timed ? post_rule_kernel<true>(layout) : post_rule_kernel<false>(layout);
}

void prepare_batch_split_steps(const FusedPlan& plan, const StepArgs& args) {
  if (!plan.unavailable.empty()) throw Error("prepare_batch_split_steps: " + plan.unavailable);
  const FusedLayout& layout = plan.layout;
  if (!layout.batch_split()) throw Error("prepare_batch_split_steps: not a batch split");
  if (static_cast<int64_t>(layout.blocks) * layout.rows_per_block < args.batch ||
      static_cast<int64_t>(layout.blocks - 1) * layout.rows_per_block >= args.batch ||
      layout.stride != args.features ||
      4 * batch_split_shared_offsets(layout, args.features).total > plan.shared_bytes ||
      plan.partial_floats < batch_split_partial_floats(layout, args.features)) {
    throw Error("prepare_batch_split_steps: the plan was made for another shape");
  }
  if (!fused_copies_aligned(plan.layout, args.X)) {
    throw Error(
        "the batch split's 16-byte copies need X 16-byte aligned; use --engine gemv for this "
        "data");
  }
  check_bulk_copies_can_run(layout, batch_split_kernel_for(layout, args.rule));
  LINSGD_CUDA_CHECK(cudaFuncSetAttribute(batch_split_kernel_for(layout, args.rule),
                                         cudaFuncAttributeMaxDynamicSharedMemorySize,
                                         static_cast<int>(plan.shared_bytes)));
}

// The blocks must all be resident at once for the grid barrier: at most one per multiprocessor,
// each within its shared memory (the plan), and a cooperative launch refuses a grid that does
// not fit (cudaErrorCooperativeLaunchTooLarge) rather than hang.
void batch_split_steps(cudaStream_t stream, const FusedPlan& plan, int64_t count,
                       const StepArgs& args) {
  StepArgs kernel_args = args;
  FusedLayout layout = plan.layout;
  void* parameters[] = {&kernel_args, &layout, &count};
  LINSGD_CUDA_CHECK(cudaLaunchCooperativeKernel(
      batch_split_kernel_for(layout, args.rule), dim3(static_cast<unsigned>(layout.blocks)),
      dim3(kThreads), parameters, static_cast<size_t>(plan.shared_bytes), stream));
}

}  // namespace linsgd::kernels
