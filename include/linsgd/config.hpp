// Training configuration. The defaults are the reference post's problem and hyperparameters:
// 4000 x 2000 synthetic data, batch 64, learning rate 0.01, 2000 steps, w ~ N(0, 0.01^2), b = 0,
// squared loss, no penalty, batches drawn with replacement, a constant rate. The other options
// fit other objectives to convergence:
//
//   F(w, b) = (1 / sum_i s_i) sum_i s_i L(r_i) + alpha [ (1 - rho) / 2 |w|^2 + rho |w|_1 ],
//   r_i = x_i . w + b - y_i,
//
// with sample weights s_i (default 1), rho the L1 ratio, and the bias not penalized. With squared
// loss and an elastic net this is scikit-learn's ElasticNet objective. Without an intercept
// (fit_intercept false) b is not trained: it keeps its starting value, 0 unless given.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace linsgd {

enum class DeviceKind { kAuto, kCuda, kCpu };

// Parses "auto", "cuda" or "cpu"; throws UsageError naming the option and value otherwise.
DeviceKind parse_device_kind(const std::string& text);
const char* to_string(DeviceKind kind);

// How a step is computed.
//   kGemv:  gather the batch rows, two GEMVs (cuBLAS on the GPU, OpenBLAS on the CPU), one fused
//           update kernel: the design's reference.
//   kFused: no gathered copy. On the GPU one persistent kernel runs a whole chunk of steps, each
//           block owning a slice of the features; on the CPU, dot and axpy straight on X's rows.
//   kAuto:  chosen by device and shape: fused where it is expected to be faster.
enum class Engine { kAuto, kGemv, kFused };
Engine parse_engine(const std::string& text);
const char* to_string(Engine engine);

// L(r): squared r^2 / 2; huber r^2 / 2 within epsilon, epsilon |r| - epsilon^2 / 2 beyond;
// epsilon-insensitive max(0, |r| - epsilon); squared-epsilon-insensitive max(0, |r| - epsilon)^2.
enum class Loss { kSquared, kHuber, kEpsilonInsensitive, kSquaredEpsilonInsensitive };
// none; l2 (rho = 0); l1 (rho = 1); elasticnet (rho = --l1-ratio).
enum class Penalty { kNone, kL2, kL1, kElasticNet };
// replacement: B rows drawn uniformly with replacement each step (the post's); epoch: a fresh
// permutation of the rows each epoch, walked in consecutive batches (the last one may be short);
// sequential: the rows in their order every epoch, in consecutive batches (scikit-learn's
// shuffle=False; training on chunks one after another then equals training on their
// concatenation).
enum class Sampling { kReplacement, kEpoch, kSequential };
// The learning rate at step t (from 0): constant; invscaling lr / (t + 1)^power_t; cosine from
// lr to 0 over the run after a linear warm-up; adaptive: divided by 5 whenever the monitored
// objective stops improving (scikit-learn's rule), the run ending when it falls below 1e-6 lr.
enum class Schedule { kConstant, kInvScaling, kCosine, kAdaptive };
// sgd: the steps; exact: the normal equations (squared loss, no or an L2 penalty).
enum class Solver { kSgd, kExact };

Loss parse_loss(const std::string& text);
Penalty parse_penalty(const std::string& text);
Sampling parse_sampling(const std::string& text);
Schedule parse_schedule(const std::string& text);
Solver parse_solver(const std::string& text);
const char* to_string(Loss loss);
const char* to_string(Penalty penalty);
const char* to_string(Sampling sampling);
const char* to_string(Schedule schedule);
const char* to_string(Solver solver);

struct TrainConfig {
  int64_t rows = 4000;      // synthetic data only: n
  int64_t features = 2000;  // synthetic data only: d
  int64_t batch_size = 64;  // B
  double learning_rate = 0.01;
  bool learning_rate_auto = false;  // --lr auto: 1 / (the mini-batch's expected smoothness)
  int64_t steps = 2000;             // the post calls them epochs; each is one mini-batch step
  // Passes over the data instead of a step count (0: use `steps`): E ceil(n / B) steps sampling
  // by epoch, ceil(E n / B) with replacement. Resolved into `steps` when the rows are known.
  int64_t epochs = 0;
  double sigma = 0.01;  // standard deviation of the initial weights
  uint64_t seed = 42;
  DeviceKind device = DeviceKind::kAuto;
  Engine engine = Engine::kAuto;
  int threads = 0;       // CPU backend threads; 0 = automatic (one for small steps, else all)
  int fused_blocks = 0;  // GPU fused engine: about this many blocks; 0 = from the shape
  // GPU: plan as if the device had at most this many bytes free (0: its free memory). Data in
  // host memory that does not fit stays there, pinned and mapped, and the steps read their rows
  // over the bus (see DataPlacement in core/memory_plan.hpp).
  uint64_t device_memory_limit = 0;

