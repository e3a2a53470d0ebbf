// The two backends behind train_synthetic() and train_on_data(): each instantiates the shared
// engine with its execution policy. `data` null means the post's synthetic problem.
#pragma once

#include "linsgd/trainer.hpp"

namespace linsgd {

TrainResult train_cpu(const TrainConfig& config, const Dataset* data,
                      const ProgressCallback& progress);
TrainResult train_cuda(const TrainConfig& config, const Dataset* data,
                       const ProgressCallback& progress);

}  // namespace linsgd
