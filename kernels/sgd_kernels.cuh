// CUDA kernels of the SGD step and their launchers. Each launcher enqueues on `stream`, checks
// the launch, and never synchronizes (residual_square_sum excepted: it returns a host value and
// is used only outside the step loop). Semantics are those of the CPU twins in
// src/host_kernels.hpp, which the GPU tests compare them with.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

namespace linsgd::kernels {

void gather_batch(cudaStream_t stream, int64_t batch, int64_t features, int64_t rows,
                  const uint32_t* draws, const float* X, const float* y, const float* bias,
                  float* X_batch, float* residual);

void sgd_update(cudaStream_t stream, int64_t features, int64_t batch, float scale,
                const float* gradient, const float* residual, float* w, float* bias,
                float* loss_history, int64_t* step_counter);

void synthetic_offset(cudaStream_t stream, int64_t rows, const float* true_bias, const float* noise,
                      float* y);

double residual_square_sum(cudaStream_t stream, int64_t rows, const float* predictions,
                           const float* bias, const float* y);

}  // namespace linsgd::kernels
