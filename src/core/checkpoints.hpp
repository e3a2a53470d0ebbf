// When the training loop checks in with the host (a checkpoint: the losses since the last one
// are copied back, checked for divergence and handed on), and the ring that holds the losses
// in between, whose size therefore does not grow with the steps.
#pragma once

#include <algorithm>
#include <cstdint>

#include "core/rng_plan.hpp"

namespace linsgd {

// A checkpoint comes after the chunk that completes this many steps since the last one, or
// after this much host time (slow CPU runs), and at the end.
inline constexpr int64_t kCheckpointSteps = 4096;
inline constexpr double kCheckpointSeconds = 0.5;

// Steps whose losses the ring holds: more than can pass between two checkpoints (fewer than
// kCheckpointSteps plus one chunk), or the whole run when it is shorter.
constexpr int64_t loss_ring_capacity(int64_t batch_size, int64_t steps) {
  return std::min(steps, kCheckpointSteps + rng_plan::steps_per_chunk(batch_size, steps));
}

}  // namespace linsgd
