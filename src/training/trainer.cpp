// The training dispatch: resolves the device, refuses options that do not apply to it, and
// hands the run to the CPU or the CUDA backend.
#include <cmath>
#include <optional>
#include <string>

#include "core/number_text.hpp"
#include "cpu/cpu_backend.hpp"
#include "cuda/cuda_backend.hpp"
#include "cuda/nccl_group.hpp"
#include "linsgd/errors.hpp"
#include "linsgd/trainer.hpp"

namespace linsgd {

DeviceChoice resolve_device(DeviceKind requested) {
  switch (requested) {
    case DeviceKind::kCpu:
      return {DeviceKind::kCpu, ""};
    case DeviceKind::kCuda:
      if (!cuda_device_available()) {
        throw UsageError(
            "--device cuda: no usable CUDA GPU found (no device, or no NVIDIA driver); use "
            "--device cpu or auto");
      }
      return {DeviceKind::kCuda, ""};
    case DeviceKind::kAuto:
      break;
  }
  if (cuda_device_available()) return {DeviceKind::kCuda, ""};
  return {DeviceKind::kCpu, "no CUDA GPU found; training on the CPU"};
}

void require_options_apply(DeviceKind backend, const TrainConfig& config) {
  const int cores = usable_cpu_cores();
  if (backend == DeviceKind::kCpu && config.threads > cores) {
    throw UsageError("--threads " + std::to_string(config.threads) + ": this process may run on " +
                     std::to_string(cores) + (cores == 1 ? " core" : " cores") +
                     " (more threads than cores only slow the GEMVs down)");
  }
  if (backend == DeviceKind::kCpu && config.device_memory_limit > 0) {
    throw UsageError("--device-memory-limit " + std::to_string(config.device_memory_limit) +
                     ": applies to the GPU, and this run trains on the CPU");
  }
  if (backend == DeviceKind::kCpu && config.fused_blocks > 0) {
    throw UsageError("--fused-blocks " + std::to_string(config.fused_blocks) +
                     ": applies to the GPU's fused engine, and this run trains on the CPU");
  }
  if (backend == DeviceKind::kCuda && config.threads > 0) {
    throw UsageError("--threads " + std::to_string(config.threads) +
                     ": applies to the CPU backend, and this run trains on the GPU (use "
                     "--device cpu to train on the CPU)");
  }
}

namespace {

// Sampled without replacement, a batch holds at most every row: a larger batch size is full-batch
// descent, so it is stepped, and its buffers sized, as a batch of every row (of all the processes'
// rows in a data-parallel run), not of the size asked.
TrainConfig with_batch_of_at_most_every_row(TrainConfig config, const TrainHooks& hooks) {
  const int64_t rows = hooks.shard != nullptr ? hooks.shard->total_rows : config.rows;
  if (config.sampling != Sampling::kReplacement && config.batch_size > rows) {
    config.batch_size = rows;
  }
  return config;
}

TrainResult dispatch_stepped(const TrainConfig& config, const DataView* data,
                             const DataView* validation, const InitialParameters* initial,
                             const TrainHooks& hooks) {
  const DeviceKind backend = resolve_device(config.device).kind;
  require_options_apply(backend, config);
  if (backend == DeviceKind::kCpu && hooks.shard != nullptr &&
      (!hooks.shard->sum_floats || !hooks.shard->average_floats)) {
    // (The GPU backend sums its device arrays over NCCL itself.)
    throw UsageError("DataShard: sum_floats and average_floats must be set on the CPU");
  }
  if (backend == DeviceKind::kCpu && data != nullptr && data->memory == MemoryKind::kCuda) {
    throw UsageError(data->source +
                     ": the arrays are in CUDA device memory; train on them with device cuda (or "
                     "auto), or copy them to the host");
  }
  return backend == DeviceKind::kCuda ? train_cuda(config, data, validation, initial, hooks)
                                      : train_cpu(config, data, validation, initial, hooks);
}

TrainResult dispatch(const TrainConfig& asked, const DataView* data, const DataView* validation,
                     const InitialParameters* initial, const TrainHooks& hooks) {
  TrainResult result = dispatch_stepped(with_batch_of_at_most_every_row(asked, hooks), data,
                                        validation, initial, hooks);
  result.config.batch_size = asked.batch_size;  // the summary names both, a model keeps it
  return result;
}

// Throws InputError unless `view` has its arrays; `expected_features` >= 0 asks for that many
// features.
void require_arrays(const DataView& view, int64_t expected_features, bool whole_data = true) {
  if (view.rows <= 0 || view.features <= 0) {
    throw InputError(view.source + ": " + std::to_string(view.rows) + " rows x " +
                     std::to_string(view.features) +
                     " features; training needs at least one "
                     "of each");
  }
  if (view.X == nullptr || view.y == nullptr) {
    throw InputError(view.source + ": X or y is missing");
  }
  // Host targets and weights are checked here (n values; X is the readers' and the Python
  // package's to check); CUDA arrays' on their device (cuda_backend.cpp).
  if (view.memory == MemoryKind::kHost) {
    require_finite_targets(view.y, view.rows, view.source);
    if (view.has_sample_weights()) {
      require_usable_weights(view.sample_weights, view.rows, view.source, whole_data);
    }
  }
  if (!(std::isfinite(view.weight_mean) && view.weight_mean >= 0.0) ||
      (view.weight_mean > 0.0 && !view.has_sample_weights())) {
    throw UsageError(view.source + ": DataView::weight_mean is " + number_text(view.weight_mean) +
                     " (must be 0, or above 0 with sample weights)");
  }
  if (expected_features >= 0 && view.features != expected_features) {
    throw InputError(view.source + " has " + std::to_string(view.features) +
                     " feature columns but the training data has " +
                     std::to_string(expected_features));
  }
}

void require_usable(const InitialParameters& initial, int64_t features) {
  if (static_cast<int64_t>(initial.weights.size()) != features) {
    throw InputError("the initial weights have " + std::to_string(initial.weights.size()) +
                     " values but the data has " + std::to_string(features) + " features");
  }
  for (float weight : initial.weights) {
    if (!std::isfinite(weight)) throw InputError("the initial weights are not all finite");
  }
  if (!std::isfinite(initial.bias)) throw InputError("the initial bias is not finite");
  // (Within a run's steps' bound, 2^62: invscaling's schedule_step + t + 1 stays in int64.)
  if (initial.schedule_step < 0 || initial.schedule_step > (int64_t{1} << 62)) {
    throw UsageError("InitialParameters::schedule_step is " +
                     std::to_string(initial.schedule_step) + " (must be 0 to 2^62)");
  }
  if (!(std::isfinite(initial.learning_rate_cap) && initial.learning_rate_cap >= 0.0)) {
    throw UsageError("InitialParameters::learning_rate_cap is " +
                     number_text(initial.learning_rate_cap) + " (must be finite, 0 or more)");
  }
}

DataView named(const DataView& view, const char* name) {
  DataView copy = view;
  if (copy.source.empty()) copy.source = name;
  return copy;
}

// Throws InputError naming the first feature of `view` (host memory) that is NaN or infinite.
void refuse_non_finite_features(const DataView& view) {
  if (view.memory != MemoryKind::kHost || view.X == nullptr) return;
  const int64_t count = view.rows * view.features;
  for (int64_t k = 0; k < count; ++k) {
    if (std::isfinite(view.X[k])) continue;
    throw InputError(view.source + ": row " + std::to_string(k / view.features) + ", feature " +
                     std::to_string(k % view.features) +
                     " (counted from 0): " + (std::isnan(view.X[k]) ? "NaN" : "infinite") +
                     " (every feature must be a finite number)");
  }
}

// Throws UsageError for hooks no run can follow: a negative state_every, or a DataShard whose
// share lies outside its rows or its processes, or that lacks a sum.
void require_usable(const TrainHooks& hooks) {
  if (hooks.state_every < 0) {
    throw UsageError("TrainHooks::state_every is " + std::to_string(hooks.state_every) +
                     " (must be 0: none, or more)");
  }
  if (hooks.shard == nullptr) return;
  const DataShard& shard = *hooks.shard;
  const auto refuse = [](const std::string& problem) { throw UsageError("DataShard: " + problem); };
  if (shard.processes < 1 || shard.index < 0 || shard.index >= shard.processes) {
    refuse("process " + std::to_string(shard.index) + " of " + std::to_string(shard.processes));
  }
  if (shard.first_row < 0 || shard.rows < 0 || shard.total_rows < 1 ||
      shard.first_row > shard.total_rows - shard.rows) {
    refuse("rows [" + std::to_string(shard.first_row) + ", " +
           std::to_string(shard.first_row + shard.rows) + ") of " +
           std::to_string(shard.total_rows));
  }
  if (shard.sync_every < 0) refuse("sync_every " + std::to_string(shard.sync_every));
  if (!shard.sum_doubles) refuse("sum_doubles must be set");
}

}  // namespace

std::string new_gpu_group_id() {
  return new_nccl_id();
}

bool gpu_groups_available() {
  return nccl_available();
}

TrainResult train_synthetic(const TrainConfig& config, const TrainHooks& hooks) {
  require_usable(hooks);
  const TrainConfig resolved =
      hooks.shard ? resolve_for_shard(config, *hooks.shard) : resolve_for_rows(config, config.rows);
  validate(resolved);
  TrainResult result = dispatch(resolved, nullptr, nullptr, nullptr, hooks);
  result.epochs_asked = config.epochs;
  return result;
}

TrainResult train_on_view(const TrainConfig& config, const DataView& given,
                          const DataView* given_validation, const InitialParameters* initial,
                          const TrainHooks& hooks) {
  // Named in messages as the caller named them, else as what they are.
  const DataView data = named(given, "the data");
  std::optional<DataView> validation_named;
  if (given_validation != nullptr)
    validation_named = named(*given_validation, "the validation data");
  const DataView* validation = validation_named ? &*validation_named : nullptr;
  require_usable(hooks);
  require_arrays(data, -1, hooks.shard == nullptr);
  if (validation != nullptr) {
    require_arrays(*validation, data.features);
    if (validation->memory != data.memory) {
      throw UsageError(validation->source + " and " + data.source +
                       " must both be in host memory or both on the GPU");
    }
  }
  if (initial != nullptr) require_usable(*initial, data.features);
  if (data.weight_mean > 0.0 && hooks.shard != nullptr) {
    // The shards' weight sums are added across the processes: a mean given would hide weights
    // that are 0 on every process.
    throw UsageError(data.source +
                     ": DataView::weight_mean applies to one process's data, not to a DataShard");
  }
  if (initial != nullptr && hooks.resume_from != nullptr) {
    // One of the two would be dropped without a word: the state holds its own parameters.
    throw UsageError(
        "initial parameters and TrainHooks::resume_from: a resumed run goes on from the state's "
        "parameters; pass one of the two");
  }
  // Epochs are passes over all the rows: every process's, in a data-parallel run.
  TrainConfig sized =
      hooks.shard ? resolve_for_shard(config, *hooks.shard) : resolve_for_rows(config, data.rows);
  sized.rows = data.rows;
  sized.features = data.features;
  validate(sized);
  TrainResult result;
  try {
    result = dispatch(sized, &data, validation, initial, hooks);
  } catch (const Error&) {
    // A run that failed on features that are not finite (they read as divergence, or as a
    // solution beyond float) says so: the rows are looked at only here, once it failed.
    refuse_non_finite_features(data);
    if (validation != nullptr) refuse_non_finite_features(*validation);
    throw;
  }
  // The validation set's features are only evaluated: their NaN would be a NaN objective
  // that no rule stops on.
  if (validation != nullptr && result.validation_objective &&
      !std::isfinite(*result.validation_objective)) {
    refuse_non_finite_features(*validation);
  }
  result.epochs_asked = config.epochs;
  return result;
}

TrainResult train_on_data(const TrainConfig& config, const Dataset& data, const TrainHooks& hooks) {
  return train_on_view(config, view_of(data), nullptr, nullptr, hooks);
}

TrainResult train_on_data(const TrainConfig& config, const Dataset& data, const Dataset& validation,
                          const TrainHooks& hooks) {
  const DataView validation_view = view_of(validation);
  return train_on_view(config, view_of(data), &validation_view, nullptr, hooks);
}

}  // namespace linsgd
