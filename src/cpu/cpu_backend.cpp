// train_cpu: the thread count, the host-memory check, then the shared training run.
#include "cpu/cpu_backend.hpp"

#include "core/memory_plan.hpp"
#include "core/training_run.hpp"
#include "cpu/host_exec.hpp"
#include "linsgd/trainer.hpp"

namespace linsgd {
namespace {

// --threads 0 picks the count. A step's two GEMVs touch B x d floats; below about a million of
// them, splitting the GEMVs across threads costs more than it saves (benchmarks/NOTES.md, "CPU
// threads"), so small steps run on one thread and large ones on every core. The exact solver
// reads every row: every core from a million elements on.
int cpu_threads_for(const TrainConfig& config, int64_t rows, int64_t features) {
  if (config.threads > 0) return config.threads;
  constexpr int64_t kElementsWorthThreading = int64_t{1} << 20;
  const int64_t read = config.solver == Solver::kExact ? rows : config.batch_size;
  if (read * features < kElementsWorthThreading) return 1;
  return usable_cpu_cores();
}

}  // namespace

TrainResult train_cpu(const TrainConfig& config, const DataView* data, const DataView* validation,
                      const InitialParameters* initial, const TrainHooks& hooks) {
  const int64_t rows = data != nullptr ? data->rows : config.rows;
  const int64_t features = data != nullptr ? data->features : config.features;
  // Datasets already in memory are trained on where they are: only synthetic data is allocated.
  const uint64_t in_memory =
      data == nullptr ? 0 : data_bytes(rows, features, validation ? validation->rows : 0);
  require_host_memory(
      training_memory_bytes(config, rows, features, validation ? validation->rows : 0,
                            data != nullptr && data->has_sample_weights()) -
          in_memory,
      available_host_memory(), shrink_advice(config, rows, features));
  HostExec exec(cpu_threads_for(config, rows, features), hooks.shard == nullptr,
                hooks.stop_requested);
  return train_with(exec, config, data, validation, initial, DeviceKind::kCpu, hooks);
}

}  // namespace linsgd
