// The public training API: pick a device, train on the post's synthetic problem or on a
// dataset, follow or stop the run as it goes, get the loss history, the parameters and the
// figures the trainer reports.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "linsgd/config.hpp"
#include "linsgd/dataset.hpp"

namespace linsgd {

// The parameters synthetic data was drawn from.
struct SyntheticTruth {
  std::vector<float> weights;
  float bias = 0.0f;
};

struct TrainResult {
  DeviceKind backend = DeviceKind::kCpu;  // kCuda or kCpu, never kAuto
  std::string device;                     // "GPU: <name>" or "CPU: <model> (<n> threads)"
  TrainConfig config;                     // as run (device and engine resolved)
  int64_t epochs_asked = 0;  // the config's epochs as given (config.steps holds what they came to)
  int64_t rows = 0;
  int64_t features = 0;
  int64_t steps_done = 0;    // config.steps, or fewer when the run was stopped
  bool interrupted = false;  // stopped by TrainHooks::stop_requested before config.steps
  // Why the run ended: "steps" (all done), "tol" (no improvement by --tol for
  // --n-iter-no-change evaluations), "lr" (the adaptive rate fell below 1e-6 of its start),
  // "target" (--target-objective reached), "time" (--max-seconds), "interrupt"
  // (TrainHooks::stop_requested), "exact" (--solver exact).
  std::string stopped_by = "steps";
  double learning_rate = 0.0;                  // the rate the run started with (--lr auto's value)
  double objective = 0.0;                      // F(w, b) of the model on the training data
  std::optional<double> validation_objective;  // F on the validation set, when one was given
  bool weighted = false;                       // the data had sample weights
  // The mean the sample weights were taken relative to: their own (every process's, in a
  // data-parallel run) or DataView::weight_mean; 1 without weights.
  double weight_mean = 1.0;
  float last_batch_loss = 0.0f;
  // The batch loss of every step done, unless TrainHooks::on_losses took them as they came.
  std::vector<float> loss_history;
  std::vector<float> weights;
  float bias = 0.0f;
  // The step loop (with its evaluations), or the exact solve: no data generation, no copies. A
  // resumed run's adds its earlier slices' loop seconds (TrainingState::seconds).
  double train_seconds = 0.0;
  // From the data in memory to the first step: --lr auto's Lanczos iteration, the loop's buffers,
  // its first weights and its CUDA graphs (0 for the exact solver).
  double prepare_seconds = 0.0;
  // The exact solve's two parts (0 for SGD), whose sum is about train_seconds: forming the
  // normal equations (their buffers and the BLAS's first calls included) and solving them by
  // Cholesky (the solver library's start included).
  double normal_equations_seconds = 0.0;
  double factorization_seconds = 0.0;
  double full_loss = 0.0;  // 0.5 * mean((X w + b - y)^2) over every training row
  std::optional<SyntheticTruth> truth;

