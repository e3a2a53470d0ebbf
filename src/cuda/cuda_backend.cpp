// train_cuda: the device-memory check before anything is allocated, then the shared training
// run (a data-parallel one's exchanges over NCCL).
#include "cuda/cuda_backend.hpp"

#include <cuda_runtime.h>
#include <unistd.h>

#include <algorithm>
#include <string>
#include <vector>

#include "core/cuda_check.hpp"
#include "core/memory_plan.hpp"
#include "core/process_gpu.hpp"
#include "core/training_run.hpp"
#include "cuda/cuda_device.hpp"
#include "cuda/cuda_exec.hpp"
#include "cuda/nccl_group.hpp"
#include "kernels/sgd_kernels.cuh"
#include "linsgd/dataset.hpp"
#include "linsgd/errors.hpp"

namespace linsgd {
namespace {

// A CUDA view's targets and weights, checked on its device as trainer.cpp checks host ones (their
// sum, which must be above 0, when they are made resident): the first bad value, if any, is
// copied back for the same message.
void require_usable_on_device(const DataView& view) {
  const auto value_at = [](const float* values, int64_t index) {
    float value = 0.0f;
    LINSGD_CUDA_CHECK(cudaMemcpy(&value, values + index, sizeof(value), cudaMemcpyDeviceToHost));
    return value;
  };
  const int64_t target = kernels::first_unusable(nullptr, view.y, view.rows, false);
  if (target < view.rows) {
    const float value = value_at(view.y, target);
    require_finite_targets(&value, 1, view.source, target);
  }
  if (!view.has_sample_weights()) return;
  const int64_t weight = kernels::first_unusable(nullptr, view.sample_weights, view.rows, true);
  if (weight < view.rows) {
    const float value = value_at(view.sample_weights, weight);
    require_usable_weights(&value, 1, view.source, false, weight);
  }
}

// NCCL needs each process on a GPU of its own: every process names its machine (host name) and
// its GPU (PCI bus id), the names are summed across the processes, and every process alike
// refuses a run where two share a GPU.
void require_gpus_of_their_own(const DataShard& shard, int gpu) {
  char bus[32] = {};
  LINSGD_CUDA_CHECK(cudaDeviceGetPCIBusId(bus, sizeof bus, gpu));
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  std::vector<double> identities(2 * static_cast<size_t>(shard.processes), 0.0);
  identities[2 * shard.index] = identity_hash(host) + 1.0;
  identities[2 * shard.index + 1] = identity_hash(bus);
  shard.sum_doubles(identities.data(), static_cast<int64_t>(identities.size()));
  if (const auto shared = first_shared_gpu(identities)) {
    throw UsageError("--distributed --device cuda: processes " + std::to_string(shared->first) +
                     " and " + std::to_string(shared->second) +
                     " are on one GPU of one machine, and NCCL needs a GPU for each: start at "
                     "most as many processes a machine as it has GPUs, or give each GPUs of its "
                     "own (CUDA_VISIBLE_DEVICES)");
  }
}

}  // namespace

TrainResult train_cuda(const TrainConfig& config, const DataView* data, const DataView* validation,
                       const InitialParameters* initial, const TrainHooks& hooks) {
  if (hooks.shard != nullptr) {  // this process's GPU, before anything touches one
    int gpus = 0;
    LINSGD_CUDA_CHECK(cudaGetDeviceCount(&gpus));
    const int gpu = process_gpu(hooks.shard->gpu, gpus);
    LINSGD_CUDA_CHECK(cudaSetDevice(gpu));
    require_gpus_of_their_own(*hooks.shard, gpu);
  }
  const CudaDeviceInfo device = query_cuda_device();
  const int64_t rows = data != nullptr ? data->rows : config.rows;
  const int64_t features = data != nullptr ? data->features : config.features;
  // CUDA arrays are trained on where they are: they need no second copy.
  const uint64_t in_place = data == nullptr || data->memory != MemoryKind::kCuda
                                ? 0
                                : data_bytes(rows, features, validation ? validation->rows : 0);
  const uint64_t required =
      training_memory_bytes(config, rows, features, validation ? validation->rows : 0,
                            data != nullptr && data->has_sample_weights()) -
      in_place;
  const uint64_t available = config.device_memory_limit > 0
                                 ? std::min(config.device_memory_limit, device.free_bytes)
                                 : device.free_bytes;
  const bool host_data = data != nullptr && data->memory == MemoryKind::kHost;
  const DataPlacement placement = plan_data_placement(
      required, host_data ? data_bytes(rows, features, validation ? validation->rows : 0) : 0,
      host_data, available, device.name, shrink_advice(config, rows, features),
      buffers_advice(config));
  if ((data != nullptr && data->memory == MemoryKind::kCuda) ||
      (validation != nullptr && validation->memory == MemoryKind::kCuda)) {
    // CUDA arrays may still be being written by their producer (PyTorch's or CuPy's stream, a
    // stream of the caller's), and the steps' stream, created non-blocking, waits for none of
    // them: all the device's work so far ends here, once, before anything reads the arrays.
    LINSGD_CUDA_CHECK(cudaDeviceSynchronize());
    for (const DataView* view : {data, validation}) {
      if (view != nullptr && view->memory == MemoryKind::kCuda) require_usable_on_device(*view);
    }
  }
  CudaExec exec;
  if (hooks.shard == nullptr) {
    return train_with(exec, config, data, validation, initial, DeviceKind::kCuda, hooks, placement);
  }
  // A data-parallel run: the steps' sums and averages of device arrays go over NCCL, on the
  // steps' stream.
  const DataShard& shard = *hooks.shard;
  const NcclGroup group(shard.gpu_group_id, shard.index, shard.processes);
  DataShard on_gpus = shard;
  on_gpus.sum_floats = [&](float* values, int64_t count) {
    group.sum(values, count, exec.stream());
  };
  on_gpus.average_floats = [&](float* values, int64_t count) {
    group.average(values, count, exec.stream());
  };
  TrainHooks gpu_hooks = hooks;
  gpu_hooks.shard = &on_gpus;
  return train_with(exec, config, data, validation, initial, DeviceKind::kCuda, gpu_hooks,
                    placement);
}

}  // namespace linsgd
