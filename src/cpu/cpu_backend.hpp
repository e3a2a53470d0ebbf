// The CPU backend: the SGD loop over HostExec (OpenBLAS, a host cuRAND generator), after the
// check that the run fits the host's available memory.
#pragma once

#include "linsgd/trainer.hpp"

namespace linsgd {

// Trains on `data` (host arrays, read in place), or on the post's synthetic problem when `data` is
// null (config.rows x config.features, generated in host memory). config.device must be resolved to
// kCpu.
TrainResult train_cpu(const TrainConfig& config, const DataView* data, const DataView* validation,
                      const InitialParameters* initial, const TrainHooks& hooks);

}  // namespace linsgd