  // The objective.
  Loss loss = Loss::kSquared;
  double epsilon = 0.1;  // huber and the epsilon-insensitive losses
  Penalty penalty = Penalty::kNone;
  double alpha = 0.0001;   // the penalty's strength (unused without one)
  double l1_ratio = 0.15;  // rho of an elastic net (l1: 1, l2: 0)
  // Train the bias b (scikit-learn's fit_intercept). False: b keeps its starting value (0, or
  // the initial parameters' or the resumed state's), the exact solver solves for w with b = 0,
  // and standardization scales the features without centering them.
  bool fit_intercept = true;

  // The steps.
  Sampling sampling = Sampling::kReplacement;
  Schedule schedule = Schedule::kConstant;
  double power_t = 0.25;  // invscaling's exponent
  int64_t warmup = 0;     // cosine's linear warm-up steps
  double momentum = 0.0;  // M in PyTorch's convention: v <- M v + g; w <- w - lr v
  bool nesterov = false;  // w <- w - lr (g + M v)
  // Polyak-Ruppert averaging of the iterates from this step (0-based) on; the averages are the
  // model. Unset: no averaging; kAverageFromOneEpoch: from the first step after one epoch.
  std::optional<int64_t> average_from;
  static constexpr int64_t kAverageFromOneEpoch = -1;

  // Stopping. Evaluations of the full objective (on the validation set when one is given) every
  // eval_every steps (0: once an epoch with `epochs`, else every 4096) feed the tol /
  // n_iter_no_change rule and the adaptive schedule; max_seconds > 0 stops the run at that
  // time budget.
  int64_t eval_every = 0;
  std::optional<double> tol;
  int64_t n_iter_no_change = 5;
  // Stop at the first evaluation where the training objective is at or below this value (a
  // target suboptimality: F* (1 + epsilon) with F* from the exact solver, say).
  std::optional<double> target_objective;
  double max_seconds = 0.0;

  Solver solver = Solver::kSgd;

  // Not a hyperparameter (no file holds it): the features were standardized before training
  // (the CLI's --standardize), so that the advice of a diverged run does not suggest it again.
  bool features_standardized = false;

  // The tol of --schedule adaptive when none is given (scikit-learn's default).
  static constexpr double kAdaptiveTol = 1e-3;

  // The penalty's L2 and L1 strengths: alpha (1 - rho) and alpha rho, 0 without a penalty.
  double l2_strength() const;
  double l1_strength() const;
  // True when the run evaluates the objective as it goes (for --tol, --target-objective, or the
  // adaptive schedule).
  bool evaluates() const {
    return tol.has_value() || target_objective.has_value() || schedule == Schedule::kAdaptive;
  }
};

// `config` on data of `rows` rows: `epochs` turned into `steps`, averaging "from one epoch"
// into its step, eval_every 0 into its default. Idempotent.
TrainConfig resolve_for_rows(const TrainConfig& config, int64_t rows);

// The learning rate's bounds (the steps take it in float): FLT_MIN to FLT_MAX, as validate()
// states them.
inline constexpr const char* kLearningRateRange = "must be within float's range, 1.2e-38 to 3.4e38";

// Largest row count: the BLAS dimensions are ints (and row_from_draw needs n <= 2^32).
inline constexpr int64_t kMaxRows = 2147483647LL;

// Throws UsageError with a one-line message naming the option and value when `config` is not
// usable: sizes and steps must be positive, the learning rate positive and finite, sigma finite
// and non-negative, threads and fused blocks non-negative, no fused blocks with --engine gemv,
// alpha and epsilon non-negative, the L1 ratio in [0, 1], the momentum in [0, 1), Nesterov only
// with a momentum, averaging from a step within the run, the exact solver only for a squared
// loss with no or an L2 penalty.
void validate(const TrainConfig& config);

}  // namespace linsgd
