// CUDA kernels of the SGD step: the batch gather, the fused weight/bias/loss update, the
// synthetic-target offset and the full-dataset residual sum. Per-element math comes from
// core/sgd_math.hpp, shared with the CPU twins in src/cpu/host_kernels.cpp.
#include "kernels/sgd_kernels.cuh"

#include <thrust/device_ptr.h>
#include <thrust/execution_policy.h>
#include <thrust/find.h>
#include <thrust/iterator/counting_iterator.h>
#include <thrust/transform_reduce.h>
#include <cub/block/block_reduce.cuh>

#include <algorithm>
#include <functional>
#include <vector>

#include "core/cuda_check.hpp"
#include "core/objective.hpp"
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

// The draws of a chunk become row indices, in place (exact integer arithmetic).
__global__ void rows_from_draws_kernel(uint32_t* draws, int64_t count, int64_t rows,
                                       int64_t first_row) {
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < count;
       i += stride) {
    draws[i] = static_cast<uint32_t>(first_row + row_from_draw(draws[i], rows));
  }
}

// Rows of the batch along the grid's y dimension, features along x: each block row copies one
// sampled row of X (coalesced loads and stores, no division per element), and the block at
// x = 0 also writes b - y for it. Whole-data batches (read from X in place) copy nothing. A row
// another process holds (a data-parallel run) is written as zeros, with residual 0.
__global__ void gather_batch_kernel(StepArgs a, int64_t slot) {
  const uint32_t* __restrict__ rows = a.sampled_rows + slot * a.batch;
  const float* __restrict__ X = a.X;
  float* __restrict__ X_batch = a.X_batch;
  const int64_t j_stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t k = blockIdx.y; k < a.batch; k += gridDim.y) {
    const int64_t row = a.held_row(rows[k]);
    const float* source = X + (row >= 0 ? row : 0) * a.features;
    float* destination = X_batch + k * a.features;
    const int64_t copied = a.rule.whole_data ? 0 : a.features;
    for (int64_t j = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; j < copied;
         j += j_stride) {
      destination[j] = row >= 0 ? source[j] : 0.0f;
    }
    if (blockIdx.x == 0 && threadIdx.x == 0) {
      a.residual[k] = row >= 0 ? residual_offset(*a.bias, a.y[row]) : 0.0f;
    }
  }
}

// The general data term of each batch row (see data_term).
__global__ void derive_kernel(StepArgs a, int64_t slot) {
  const uint32_t* __restrict__ rows = a.sampled_rows + slot * a.batch;
  const int64_t batch_rows = batch_rows_at(a.rule, *a.step_counter, a.rows, a.batch);
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t k = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; k < a.batch;
       k += stride) {
    const int64_t row = a.held_row(rows[k]);
    const float weight = a.sample_weights != nullptr && row >= 0 ? a.sample_weights[row] : 1.0f;
    data_term(a.rule, a.residual[k], weight, k < batch_rows && row >= 0, a.derivative + k,
              a.loss_terms + k);
  }
}

// Every block updates its slice of w (and of the momentum and averages); block 0 also reduces
// the batch's sums (in double, by a fixed-shape tree, so the result is the same on every run)
// to update b and record the loss. Nothing else in this kernel reads b, so block 0 may write it
// while other blocks run. Every block reads the step number first; the last block to finish
// advances it, when no block will read it again.
__global__ void sgd_update_kernel(StepArgs a) {
  __shared__ int64_t step;
  if (threadIdx.x == 0) step = *a.step_counter;
  __syncthreads();
  const int64_t t = step;
  const StepScalars s = step_scalars(a, t);
  const float* __restrict__ gradient = a.gradient;
  float* __restrict__ w = a.weights;
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t j = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; j < a.features;
       j += stride) {
    w[j] = updated_parameter(a.rule, w[j], gradient[j], velocity_of(a, j), s, true);
    fold_into_average(a, t, j, w[j]);
  }

  if (blockIdx.x == 0) {
    using BlockReduce = cub::BlockReduce<double, kBlockSize>;
    __shared__ typename BlockReduce::TempStorage sum_storage;
    __shared__ typename BlockReduce::TempStorage second_storage;
    const float* first = a.rule.plain_data ? a.residual : a.derivative;
    double sum = 0.0;
    double second = 0.0;
    for (int64_t k = threadIdx.x; k < a.batch; k += blockDim.x) {
      const double value = first[k];
      sum += value;
      second += a.rule.plain_data ? value * value : static_cast<double>(a.loss_terms[k]);
    }
    sum = BlockReduce(sum_storage).Sum(sum);
    second = BlockReduce(second_storage).Sum(second);
    if (threadIdx.x == 0) {
      *a.bias = stepped_bias(a.rule, *a.bias, sum, velocity_of(a, a.features), s);
      fold_into_average(a, t, a.features, *a.bias);
      a.loss_history[t % a.loss_capacity] = recorded_batch_loss(a, s, second);
    }
  }

  __syncthreads();
  if (threadIdx.x == 0) {
    __threadfence();
    if (atomicAdd(a.blocks_done, 1u) == gridDim.x - 1) {
      *a.blocks_done = 0;
      *a.step_counter = t + 1;
      __threadfence();
    }
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
  const double* predictions;
  const float* bias;
  const float* y;
  __device__ double operator()(int64_t i) const {
    const double r = evaluation_residual(predictions[i], *bias, y[i]);
    return r * r;
  }
};

