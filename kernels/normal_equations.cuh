// The exact solver's GPU kernels: a block of rows laid out for cuBLAS DSYRK (the CPU twins are
// host_kernels::normal_equations_block and scale_and_ridge, with the same layout).
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

namespace linsgd::kernels {

// Column i of `block` (column-major, features + 1 high) is sqrt(s_i) [x_i; 1], and
// block[rows * (features + 1) + i] is sqrt(s_i) y_i. Enqueued.
void normal_equations_block(cudaStream_t stream, const float* X, const float* y,
                            const float* weights, int64_t rows, int64_t features, double* block);

// The upper triangle of G and rhs scaled, then the ridge on G's diagonal but its last (the
// bias). Enqueued.
void scale_and_ridge(cudaStream_t stream, double* G, double* rhs, int64_t dimension, double scale,
                     double ridge);

}  // namespace linsgd::kernels
