// choose_engine and require_fused_available.
#include "engine_choice.hpp"

#include "linsgd/errors.hpp"

namespace linsgd {

void require_fused_available(const FusedPlan& fused) {
  if (!fused.unavailable.empty()) {
    throw UsageError("--engine fused: " + fused.unavailable + "; use --engine gemv");
  }
}

Engine choose_engine(Engine requested, const FusedPlan& fused) {
  if (requested == Engine::kFused) require_fused_available(fused);
  if (requested != Engine::kAuto) return requested;
  return fused.unavailable.empty() && fused.faster_than_gemv ? Engine::kFused : Engine::kGemv;
}

}  // namespace linsgd