struct WeightedLoss {
  const double* predictions;
  const float* bias;
  const float* y;
  const float* weights;
  Loss loss;
  double epsilon;
  __device__ double operator()(int64_t i) const {
    return weighted_loss(loss, epsilon, predictions[i], *bias, y[i],
                         weights != nullptr ? weights[i] : 1.0f);
  }
};

struct SquareAndAbsolute {
  const float* w;
  __device__ double2 operator()(int64_t j) const {
    const double value = w[j];
    return make_double2(value * value, value < 0.0 ? -value : value);
  }
};

struct AddPairs {
  __device__ double2 operator()(double2 a, double2 b) const {
    return make_double2(a.x + b.x, a.y + b.y);
  }
};

__global__ void shift_and_weight_kernel(float* u, int64_t count, float shift, const float* weights,
                                        double weight_scale) {
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < count;
       i += stride) {
    u[i] = shifted_and_weighted(u[i], shift, weights, i, weight_scale);
  }
}

// One block per row (grid-stride over rows): the row's |x|^2 + 1 reduced in double, weighted,
// folded into the block's running maximum; the blocks' maxima then reduced by the host.
__global__ void row_norm_maxima_kernel(const float* __restrict__ X, int64_t rows, int64_t features,
                                       const float* weights, bool intercept, double* block_maxima) {
  using BlockReduce = cub::BlockReduce<double, kBlockSize>;
  __shared__ typename BlockReduce::TempStorage storage;
  double largest = 0.0;
  for (int64_t i = blockIdx.x; i < rows; i += gridDim.x) {
    const float* x = X + i * features;
    double partial = 0.0;
    for (int64_t j = threadIdx.x; j < features; j += blockDim.x) {
      partial += static_cast<double>(x[j]) * x[j];
    }
    const double norm = BlockReduce(storage).Sum(partial) + (intercept ? 1.0 : 0.0);
    __syncthreads();
    if (threadIdx.x == 0) {
      const double weighted = norm * (weights != nullptr ? weights[i] : 1.0f);
      largest = weighted > largest ? weighted : largest;
    }
  }
  if (threadIdx.x == 0) block_maxima[blockIdx.x] = largest;
}

// A warp a row (grid-stride over rows): lane k adds x[j] w[j] in double over j = k, k + 32, ...;
// the lanes' sums are then added by shuffles in a fixed tree, so a row's prediction is the same
// bits on every run.
__global__ void predict_in_double_kernel(const float* __restrict__ X, int64_t rows,
                                         int64_t features, const float* __restrict__ w,
                                         double* predictions) {
  constexpr int kWarp = 32;
  const int lane = static_cast<int>(threadIdx.x % kWarp);
  const int64_t warps = static_cast<int64_t>(gridDim.x) * (blockDim.x / kWarp);
  for (int64_t i = (static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x) / kWarp; i < rows;
       i += warps) {
    const float* x = X + i * features;
    double partial = 0.0;
    for (int64_t j = lane; j < features; j += kWarp) {
      partial += static_cast<double>(x[j]) * static_cast<double>(w[j]);
    }
    for (int offset = kWarp / 2; offset > 0; offset /= 2) {
      partial += __shfl_down_sync(0xffffffffu, partial, offset);
    }
    if (lane == 0) predictions[i] = partial;
  }
}

struct AsDouble {
  const float* values;
  __device__ double operator()(int64_t i) const { return values[i]; }
};

struct Unusable {
  bool negative_too;
  __device__ bool operator()(float value) const {
    return !isfinite(value) || (negative_too && value < 0.0f);
  }
};

}  // namespace

void rows_from_draws(cudaStream_t stream, uint32_t* draws, int64_t count, int64_t rows,
                     int64_t first_row) {
  rows_from_draws_kernel<<<grid_for(count), kBlockSize, 0, stream>>>(draws, count, rows, first_row);
  LINSGD_CUDA_CHECK_LAUNCH();
}

