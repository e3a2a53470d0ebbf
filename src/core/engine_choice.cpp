// choose_engine and require_fused_available.
#include "core/engine_choice.hpp"

#include <string>

#include "linsgd/errors.hpp"

namespace linsgd {

void require_fused_available(const FusedPlan& fused) {
  if (!fused.unavailable.empty()) {
    throw UsageError("--engine fused: " + fused.unavailable + "; use --engine gemv");
  }
}

Engine choose_engine(Engine requested, const FusedPlan& fused, int64_t fused_blocks) {
  if (requested == Engine::kFused) require_fused_available(fused);
  if (requested != Engine::kAuto) return requested;
  if (fused_blocks > 0) {
    if (!fused.unavailable.empty()) {
      throw UsageError("--fused-blocks " + std::to_string(fused_blocks) + ": " + fused.unavailable);
    }
    return Engine::kFused;
  }
  return fused.unavailable.empty() && fused.faster_than_gemv ? Engine::kFused : Engine::kGemv;
}

}  // namespace linsgd
