// linsgd._core.train. The hyperparameters arrive as the model file's JSON (the one description
// of a configuration that the model file, the metrics and the Python package share), the arrays
// as DataViews; the run goes through train_on_view with the GIL released, asking Python between
// chunks of steps whether Ctrl-C was pressed.
#include "training.hpp"

#include <cuda.h>
#include <cuda_runtime.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "arrays.hpp"
#include "linsgd/config.hpp"
#include "linsgd/errors.hpp"
#include "linsgd/trainer.hpp"
#include "model/hyperparameters.hpp"
#include "model/preprocessing.hpp"

namespace linsgd::python {
namespace {

using namespace nb::literals;

TrainConfig config_from_json(const std::string& text) {
  nlohmann::ordered_json json;
  try {
    json = nlohmann::ordered_json::parse(text);
  } catch (const nlohmann::json::exception& error) {
    throw UsageError(std::string("hyperparameters: not JSON: ") + error.what());
  }
  TrainConfig config;
  read_hyperparameters(json, "hyperparameters", config);
  return config;
}

// scikit-learn's average=k (`average_samples`) starts averaging once k samples were seen, so a
// run on `rows` rows that sees fewer never averages (the command line refuses such an --average
// instead), nor one whose first averaged step, (k - 1) // batch, is past its last.
TrainConfig without_unreached_average(TrainConfig config, int64_t rows,
                                      std::optional<int64_t> average_samples) {
  if (!config.average_from || !average_samples) return config;
  const int64_t steps = resolve_for_rows(config, rows).steps;
  const double seen = config.sampling == Sampling::kReplacement
                          ? static_cast<double>(steps) * static_cast<double>(config.batch_size)
                          : static_cast<double>(rows) * static_cast<double>(config.epochs);
  if (static_cast<double>(*average_samples) > seen || *config.average_from >= steps) {
    config.average_from.reset();
  }
  return config;
}

// Whether `device`'s primary context exists (the caller's, PyTorch's or CuPy's work made it).
// cuDevicePrimaryCtxGetState through the runtime's entry point: the extension does not link the
// driver library, which a machine without a GPU lacks.
bool primary_context_active(int device) {
  using GetState = CUresult (*)(CUdevice, unsigned int*, int*);
  void* function = nullptr;
  cudaDriverEntryPointQueryResult found{};
#if CUDART_VERSION >= 12050
  const cudaError_t looked_up = cudaGetDriverEntryPointByVersion(
      "cuDevicePrimaryCtxGetState", &function, 12000, cudaEnableDefault, &found);
#else
  const cudaError_t looked_up =
      cudaGetDriverEntryPoint("cuDevicePrimaryCtxGetState", &function, cudaEnableDefault, &found);
#endif
  if (looked_up != cudaSuccess || found != cudaDriverEntryPointSuccess || function == nullptr) {
    return false;
  }
  unsigned int flags = 0;
  int active = 0;
  return reinterpret_cast<GetState>(function)(device, &flags, &active) == CUDA_SUCCESS &&
         active != 0;
}

// For its lifetime, the CUDA device `device` (none: -1) as the process's current one; then the
// caller's again, which PyTorch and CuPy read back as theirs. Only where the caller's device has
// a context already: setting a device creates its context (hundreds of MB of GPU memory), which
// a process that works on another GPU alone should not get (PyTorch restores devices so too).
class CurrentCudaDevice {
 public:
  explicit CurrentCudaDevice(int device) {
    if (device < 0) return;
    restore_ = cudaGetDevice(&previous_) == cudaSuccess && previous_ != device;
    if (cudaSetDevice(device) != cudaSuccess) {
      throw UsageError("X is on CUDA device " + std::to_string(device) +
                       ", which this process cannot use");
    }
  }
  ~CurrentCudaDevice() {
    if (restore_ && primary_context_active(previous_)) cudaSetDevice(previous_);
  }
  CurrentCudaDevice(const CurrentCudaDevice&) = delete;
  CurrentCudaDevice& operator=(const CurrentCudaDevice&) = delete;

