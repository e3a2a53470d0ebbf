// Which engine computes the steps (see Engine in config.hpp), resolved from --engine and whether
// the fused engine can run the shape where training runs.
#pragma once

#include "fused_step.hpp"
#include "linsgd/config.hpp"

namespace linsgd {

// auto: the fused engine wherever it is available and expected to be faster (on the CPU up to
// 512 rows a step, see plan_fused_cpu; on the GPU while the batch fits its blocks' shared memory
// and each block's tile is small, see plan_fused_gpu), else the gather + GEMV engine. Throws
// UsageError for --engine fused where the fused plan is unavailable, with its reason.
Engine choose_engine(Engine requested, const FusedPlan& fused);

// Throws that UsageError when `fused` is unavailable.
void require_fused_available(const FusedPlan& fused);

}  // namespace linsgd
