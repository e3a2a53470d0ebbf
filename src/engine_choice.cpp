// choose_engine.
#include "engine_choice.hpp"

#include "linsgd/errors.hpp"

namespace linsgd {

Engine choose_engine(Engine requested, const FusedPlan& fused) {
  const bool fused_available = fused.unavailable.empty();
  if (requested == Engine::kFused && !fused_available) {
    throw UsageError("--engine fused: " + fused.unavailable + "; use --engine gemv");
  }
  if (requested != Engine::kAuto) return requested;
  return fused_available ? Engine::kFused : Engine::kGemv;
}

}  // namespace linsgd
