// CPU twins of the CUDA kernels in kernels/sgd_kernels.cuh: same arguments (less the stream),
// same per-element functions from sgd_math.hpp, same double accumulation for the scalar sums.
// GPU tests compare each kernel with its twin here.
#pragma once

#include <cstdint>

namespace linsgd::host_kernels {

// For k < batch: row = row_from_draw(draws[k], rows); X_batch[k, :] = X[row, :] (row-major,
// `features` wide) and residual[k] = *bias - y[row].
void gather_batch(int64_t batch, int64_t features, int64_t rows, const uint32_t* draws,
                  const float* X, const float* y, const float* bias, float* X_batch,
                  float* residual);

// w[j] -= scale * gradient[j] for j < features; *bias -= scale * sum(residual);
// loss_history[*step_counter] = 0.5 * mean(residual^2); ++*step_counter.
void sgd_update(int64_t features, int64_t batch, float scale, const float* gradient,
                const float* residual, float* w, float* bias, float* loss_history,
                int64_t* step_counter);

// y[i] = *true_bias + 0.01 * noise[i]; y may alias noise.
void synthetic_offset(int64_t rows, const float* true_bias, const float* noise, float* y);

// sum_i (predictions[i] + *bias - y[i])^2, accumulated in double.
double residual_square_sum(int64_t rows, const float* predictions, const float* bias,
                           const float* y);

}  // namespace linsgd::host_kernels
