// The fused engine's persistent kernel (see fused_sgd.cuh for the algorithm).
#include "fused_sgd.cuh"

#include <cub/block/block_reduce.cuh>
#include <cuda/atomic>

#include <algorithm>
#include <cmath>

#include "linsgd/cuda_check.hpp"
#include "linsgd/sgd_math.hpp"

namespace linsgd::kernels {
namespace {

constexpr int kThreads = 256;
constexpr int kWarps = kThreads / 32;

// Shared memory: the batch's row indices and residuals, then one float per thread for the
// gradient's cross-group sums.
size_t shared_bytes(int64_t batch) {
  return static_cast<size_t>(batch) * (sizeof(uint32_t) + sizeof(float)) + kThreads * sizeof(float);
}

// Waits until `target` arrivals in all: every block arrives once per step. The fences make the
// partials a block wrote before arriving visible to blocks that pass the barrier.
__device__ void grid_barrier(unsigned* counter, unsigned target) {
  __syncthreads();
  if (threadIdx.x == 0) {
    cuda::atomic_ref<unsigned, cuda::thread_scope_device> arrivals(*counter);
    __threadfence();
    arrivals.fetch_add(1u, cuda::memory_order_release);
    while (arrivals.load(cuda::memory_order_acquire) < target) {
    }
    __threadfence();
  }
  __syncthreads();
}

__device__ int64_t smaller(int64_t a, int64_t b) {
  return a < b ? a : b;
}

// Sum over a warp by a fixed butterfly: the same order on every run.
__device__ float warp_sum(float value) {
  for (int offset = 16; offset > 0; offset /= 2)
    value += __shfl_xor_sync(0xffffffffu, value, offset);
  return value;
}

__global__ void __launch_bounds__(kThreads) fused_sgd_kernel(FusedStepArgs a, int64_t count) {
  extern __shared__ unsigned char shared_raw[];
  auto* rows = reinterpret_cast<uint32_t*>(shared_raw);
  auto* residual = reinterpret_cast<float*>(rows + a.batch);
  auto* group_sums = residual + a.batch;

  using BlockReduce = cub::BlockReduce<double, kThreads>;
  __shared__ typename BlockReduce::TempStorage reduce_storage;
  __shared__ double shared_sum, shared_square_sum;

  const int blocks = static_cast<int>(gridDim.x);
  const int64_t slice = (a.features + blocks - 1) / blocks;
  const int64_t j_begin = smaller(a.features, blockIdx.x * slice);
  const int64_t j_end = smaller(a.features, j_begin + slice);
  const int64_t width = j_end - j_begin;
  const int warp = threadIdx.x / 32;
  const int lane = threadIdx.x % 32;
  // Phase B layout: `width_lanes` threads across the slice, `groups` of them down the batch.
  const int width_lanes = width < 1 ? 1 : static_cast<int>(smaller(width, kThreads));
  const int groups = kThreads / width_lanes;
  const int group = threadIdx.x / width_lanes;
  const int j_lane = threadIdx.x % width_lanes;

  float bias = *a.bias;  // each block keeps an identical copy through the chunk
  const int64_t first_step = *a.step_counter;

  for (int64_t s = 0; s < count; ++s) {
    const uint32_t* draws = a.draws + s * a.batch;
    for (int64_t k = threadIdx.x; k < a.batch; k += kThreads) {
      rows[k] = static_cast<uint32_t>(row_from_draw(draws[k], a.rows));
    }
    __syncthreads();

    // A: partial dot products of this slice, one warp per batch row.
    float* partials_out = a.partials + (s % 2) * blocks * a.batch + blockIdx.x * a.batch;
    for (int64_t k = warp; k < a.batch; k += kWarps) {
      const float* x = a.X + static_cast<int64_t>(rows[k]) * a.features;
      float sum = 0.0f;
      for (int64_t j = j_begin + lane; j < j_end; j += 32) sum += x[j] * a.weights[j];
      sum = warp_sum(sum);
      if (lane == 0) partials_out[k] = sum;
    }
    grid_barrier(a.barrier, static_cast<unsigned>((s + 1) * blocks));

    // B1: residuals from all blocks' partials, summed in block order.
    const float* partials_in = a.partials + (s % 2) * blocks * a.batch;
    double sum = 0.0;
    double square_sum = 0.0;
    for (int64_t k = threadIdx.x; k < a.batch; k += kThreads) {
      float dot = 0.0f;
      // __ldcg: other blocks wrote these since this SM last cached the buffer; read them from
      // L2, never from a stale L1 line.
      for (int b = 0; b < blocks; ++b) dot += __ldcg(partials_in + b * a.batch + k);
      const float r = residual_offset(bias, a.y[rows[k]]) + dot;
      residual[k] = r;
      sum += r;
      square_sum += static_cast<double>(r) * r;
    }
    sum = BlockReduce(reduce_storage).Sum(sum);
    __syncthreads();
    square_sum = BlockReduce(reduce_storage).Sum(square_sum);
    if (threadIdx.x == 0) {
      shared_sum = sum;
      shared_square_sum = square_sum;
    }
    __syncthreads();
    bias = updated_bias(bias, shared_sum, a.scale);
    if (blockIdx.x == 0 && threadIdx.x == 0) {
      a.loss_history[first_step + s] = half_mean_square(shared_square_sum, a.batch);
    }

    // B2: gradient and update on this block's slice; groups of threads split the batch, then
    // group 0 adds the groups' sums in group order.
    for (int64_t j0 = j_begin; j0 < j_end; j0 += width_lanes) {
      const int64_t j = j0 + j_lane;
      float gradient = 0.0f;
      if (j < j_end && group < groups) {
        for (int64_t k = group; k < a.batch; k += groups) {
          gradient += residual[k] * a.X[static_cast<int64_t>(rows[k]) * a.features + j];
        }
      }
      group_sums[threadIdx.x] = gradient;
      __syncthreads();
      if (group == 0 && j < j_end) {
        float total = 0.0f;
        for (int g = 0; g < groups; ++g) total += group_sums[g * width_lanes + j_lane];
        a.weights[j] = updated_weight(a.weights[j], total, a.scale);
      }
      __syncthreads();
    }
  }
  if (blockIdx.x == 0 && threadIdx.x == 0) {
    *a.bias = bias;
    *a.step_counter = first_step + count;
  }
}

}  // namespace

FusedPlan plan_fused_steps(int64_t features, int64_t batch) {
  int device = 0;
  CUDA_CHECK(cudaGetDevice(&device));
  int multiprocessors = 0;
  CUDA_CHECK(cudaDeviceGetAttribute(&multiprocessors, cudaDevAttrMultiProcessorCount, device));
  int per_multiprocessor = 0;
  CUDA_CHECK(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&per_multiprocessor, fused_sgd_kernel,
                                                           kThreads, shared_bytes(batch)));
  const int64_t resident = static_cast<int64_t>(per_multiprocessor) * multiprocessors;
  if (resident < 1) throw Error("the fused kernel does not fit on this GPU; use --engine gemv");
  const auto wanted = static_cast<int64_t>(std::sqrt(static_cast<double>(features)) / 2.0);
  FusedPlan plan;
  plan.blocks =
      static_cast<int>(std::clamp<int64_t>(wanted, 1, std::min<int64_t>(resident, features)));
  plan.partial_floats = 2 * static_cast<int64_t>(plan.blocks) * batch;
  return plan;
}

void fused_steps(cudaStream_t stream, const FusedPlan& plan, int64_t count,
                 const FusedStepArgs& args) {
  CUDA_CHECK(cudaMemsetAsync(args.barrier, 0, sizeof(unsigned), stream));
  FusedStepArgs kernel_args = args;
  void* parameters[] = {&kernel_args, &count};
  CUDA_CHECK(cudaLaunchCooperativeKernel(reinterpret_cast<void*>(fused_sgd_kernel),
                                         dim3(static_cast<unsigned>(plan.blocks)), dim3(kThreads),
                                         parameters, shared_bytes(args.batch), stream));
}

}  // namespace linsgd::kernels
