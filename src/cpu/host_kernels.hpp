// CPU twins of the CUDA kernels in kernels/sgd_kernels.cuh: same arguments (less the stream),
// same per-element functions from core/sgd_math.hpp and core/objective.hpp, same double
// accumulation for the scalar sums. GPU tests compare each kernel with its twin here.
#pragma once

#include <cstdint>
#include <utility>

#include "core/objective.hpp"
#include "core/step_args.hpp"

namespace linsgd::host_kernels {

// draws[i] = first_row + row_from_draw(draws[i], rows) for i < count: 32-bit draws become row
// indices.
void rows_from_draws(uint32_t* draws, int64_t count, int64_t rows, int64_t first_row);

// For k < a.batch, with row = a.sampled_rows[slot * a.batch + k]: a.X_batch[k, :] = a.X[row, :]
// (row-major, a.features wide) and a.residual[k] = *a.bias - a.y[row].
void gather_batch(const StepArgs& a, int64_t slot);

// The general data term of step *a.step_counter (slot `slot` of the chunk): for k < a.batch,
// data_term of a.residual[k] into a.derivative[k] and a.loss_terms[k].
void derive(const StepArgs& a, int64_t slot);

// Step t = *a.step_counter's update from a.gradient and the batch's sums (of a.residual for
// the plain data term, of a.derivative and a.loss_terms otherwise): every weight, the bias,
// their momentum and averages; a.loss_history[t % a.loss_capacity] = the batch loss; then
// ++*a.step_counter.
void sgd_update(const StepArgs& a);

// y[i] = *true_bias + 0.01 * noise[i]; y may alias noise.
void synthetic_offset(int64_t rows, const float* true_bias, const float* noise, float* y);

// sum_i (predictions[i] + *bias - y[i])^2, accumulated in double (evaluation_residual).
double residual_square_sum(int64_t rows, const double* predictions, const float* bias,
                           const float* y);

// sum_i s_i L(predictions[i] + *bias - y[i]) in double (weighted_loss); s_i = 1 when `weights`
// is null.
double weighted_loss_sum(int64_t rows, const double* predictions, const float* bias, const float* y,
                         const float* weights, Loss loss, double epsilon);

// {sum_j w_j^2, sum_j |w_j|} in double.
std::pair<double, double> norm_sums(const float* w, int64_t count);

// u[i] = (u[i] + shift) * s'_i for i < count, s'_i = weights[i] * weight_scale rounded to float
// (weights null: 1): shifted_and_weighted.
void shift_and_weight(float* u, int64_t count, float shift, const float* weights,
                      double weight_scale);

// sum_i u[i] in double.
double sum(const float* u, int64_t count);

// max_i weights[i] (|x_i|^2 + 1) over the rows of X (rows x features, row-major), in double
// (weights null: 1): the largest per-row smoothness of the squared loss, bias column included
// (without an `intercept`, max_i weights[i] |x_i|^2).
double max_weighted_row_norm(const float* X, int64_t rows, int64_t features, const float* weights,
                             bool intercept);

// The rows of X (rows x features) as the exact solver's block: column i of `block` (column-major,
// features + 1 high, then one more column) is sqrt(s_i) [x_i; 1], and block[rows * (features +
// 1) + i] is sqrt(s_i) y_i (weights null: s_i = 1).
void normal_equations_block(const float* X, const float* y, const float* weights, int64_t rows,
                            int64_t features, double* block);

// G[j, j'] *= scale on the upper triangle, rhs *= scale, then G[j, j] += ridge for j <
// dimension - 1 (the bias, last, is not penalized).
void scale_and_ridge(double* G, double* rhs, int64_t dimension, double scale, double ridge);

}  // namespace linsgd::host_kernels
