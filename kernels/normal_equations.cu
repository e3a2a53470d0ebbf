// normal_equations_block and scale_and_ridge: element-wise, grid-stride.
#include "kernels/normal_equations.cuh"

#include <algorithm>

#include "core/cuda_check.hpp"
#include "core/sgd_math.hpp"

namespace linsgd::kernels {
namespace {

constexpr int kBlockSize = 256;

unsigned grid_for(int64_t count) {
  return static_cast<unsigned>(
      std::clamp<int64_t>((count + kBlockSize - 1) / kBlockSize, 1, 65535));
}

__global__ void normal_equations_block_kernel(const float* __restrict__ X,
                                              const float* __restrict__ y, const float* weights,
                                              int64_t rows, int64_t features, double* block) {
  const int64_t dimension = features + 1;
  const int64_t total = rows * dimension;
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t e = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; e < total + rows;
       e += stride) {
    const int64_t i = e < total ? e / dimension : e - total;
    const double root = sqrt(weights != nullptr ? static_cast<double>(weights[i]) : 1.0);
    if (e >= total) {
      block[e] = root * y[i];
    } else {
      const int64_t j = e - i * dimension;
      block[e] = j < features ? root * X[i * features + j] : root;
    }
  }
}

__global__ void scale_and_ridge_kernel(double* G, double* rhs, int64_t dimension, double scale,
                                       double ridge) {
  const int64_t total = dimension * dimension;
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t e = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; e < total;
       e += stride) {
    const int64_t column = e / dimension, row = e - column * dimension;
    if (row > column) continue;  // the upper triangle only, as the CPU twin
    G[e] *= scale;
    if (row == column) {
      rhs[column] *= scale;
      if (column < dimension - 1) G[e] = feature_diagonal(G[e], ridge);
    }
  }
}

}  // namespace

void normal_equations_block(cudaStream_t stream, const float* X, const float* y,
                            const float* weights, int64_t rows, int64_t features, double* block) {
  normal_equations_block_kernel<<<grid_for(rows * (features + 2)), kBlockSize, 0, stream>>>(
      X, y, weights, rows, features, block);
  LINSGD_CUDA_CHECK_LAUNCH();
}

void scale_and_ridge(cudaStream_t stream, double* G, double* rhs, int64_t dimension, double scale,
                     double ridge) {
  scale_and_ridge_kernel<<<grid_for(dimension * dimension), kBlockSize, 0, stream>>>(
      G, rhs, dimension, scale, ridge);
  LINSGD_CUDA_CHECK_LAUNCH();
}

}  // namespace linsgd::kernels
