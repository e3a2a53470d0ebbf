// The buffers and scalars of a chunk of SGD steps, described once and passed whole to every
// step kernel of both engines and to their CPU twins (kernels/sgd_kernels.cuh,
// kernels/fused_sgd.cuh, cpu/host_kernels.hpp). Pointers are device memory for the CUDA
// policy and host memory for the CPU policy; SgdLoop owns what they point at.
//
// Step s of a chunk reads its B row indices from draws[s * B, (s + 1) * B) (see rng_plan.hpp)
// and the step number it records from *step_counter, which lives where the steps run so that a
// replayed CUDA Graph finds the right slot without host work.
#pragma once

#include <cstdint>

namespace linsgd {

struct StepArgs {
  int64_t rows = 0;                 // n: rows of X
  int64_t features = 0;             // d
  int64_t batch = 0;                // B
  float scale = 0.0f;               // lr / B
  const uint32_t* draws = nullptr;  // the chunk's 32-bit draws, B per step
  const float* X = nullptr;         // rows x features, row-major
  const float* y = nullptr;         // rows
  float* weights = nullptr;         // features
  float* bias = nullptr;            // one float
  float* loss_history = nullptr;    // a ring: step t's loss goes to [t % loss_capacity]
  int64_t loss_capacity = 0;
  int64_t* step_counter = nullptr;  // steps done; each step writes its loss there, then adds 1
  float* residual = nullptr;        // batch floats: r = X_b w + b - y_b
  float* gradient = nullptr;        // features floats: X_b^T r (gemv engine; fused CPU scratch)
  float* X_batch = nullptr;         // gemv engine: the gathered batch, batch x features
  float* partials = nullptr;        // fused GPU engine: 2 x blocks x batch partial dot products
  unsigned* barrier = nullptr;      // fused GPU engine: the grid barrier's arrival counter
};

}  // namespace linsgd