  float final_batch_loss() const { return last_batch_loss; }
  double steps_per_second() const;
  // Passes over the data the steps made: steps_done x B / rows when sampling with replacement;
  // walking an order (epoch, sequential sampling), whole epochs of ceil(rows / B) steps plus the
  // rows the current one's steps took.
  double epochs_run() const;
  // ||w - w*|| / ||w*|| and |b - b*|; need `truth`.
  double weight_relative_error() const;
  double bias_absolute_error() const;
  // How far the steps can have taken the intercept towards its optimum: an upper bound on the
  // sum of their sizes times its curvature, the sum of the rates the schedule gave the steps
  // done, learning_rate x sum_t factor(t), over (1 - momentum) (the squared loss's curvature in
  // the intercept is 1, the sample weights taken relative to their mean; Huber's is at most
  // that; the adaptive schedule's divisions are left out). The Gram matrix's smallest
  // eigenvalue is at most that curvature, so its direction (the intercept's, or one mixing it with
  // the weights where the features are not centered) keeps about exp(-reach) of its starting
  // error. Set only when below 3 (about 5% kept) for an SGD run with an intercept under the
  // squared or Huber loss: on features of scale 100, --lr auto steps about 1e-4 and the intercept
  // barely moves while the loss, changing little, can satisfy --tol.
  std::optional<double> intercept_reach_short() const;
};

// True when the CUDA runtime sees at least one usable device.
bool cuda_device_available();

// Creates the CUDA context of the GPU a one-process run trains on (the first visible), which
// takes a good part of a second on a large GPU, and loads cuBLAS and cuSOLVER. Called on another
// thread while the data is read, it takes that time off the run's path. Errors are left for
// training to report.
void start_gpu_context();

struct DeviceChoice {
  DeviceKind kind = DeviceKind::kCpu;
  std::string notice;  // set when `auto` fell back to the CPU
};
// auto -> cuda when a device is present, else cpu with a notice; cuda without a device throws
// UsageError.
DeviceChoice resolve_device(DeviceKind requested);

// The CPU cores this process may run on: its affinity mask (taskset, a container's
// --cpuset-cpus; a CPU quota such as --cpus leaves it whole), at least 1. "All cores" for the CPU
// backend's threads and the CSV reader's.
int usable_cpu_cores();

// Throws UsageError for an option of `config` that does not apply to `backend` (kCpu or kCuda):
// --fused-blocks on the CPU, --threads on the GPU, more --threads than usable_cpu_cores().
// train_synthetic and train_on_data check it too; call it first to refuse before reading data.
void require_options_apply(DeviceKind backend, const TrainConfig& config);

// Where a run stands at one of the training loop's checkpoints (after the chunk that completes
// 4096 steps since the last one, or half a second of host time, and at the end).
struct Progress {
  int64_t step = 0;  // steps done
  int64_t total_steps = 0;
  double seconds = 0.0;  // since the loop started
  float latest_loss = 0.0f;
};
using ProgressCallback = std::function<void(const Progress&)>;

// The batch losses of steps [first_step, first_step + losses.size()), 0-based, in order.
using LossesCallback = std::function<void(int64_t first_step, const std::vector<float>& losses)>;

// An evaluation of the objective during a run (TrainConfig::eval_every).
struct Evaluation {
  int64_t step = 0;      // steps done
  double seconds = 0.0;  // of training so far, evaluations excluded
  double objective = 0.0;
  std::optional<double> validation_objective;
};
using EvaluationCallback = std::function<void(const Evaluation&)>;

// Everything a run of SGD carries from one step to the next, after `steps_done` steps: enough
// for a run of the same configuration on the same data to continue from it and end exactly as
// an uninterrupted run would (the random draws are re-derived from the seed and the step).
struct TrainingState {
  int64_t steps_done = 0;
  std::vector<float> weights;  // the iterate (not its average)
  float bias = 0.0f;
  std::vector<float> velocity;       // momentum: features + 1 floats, the bias's last; else empty
  std::vector<float> average;        // averaging: features + 1 floats, the bias's last; else empty
  double learning_rate = 0.0;        // the rate now (the adaptive schedule lowers it)
  double first_learning_rate = 0.0;  // the rate the run started with (--lr auto's value)
  // The stopping rules: the best monitored objective so far, and the evaluations since it last
  // improved by tol.
  double best_objective = 0.0;
  int64_t evaluations_without_improvement = 0;
  // The steps' seconds so far, evaluations excluded, every slice of a resumed run added: a
  // resumed run's curve and speed go on from them.
  double seconds = 0.0;
  // With TrainHooks::state_with_losses, the batch losses of steps [losses_from, steps_done): a
  // state the run hands out carries those since the state before it (or since the step it
  // resumed from), so that neither the run's memory nor a checkpoint's writing grows with all
  // the steps; a state to resume from carries every step's, from 0 (or none). Else empty.
  int64_t losses_from = 0;
  std::vector<float> loss_history;
  std::vector<Evaluation> evaluations;  // every evaluation so far
  // Where the run that handed it out stepped ("CPU: <model> (1 thread), fused engine"), or, when
  // its slices stepped on different ones, kSteppedOnSeveral: resumed elsewhere, a run ends as the
  // uninterrupted one to float rounding, not bit for bit. Empty when unknown.
  std::string stepped_on;
};
using StateCallback = std::function<void(const TrainingState&)>;

// TrainingState::stepped_on of a run on `device` (TrainResult::device: the CPU's model and
// threads, or the GPU's name) with `engine` (resolved).
inline std::string stepped_on(const std::string& device, Engine engine) {
  return device + ", " + to_string(engine) + " engine";
}
inline constexpr const char* kSteppedOnSeveral = "several devices or engines";

struct TrainHooks;

// Throws UsageError for what a data-parallel run (a DataShard) does not do yet: a validation set,
// checkpoints and the fused engine (it
// reads X by the batch's rows, which a process may not hold); with `sync_every` (local SGD),
// sampling by epoch, iterate averaging, --lr auto, an eval_every that is not a multiple of it, and
// a sync_every above kMaxSyncEvery. (--max-seconds stops every process after the chunk at which any
// one's clock passes it.)
void require_shardable(const TrainConfig& config, bool validation = false,
                       const TrainHooks* hooks = nullptr, int64_t sync_every = 0);

// One process's share of a data-parallel run (`linsgd train --distributed` under mpirun): its
// data are rows [first_row, first_row + rows) of total_rows, process `index` of `processes`, and
// sum_floats and sum_doubles add arrays across the processes in place, average_floats averages
// them (each process gets the same floats). Gemv engine, SGD. On the CPU sum_floats and
// average_floats take host arrays; on the GPU (backend kCuda) the trainer sums and averages the
// device arrays itself over NCCL, from gpu_group_id, on GPU `gpu` (sum_doubles stays the
// caller's, for host values).
// - sync_every 0: every process draws the same batches from the seed, computes the gradient of
//   the batch rows it holds, and after the sums applies the same update: a run equals the
//   one-process run up to the order the partial gradients are added in.
// - sync_every N (local SGD): each process steps alone on batches of B of its own rows (process
//   k's are the k-th B of K B draws a step from the seed's stream), and every N steps, and at
//   the end, the processes' weights and biases are averaged (momentum stays each process's). How
//   the steps are split into chunks (evaluations, say) changes no draw. One process is the
//   one-process run.
struct DataShard {
  int64_t first_row = 0;
  int64_t rows = 0;  // this process's
  int64_t total_rows = 0;
  int index = 0;
  int processes = 1;
  int64_t sync_every = 0;
  std::function<void(float* values, int64_t count)> sum_floats;
  std::function<void(double* values, int64_t count)> sum_doubles;
  std::function<void(float* values, int64_t count)> average_floats;
  // The GPU backend: new_gpu_group_id()'s bytes, drawn by process 0 for this run alone (an id
  // serves one run) and the same on every process, and this process's rank on its machine, from
  // which the GPU backend picks its GPU (src/core/process_gpu.hpp).
  std::string gpu_group_id;
  int gpu = 0;

