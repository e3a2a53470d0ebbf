// choose_engine.
#include "engine_choice.hpp"

#include <string>

#include "linsgd/errors.hpp"

namespace linsgd {

Engine choose_engine(Engine requested, DeviceKind backend, int64_t batch_size) {
  const bool fused_fits = backend != DeviceKind::kCuda || batch_size <= kFusedMaxBatchOnGpu;
  if (requested == Engine::kFused && !fused_fits) {
    throw UsageError("--engine fused supports --batch-size up to " +
                     std::to_string(kFusedMaxBatchOnGpu) + " on the GPU (got " +
                     std::to_string(batch_size) + "); use --engine gemv");
  }
  if (requested != Engine::kAuto) return requested;
  return fused_fits ? Engine::kFused : Engine::kGemv;
}

}  // namespace linsgd
