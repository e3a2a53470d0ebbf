// The two backends behind train_synthetic(): each instantiates the shared engine with its
// execution policy. The CUDA one lives in its own file so the CPU build path stays plain C++.
#pragma once

#include "linsgd/trainer.hpp"

namespace linsgd {

TrainResult train_synthetic_cpu(const TrainConfig& config);
TrainResult train_synthetic_cuda(const TrainConfig& config);

}  // namespace linsgd