  // Local SGD: sync_every with more than one process (one process is the plain run).
  bool local_steps() const { return sync_every > 0 && processes > 1; }
};

// A fresh id for the GPUs of one data-parallel run (NCCL's unique id), for process 0 to send to
// the others as DataShard::gpu_group_id. Throws UsageError, with the reason, when this linsgd was
// built without NCCL or cannot load it (gpu_groups_available() says so beforehand). NCCL is
// loaded by the first of the two calls, never before: a process that trains without it (the
// Python package's, beside PyTorch's own NCCL) does not load it.
std::string new_gpu_group_id();
bool gpu_groups_available();

// `config` resolved for a data-parallel run, as resolve_for_rows does for one process: --epochs
// counts passes over every process's rows (taken B a step, or K B a step by the K processes of
// local SGD); with local SGD's N = sync_every, evaluations come at averagings: an --eval-every
// given is a multiple of N (require_shardable), and its default is rounded up to one.
TrainConfig resolve_for_shard(const TrainConfig& config, const DataShard& shard);

// The largest --sync-every (2^40 steps: far beyond any run).
inline constexpr int64_t kMaxSyncEvery = int64_t{1} << 40;

// Ways to follow, stop, checkpoint and resume a run; each may be empty.
struct TrainHooks {
  ProgressCallback progress;  // at every checkpoint
  // At every checkpoint, the losses since the last one. When set, TrainResult::loss_history
  // stays empty, so a run's host memory does not grow with its steps.
  LossesCallback on_losses;
  // Asked after every chunk of steps (at most 256, see rng_plan.hpp): true stops the run there,
  // with TrainResult::interrupted set and the parameters of the steps done. In a data-parallel
  // run (`shard`), true on any process stops every one after the same chunk. A CPU run that
  // waits for another of the process's to end (they take turns) asks it every 50 ms: true there
  // throws linsgd::Error before any step.
  std::function<bool()> stop_requested;
  // At every evaluation of the objective; setting it makes the run evaluate (every
  // TrainConfig::eval_every steps) even without --tol.
  EvaluationCallback on_evaluation;
  // After the chunk of steps that reaches each multiple of state_every steps (chunks hold at
  // most 256), and where a stop_requested or max_seconds stops the run before its end: the run's
  // TrainingState, for a checkpoint. Not after the last step.
  int64_t state_every = 0;
  StateCallback on_state;
  // The states carry the losses since the state before (TrainingState::losses_from; not after
  // resuming from a state without losses).
  bool state_with_losses = true;
  // When set, the run continues from this state instead of starting: the state of a run of the
  // same configuration on the same data (the caller checks that; the trainer checks the sizes),
  // its losses, if any, those of every step from 0 (the states handed out, joined).
  // Its losses (if it has them) and evaluations are handed to on_losses and on_evaluation
  // first, as if the steps had just run, so the outputs of the resumed run are those of an
  // uninterrupted one.
  const TrainingState* resume_from = nullptr;
  // When set, the run is this process's part of a data-parallel run (see DataShard); the data
  // passed are its rows alone (the synthetic problem is generated whole and its rows taken).
  const DataShard* shard = nullptr;
};

// Where a warm-started run begins, instead of w ~ N(0, sigma^2) and b = 0: weights of the data's
// feature count and a bias (the previous fit's, say). The random draws stay those of a cold start
// of the same seed; momentum and averages start afresh, and the schedule unless
// `schedule_step` says where it goes on from.
struct InitialParameters {
  std::vector<float> weights;
  float bias = 0.0f;
  // A run that goes on from earlier ones (Python's partial_fit, a chunk at a time):
  // - schedule_step: the steps before, from which the invscaling schedule goes on (its rate at
  //   this run's step t is lr / (schedule_step + t + 1)^power_t); the cosine's spans the run;
  // - learning_rate_cap (> 0): with --lr auto, the rate the runs before took, kept unless this
  //   data needs a smaller one (a chunk of one row takes a far smaller step than a batch of 64
  //   rows), which then is this run's.
  int64_t schedule_step = 0;
  double learning_rate_cap = 0.0;
};

// Validates `config`, resolves the device and trains on the post's synthetic problem
// (config.rows x config.features). Data is generated where training runs: on the GPU no
// rows x features array exists on the host and nothing is copied to the device.
// Throws Error when the loss becomes non-finite (divergence), naming the step.
TrainResult train_synthetic(const TrainConfig& config, const TrainHooks& hooks = {});

// As train_synthetic, on `data` (which must have targets, and X and y of rows x features and
// rows floats); config.rows and config.features are ignored. On the GPU the data is uploaded once;
// a dataset that does not fit the device's free memory (or config.device_memory_limit) stays in
// host memory, pinned and mapped, and the steps read their rows from there (gemv engine); a run
// whose buffers do not fit even then is refused (InputError) before anything is allocated.
TrainResult train_on_data(const TrainConfig& config, const Dataset& data,
                          const TrainHooks& hooks = {});

// As train_on_data, with a validation set (of data's features, in the same space: standardize
// both alike): evaluations, and the stopping rules, then watch its objective.
TrainResult train_on_data(const TrainConfig& config, const Dataset& data, const Dataset& validation,
                          const TrainHooks& hooks = {});

// As train_on_data, on arrays used where they lie: host arrays by either backend (the CPU reads
// them in place, the GPU uploads them once), CUDA arrays by the GPU only, in place. `validation`
// and `initial` may be null; both views must be in the same memory. Throws UsageError for CUDA
// arrays on the CPU or for `initial` with hooks.resume_from (a resumed run goes on from its
// state's parameters), InputError for views of mismatched sizes or null arrays, and for initial
// weights that do not match the features or are not finite.
TrainResult train_on_view(const TrainConfig& config, const DataView& data,
                          const DataView* validation = nullptr,
                          const InitialParameters* initial = nullptr, const TrainHooks& hooks = {});

}  // namespace linsgd
