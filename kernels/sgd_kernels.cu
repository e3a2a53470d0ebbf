// CUDA kernels of the SGD step: the batch gather, the fused weight/bias/loss update, the
// synthetic-target offset and the full-dataset residual sum. Per-element math comes from
// core/sgd_math.hpp, shared with the CPU twins in src/cpu/host_kernels.cpp.
#include "kernels/sgd_kernels.cuh"

#include <thrust/execution_policy.h>
#include <thrust/iterator/counting_iterator.h>
#include <thrust/transform_reduce.h>
#include <cub/block/block_reduce.cuh>

#include <algorithm>
#include <functional>

#include "core/cuda_check.hpp"
#include "core/sgd_math.hpp"

namespace linsgd::kernels {
namespace {

constexpr int kBlockSize = 256;
// Enough blocks to fill any current GPU; grid-stride loops cover the rest.
constexpr int64_t kMaxBlocks = 65535;

int64_t ceil_div(int64_t a, int64_t b) {
  return (a + b - 1) / b;
}
unsigned grid_for(int64_t count) {
  return static_cast<unsigned>(std::clamp<int64_t>(ceil_div(count, kBlockSize), 1, kMaxBlocks));
}

// Rows of the batch along the grid's y dimension, features along x: each block row copies one
// sampled row of X (coalesced loads and stores, no division per element), and the block at
// x = 0 also writes b - y for it.
__global__ void gather_batch_kernel(StepArgs a, int64_t slot) {
  const uint32_t* __restrict__ draws = a.draws + slot * a.batch;
  const float* __restrict__ X = a.X;
  float* __restrict__ X_batch = a.X_batch;
  const int64_t j_stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t k = blockIdx.y; k < a.batch; k += gridDim.y) {
    const int64_t row = row_from_draw(draws[k], a.rows);
    const float* source = X + row * a.features;
    float* destination = X_batch + k * a.features;
    for (int64_t j = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; j < a.features;
         j += j_stride) {
      destination[j] = source[j];
    }
    if (blockIdx.x == 0 && threadIdx.x == 0) a.residual[k] = residual_offset(*a.bias, a.y[row]);
  }
}

// Every block updates its slice of w; block 0 also reduces the residuals (in double, by a
// fixed-shape tree, so the result is the same on every run) to update b and record the loss.
// Nothing else in this kernel reads b, so block 0 may write it while other blocks run.
__global__ void sgd_update_kernel(StepArgs a) {
  const float* __restrict__ gradient = a.gradient;
  float* __restrict__ w = a.weights;
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t j = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; j < a.features;
       j += stride) {
    w[j] = updated_weight(w[j], gradient[j], a.scale);
  }
  if (blockIdx.x != 0) return;

  using BlockReduce = cub::BlockReduce<double, kBlockSize>;
  __shared__ typename BlockReduce::TempStorage sum_storage;
  __shared__ typename BlockReduce::TempStorage square_storage;
  double sum = 0.0;
  double square_sum = 0.0;
  for (int64_t k = threadIdx.x; k < a.batch; k += blockDim.x) {
    const double r = a.residual[k];
    sum += r;
    square_sum += r * r;
  }
  sum = BlockReduce(sum_storage).Sum(sum);
  square_sum = BlockReduce(square_storage).Sum(square_sum);
  if (threadIdx.x == 0) {
    *a.bias = updated_bias(*a.bias, sum, a.scale);
    a.loss_history[*a.step_counter % a.loss_capacity] = half_mean_square(square_sum, a.batch);
    *a.step_counter += 1;
  }
}

__global__ void synthetic_offset_kernel(int64_t rows, const float* __restrict__ true_bias,
                                        const float* noise, float* y) {
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < rows;
       i += stride) {
    y[i] = synthetic_target_offset(*true_bias, noise[i]);
  }
}

struct SquaredResidual {
  const float* predictions;
  const float* bias;
  const float* y;
  __device__ double operator()(int64_t i) const {
    const double r = static_cast<double>(predictions[i]) + residual_offset(*bias, y[i]);
    return r * r;
  }
};

}  // namespace

void gather_batch(cudaStream_t stream, const StepArgs& args, int64_t slot) {
  // Enough blocks per row to cover about 4 features a thread; at most 65535 rows of blocks.
  const dim3 grid(
      static_cast<unsigned>(std::clamp<int64_t>(ceil_div(args.features, 4 * kBlockSize), 1, 64)),
      static_cast<unsigned>(std::min<int64_t>(args.batch, kMaxBlocks)));
  gather_batch_kernel<<<grid, kBlockSize, 0, stream>>>(args, slot);
  LINSGD_CUDA_CHECK_LAUNCH();
}

void sgd_update(cudaStream_t stream, const StepArgs& args) {
  sgd_update_kernel<<<grid_for(args.features), kBlockSize, 0, stream>>>(args);
  LINSGD_CUDA_CHECK_LAUNCH();
}

void synthetic_offset(cudaStream_t stream, int64_t rows, const float* true_bias, const float* noise,
                      float* y) {
  synthetic_offset_kernel<<<grid_for(rows), kBlockSize, 0, stream>>>(rows, true_bias, noise, y);
  LINSGD_CUDA_CHECK_LAUNCH();
}

double residual_square_sum(cudaStream_t stream, int64_t rows, const float* predictions,
                           const float* bias, const float* y) {
  return thrust::transform_reduce(
      thrust::cuda::par.on(stream), thrust::counting_iterator<int64_t>(0),
      thrust::counting_iterator<int64_t>(rows), SquaredResidual{predictions, bias, y}, 0.0,
      thrust::plus<double>());
}

}  // namespace linsgd::kernels