 private:
  int previous_ = 0;
  bool restore_ = false;
};

// The run's evaluations as rows of (step, seconds, objective, validation objective or NaN).
struct EvaluationLog {
  std::vector<double> values;
  void add(const Evaluation& evaluation) {
    values.push_back(static_cast<double>(evaluation.step));
    values.push_back(evaluation.seconds);
    values.push_back(evaluation.objective);
    values.push_back(
        evaluation.validation_objective.value_or(std::numeric_limits<double>::quiet_NaN()));
  }
};

nb::dict result_dict(TrainResult&& result, EvaluationLog&& log, const DataView& view) {
  nb::dict out;
  const int64_t evaluations = static_cast<int64_t>(log.values.size() / 4);
  out["weights"] = to_numpy(std::move(result.weights));
  out["bias"] = result.bias;
  out["loss_history"] = to_numpy(std::move(result.loss_history));
  auto curve = to_numpy(std::move(log.values));
  out["evaluations"] =
      nb::module_::import_("numpy").attr("reshape")(curve, nb::make_tuple(evaluations, 4));
  out["steps_done"] = result.steps_done;
  out["epochs_run"] = result.epochs_run();
  out["stopped_by"] = result.stopped_by;
  out["interrupted"] = result.interrupted;
  out["learning_rate"] = result.learning_rate;
  const std::optional<double> reach = result.intercept_reach_short();
  out["intercept_reach_short"] = reach ? nb::cast(*reach) : nb::none();
  out["objective"] = result.objective;
  out["validation_objective"] =
      result.validation_objective ? nb::cast(*result.validation_objective) : nb::none();
  out["full_loss"] = result.full_loss;
  out["train_seconds"] = result.train_seconds;
  out["prepare_seconds"] = result.prepare_seconds;
  out["device"] = result.device;
  out["rows"] = result.rows;
  out["weight_mean"] = result.weight_mean;
  out["hyperparameters"] = hyperparameters_json(result.config).dump();
  out["data_pointer"] = reinterpret_cast<uintptr_t>(view.X);
  return out;
}

nb::dict train(const std::string& hyperparameters, const Matrix& X, const Vector& y,
               const std::optional<Vector>& sample_weight,
               const std::optional<double>& validation_fraction,
               const std::optional<Vector>& initial_weights, float initial_bias,
               std::optional<int64_t> average_samples, std::optional<double> weight_mean,
               int64_t schedule_step, double learning_rate_cap) {
  const TrainConfig config = config_from_json(hyperparameters);
  DataView view = view_of_arrays(X, y, sample_weight);
  if (weight_mean) view.weight_mean = *weight_mean;
  std::optional<InitialParameters> initial;
  if (initial_weights) {
    initial = InitialParameters{to_vector(*initial_weights, "initial weights"), initial_bias,
                                schedule_step, learning_rate_cap};
  }
  if (view.memory == MemoryKind::kCuda && validation_fraction) {
    throw UsageError(
        "early_stopping with CUDA arrays: the seeded validation split copies rows through the "
        "host; pass NumPy arrays, or split the data yourself");
  }
  const CurrentCudaDevice on_arrays_device(view.memory == MemoryKind::kCuda ? X.device_id() : -1);

  EvaluationLog log;
  TrainHooks hooks;
  bool interrupted_by_python = false;
  // Between chunks (at most 256 steps): a Ctrl-C (or any signal handler raising) stops the run
  // there; the exception is raised once the GIL is back.
  hooks.stop_requested = [&] {
    nb::gil_scoped_acquire acquire;
    if (PyErr_CheckSignals() != 0) interrupted_by_python = true;
    return interrupted_by_python;
  };
  if (config.evaluates()) {
    hooks.on_evaluation = [&](const Evaluation& evaluation) { log.add(evaluation); };
  }
  TrainResult result;
  try {
    nb::gil_scoped_release release;
    if (validation_fraction) {
      const auto [kept, held_out] =
          split_validation(view, *validation_fraction, config.seed);  // host arrays
      const DataView validation = view_of(held_out);
      result = train_on_view(without_unreached_average(config, kept.rows, average_samples),
                             view_of(kept), &validation, initial ? &*initial : nullptr, hooks);
    } else {
      result = train_on_view(without_unreached_average(config, view.rows, average_samples), view,
                             nullptr, initial ? &*initial : nullptr, hooks);
    }
  } catch (const Error&) {
    // Stopped while waiting for another CPU fit of this process: the KeyboardInterrupt.
    if (interrupted_by_python) throw nb::python_error();
    throw;
  }
  if (interrupted_by_python) throw nb::python_error();
  return result_dict(std::move(result), std::move(log), view);
}

}  // namespace

void bind_training(nb::module_& module) {
  module.def("train", &train, "hyperparameters"_a, "X"_a.noconvert(), "y"_a.noconvert(),
             "sample_weight"_a.noconvert() = nb::none(), "validation_fraction"_a = nb::none(),
             "initial_weights"_a.noconvert() = nb::none(), "initial_bias"_a = 0.0f,
             "average_samples"_a = nb::none(), "weight_mean"_a = nb::none(), "schedule_step"_a = 0,
             "learning_rate_cap"_a = 0.0,
             "Trains on X and y (float32, C-contiguous, host or CUDA) with the hyperparameters "
             "of a model file's JSON; returns the run's parameters and figures. With initial "
             "weights, schedule_step and learning_rate_cap go on from earlier runs "
             "(InitialParameters).");
}

}  // namespace linsgd::python
