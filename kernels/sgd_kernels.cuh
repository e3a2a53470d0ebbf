// CUDA kernels of the SGD step and their launchers. Each launcher enqueues on `stream`, checks
// the launch, and never synchronizes (residual_square_sum excepted: it returns a host value and
// is used only outside the step loop). Semantics are those of the CPU twins in
// src/cpu/host_kernels.hpp, which the GPU tests compare them with.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>
#include <utility>

#include "core/step_args.hpp"
#include "linsgd/config.hpp"

namespace linsgd::kernels {

// A chunk's 32-bit draws become row indices in [first_row, first_row + rows), in place.
void rows_from_draws(cudaStream_t stream, uint32_t* draws, int64_t count, int64_t rows,
                     int64_t first_row);

// The gemv engine's gather of step `slot` of the chunk: the sampled rows into args.X_batch, and
// b - y of each into args.residual.
void gather_batch(cudaStream_t stream, const StepArgs& args, int64_t slot);

// The general data term of the batch: args.derivative and args.loss_terms from args.residual.
void derive(cudaStream_t stream, const StepArgs& args, int64_t slot);

// The gemv engine's update: w and b (with their momentum and averages) from args.gradient and
// the batch's sums, and the step's loss; then the step counter advances. args.blocks_done must
// be 0 before the first update.
void sgd_update(cudaStream_t stream, const StepArgs& args);

void synthetic_offset(cudaStream_t stream, int64_t rows, const float* true_bias, const float* noise,
                      float* y);

// predictions[i] = X[i] . w for rows x features row-major X, products and sum in double: a warp
// a row, its lanes' partial sums added in a fixed order (enqueued; the twin of HostExec's to
// double rounding).
void predict_in_double(cudaStream_t stream, int64_t rows, int64_t features, const float* X,
                       const float* w, double* predictions);

double residual_square_sum(cudaStream_t stream, int64_t rows, const double* predictions,
                           const float* bias, const float* y);

// The CPU twins' weighted_loss_sum and norm_sums (they synchronize, returning host values).
double weighted_loss_sum(cudaStream_t stream, int64_t rows, const double* predictions,
                         const float* bias, const float* y, const float* weights, Loss loss,
                         double epsilon);
std::pair<double, double> norm_sums(cudaStream_t stream, const float* w, int64_t count);

// The CPU twins' shift_and_weight (enqueued), sum and max_weighted_row_norm (synchronizing).
void shift_and_weight(cudaStream_t stream, float* u, int64_t count, float shift,
                      const float* weights, double weight_scale);
double sum(cudaStream_t stream, const float* u, int64_t count);
double max_weighted_row_norm(cudaStream_t stream, const float* X, int64_t rows, int64_t features,
                             const float* weights, bool intercept);

// The index of the first of `count` values that is not finite (or, with `negative_too`, is
// below 0), or `count` when none is: the host's checks of a view's targets and weights, for
// arrays in device memory (synchronizing).
int64_t first_unusable(cudaStream_t stream, const float* values, int64_t count, bool negative_too);

}  // namespace linsgd::kernels
