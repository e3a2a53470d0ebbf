// Which engine computes the steps (see Engine in config.hpp), resolved from --engine,
// --fused-blocks and the fused plan of the shape where training runs.
#pragma once

#include <cstdint>

#include "core/fused_plan.hpp"
#include "linsgd/config.hpp"

namespace linsgd {

// auto: the fused engine wherever it is available and expected to be faster (on the CPU up to
// kCpuFusedFasterMaxBatch rows a step; on the GPU split by features up to kFusedFasterMaxBatch
// rows while each block's tile is small, else split by rows where a block's rows fit its shared
// memory, see plan_fused_gpu), else the gather + GEMV engine. A block
// count asked for (`fused_blocks` > 0, --fused-blocks) asks for the fused engine, so auto picks
// it. Throws UsageError, with the plan's reason, where the fused engine is asked for (by
// --engine fused or --fused-blocks) and unavailable.
Engine choose_engine(Engine requested, const FusedPlan& fused, int64_t fused_blocks);

// Throws that UsageError ("--engine fused: <reason>; use --engine gemv") when `fused` is
// unavailable.
void require_fused_available(const FusedPlan& fused);

}  // namespace linsgd
