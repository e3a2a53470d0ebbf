// Arguments of the fused engine's steps (Engine::kFused), shared by the CPU loop and the CUDA
// persistent kernel. Step s of a call reads its indices from draws[s * batch, (s + 1) * batch).
#pragma once

#include <cstdint>

namespace linsgd {

struct FusedStepArgs {
  int64_t rows = 0;
  int64_t features = 0;
  int64_t batch = 0;
  float scale = 0.0f;  // lr / B
  const uint32_t* draws = nullptr;
  const float* X = nullptr;  // row-major rows x features
  const float* y = nullptr;
  float* weights = nullptr;
  float* bias = nullptr;
  float* loss_history = nullptr;
  int64_t* step_counter = nullptr;
  float* residual = nullptr;    // batch floats of scratch
  float* gradient = nullptr;    // features floats of scratch (CPU)
  float* partials = nullptr;    // GPU: 2 x blocks x batch floats, the blocks' partial dot products
  unsigned* barrier = nullptr;  // GPU: the grid barrier's arrival counter
};

// How the fused engine splits the work: `blocks` feature slices (1 on the CPU) and the floats of
// `partials` scratch that needs.
struct FusedPlan {
  int blocks = 1;
  int64_t partial_floats = 0;
};

}  // namespace linsgd
