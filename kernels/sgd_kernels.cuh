// CUDA kernels of the SGD step and their launchers. Each launcher enqueues on `stream`, checks
// the launch, and never synchronizes (residual_square_sum excepted: it returns a host value and
// is used only outside the step loop). Semantics are those of the CPU twins in
// src/cpu/host_kernels.hpp, which the GPU tests compare them with.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

#include "core/step_args.hpp"

namespace linsgd::kernels {

// The gemv engine's gather of step `slot` of the chunk: the sampled rows into args.X_batch, and
// b - y of each into args.residual.
void gather_batch(cudaStream_t stream, const StepArgs& args, int64_t slot);

// The gemv engine's update: w and b from args.gradient and args.residual, and the step's loss.
void sgd_update(cudaStream_t stream, const StepArgs& args);

void synthetic_offset(cudaStream_t stream, int64_t rows, const float* true_bias, const float* noise,
                      float* y);

double residual_square_sum(cudaStream_t stream, int64_t rows, const float* predictions,
                           const float* bias, const float* y);

}  // namespace linsgd::kernels
