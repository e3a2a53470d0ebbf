// CPU twins of the CUDA kernels in kernels/sgd_kernels.cuh: same arguments (less the stream),
// same per-element functions from core/sgd_math.hpp, same double accumulation for the scalar
// sums. GPU tests compare each kernel with its twin here.
#pragma once

#include <cstdint>

#include "core/step_args.hpp"

namespace linsgd::host_kernels {

// For k < a.batch, with draws = a.draws + slot * a.batch: row = row_from_draw(draws[k], a.rows);
// a.X_batch[k, :] = a.X[row, :] (row-major, a.features wide) and a.residual[k] = *a.bias -
// a.y[row].
void gather_batch(const StepArgs& a, int64_t slot);

// a.weights[j] -= a.scale * a.gradient[j] for j < a.features; *a.bias -= a.scale *
// sum(a.residual); a.loss_history[*a.step_counter % a.loss_capacity] = 0.5 * mean(a.residual^2);
// ++*a.step_counter.
void sgd_update(const StepArgs& a);

// y[i] = *true_bias + 0.01 * noise[i]; y may alias noise.
void synthetic_offset(int64_t rows, const float* true_bias, const float* noise, float* y);

// sum_i (predictions[i] + *bias - y[i])^2, accumulated in double.
double residual_square_sum(int64_t rows, const float* predictions, const float* bias,
                           const float* y);

}  // namespace linsgd::host_kernels