void gather_batch(cudaStream_t stream, const StepArgs& args, int64_t slot) {
  // Enough blocks per row to cover about 4 features a thread (one, for b - y alone, when the
  // rows are read in place); at most 65535 rows of blocks.
  const int64_t blocks_per_row =
      args.rule.whole_data ? 1
                           : std::clamp<int64_t>(ceil_div(args.features, 4 * kBlockSize), 1, 64);
  const dim3 grid(static_cast<unsigned>(blocks_per_row),
                  static_cast<unsigned>(std::min<int64_t>(args.batch, kMaxBlocks)));
  gather_batch_kernel<<<grid, kBlockSize, 0, stream>>>(args, slot);
  LINSGD_CUDA_CHECK_LAUNCH();
}

void derive(cudaStream_t stream, const StepArgs& args, int64_t slot) {
  derive_kernel<<<grid_for(args.batch), kBlockSize, 0, stream>>>(args, slot);
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

void predict_in_double(cudaStream_t stream, int64_t rows, int64_t features, const float* X,
                       const float* w, double* predictions) {
  constexpr int64_t kRowsPerBlock = kBlockSize / 32;  // a warp a row
  const auto blocks =
      static_cast<unsigned>(std::clamp<int64_t>(ceil_div(rows, kRowsPerBlock), 1, kMaxBlocks));
  predict_in_double_kernel<<<blocks, kBlockSize, 0, stream>>>(X, rows, features, w, predictions);
  LINSGD_CUDA_CHECK_LAUNCH();
}

double residual_square_sum(cudaStream_t stream, int64_t rows, const double* predictions,
                           const float* bias, const float* y) {
  return thrust::transform_reduce(
      thrust::cuda::par.on(stream), thrust::counting_iterator<int64_t>(0),
      thrust::counting_iterator<int64_t>(rows), SquaredResidual{predictions, bias, y}, 0.0,
      thrust::plus<double>());
}

double weighted_loss_sum(cudaStream_t stream, int64_t rows, const double* predictions,
                         const float* bias, const float* y, const float* weights, Loss loss,
                         double epsilon) {
  return thrust::transform_reduce(
      thrust::cuda::par.on(stream), thrust::counting_iterator<int64_t>(0),
      thrust::counting_iterator<int64_t>(rows),
      WeightedLoss{predictions, bias, y, weights, loss, epsilon}, 0.0, thrust::plus<double>());
}

std::pair<double, double> norm_sums(cudaStream_t stream, const float* w, int64_t count) {
  const double2 sums =
      thrust::transform_reduce(thrust::cuda::par.on(stream), thrust::counting_iterator<int64_t>(0),
                               thrust::counting_iterator<int64_t>(count), SquareAndAbsolute{w},
                               make_double2(0.0, 0.0), AddPairs{});
  return {sums.x, sums.y};
}

void shift_and_weight(cudaStream_t stream, float* u, int64_t count, float shift,
                      const float* weights, double weight_scale) {
  shift_and_weight_kernel<<<grid_for(count), kBlockSize, 0, stream>>>(u, count, shift, weights,
                                                                      weight_scale);
  LINSGD_CUDA_CHECK_LAUNCH();
}

double sum(cudaStream_t stream, const float* u, int64_t count) {
  return thrust::transform_reduce(
      thrust::cuda::par.on(stream), thrust::counting_iterator<int64_t>(0),
      thrust::counting_iterator<int64_t>(count), AsDouble{u}, 0.0, thrust::plus<double>());
}

double max_weighted_row_norm(cudaStream_t stream, const float* X, int64_t rows, int64_t features,
                             const float* weights, bool intercept) {
  constexpr int64_t kBlocks = 1024;
  const int64_t blocks = std::min(rows, kBlocks);
  double* maxima = nullptr;
  LINSGD_CUDA_CHECK(cudaMallocAsync(reinterpret_cast<void**>(&maxima),
                                    static_cast<size_t>(blocks) * sizeof(double), stream));
  row_norm_maxima_kernel<<<static_cast<unsigned>(blocks), kBlockSize, 0, stream>>>(
      X, rows, features, weights, intercept, maxima);
  LINSGD_CUDA_CHECK_LAUNCH();
  std::vector<double> host(static_cast<size_t>(blocks));
  LINSGD_CUDA_CHECK(cudaMemcpyAsync(host.data(), maxima, host.size() * sizeof(double),
                                    cudaMemcpyDeviceToHost, stream));
  LINSGD_CUDA_CHECK(cudaFreeAsync(maxima, stream));
  LINSGD_CUDA_CHECK(cudaStreamSynchronize(stream));
  return *std::max_element(host.begin(), host.end());
}

int64_t first_unusable(cudaStream_t stream, const float* values, int64_t count, bool negative_too) {
  const thrust::device_ptr<const float> first = thrust::device_pointer_cast(values);
  return thrust::find_if(thrust::cuda::par.on(stream), first, first + count,
                         Unusable{negative_too}) -
         first;
}

}  // namespace linsgd::kernels
