// Parsing of the named option values (--device, --engine, --loss, ...) and validation of a
// TrainConfig, with one-line messages that name the option and the offending value.
#include "linsgd/config.hpp"

#include <cfloat>
#include <climits>
#include <cmath>
#include <sstream>
#include <utility>

#include "linsgd/errors.hpp"

namespace linsgd {
namespace {

template <class T>
[[noreturn]] void refuse(const char* option, T value, const char* requirement) {
  std::ostringstream message;
  message << "invalid value for " << option << ": " << value << " (" << requirement << ")";
  throw UsageError(message.str());
}

void require_in_range(const char* option, int64_t value, int64_t max) {
  if (value <= 0) refuse(option, value, "must be a positive integer");
  if (value > max) {
    refuse(option, value, ("must be at most " + std::to_string(max)).c_str());
  }
}

// The values of an option and their names, in the order the help lists them.
template <class E, size_t N>
struct Names {
  const char* option;
  std::pair<E, const char*> values[N];

  E parse(const std::string& text) const {
    std::string expected;
    for (size_t i = 0; i < N; ++i) {
      if (text == values[i].second) return values[i].first;
      expected += std::string(i == 0 ? "" : i + 1 == N ? " or " : ", ") + values[i].second;
    }
    throw UsageError("invalid value for " + std::string(option) + ": " + text + " (expected " +
                     expected + ")");
  }
  const char* name(E value) const {
    for (const auto& [known, name] : values) {
      if (known == value) return name;
    }
    return "unknown";
  }
};

constexpr Names<DeviceKind, 3> kDeviceNames{
    "--device",
    {{DeviceKind::kAuto, "auto"}, {DeviceKind::kCuda, "cuda"}, {DeviceKind::kCpu, "cpu"}}};
constexpr Names<Engine, 3> kEngineNames{
    "--engine", {{Engine::kAuto, "auto"}, {Engine::kGemv, "gemv"}, {Engine::kFused, "fused"}}};
constexpr Names<Loss, 4> kLossNames{
    "--loss",
    {{Loss::kSquared, "squared"},
     {Loss::kHuber, "huber"},
     {Loss::kEpsilonInsensitive, "epsilon-insensitive"},
     {Loss::kSquaredEpsilonInsensitive, "squared-epsilon-insensitive"}}};
constexpr Names<Penalty, 4> kPenaltyNames{"--penalty",
                                          {{Penalty::kNone, "none"},
                                           {Penalty::kL2, "l2"},
                                           {Penalty::kL1, "l1"},
                                           {Penalty::kElasticNet, "elasticnet"}}};
constexpr Names<Sampling, 3> kSamplingNames{"--sampling",
                                            {{Sampling::kReplacement, "replacement"},
                                             {Sampling::kEpoch, "epoch"},
                                             {Sampling::kSequential, "sequential"}}};
constexpr Names<Schedule, 4> kScheduleNames{"--schedule",
                                            {{Schedule::kConstant, "constant"},
                                             {Schedule::kInvScaling, "invscaling"},
                                             {Schedule::kCosine, "cosine"},
                                             {Schedule::kAdaptive, "adaptive"}}};
constexpr Names<Solver, 2> kSolverNames{"--solver",
                                        {{Solver::kSgd, "sgd"}, {Solver::kExact, "exact"}}};

}  // namespace

DeviceKind parse_device_kind(const std::string& text) {
  return kDeviceNames.parse(text);
}
Engine parse_engine(const std::string& text) {
  return kEngineNames.parse(text);
}
Loss parse_loss(const std::string& text) {
  return kLossNames.parse(text);
}
Penalty parse_penalty(const std::string& text) {
  return kPenaltyNames.parse(text);
}
Sampling parse_sampling(const std::string& text) {
  return kSamplingNames.parse(text);
}
Schedule parse_schedule(const std::string& text) {
  return kScheduleNames.parse(text);
}
Solver parse_solver(const std::string& text) {
  return kSolverNames.parse(text);
}

const char* to_string(DeviceKind kind) {
  return kDeviceNames.name(kind);
}
const char* to_string(Engine engine) {
  return kEngineNames.name(engine);
}
const char* to_string(Loss loss) {
  return kLossNames.name(loss);
}
const char* to_string(Penalty penalty) {
  return kPenaltyNames.name(penalty);
}
const char* to_string(Sampling sampling) {
  return kSamplingNames.name(sampling);
}
const char* to_string(Schedule schedule) {
  return kScheduleNames.name(schedule);
}
const char* to_string(Solver solver) {
  return kSolverNames.name(solver);
}

double TrainConfig::l2_strength() const {
  switch (penalty) {
    case Penalty::kNone:
    case Penalty::kL1:
      return 0.0;
    case Penalty::kL2:
      return alpha;
    case Penalty::kElasticNet:
      return alpha * (1.0 - l1_ratio);
  }
  return 0.0;
}

double TrainConfig::l1_strength() const {
  switch (penalty) {
    case Penalty::kNone:
    case Penalty::kL2:
      return 0.0;
    case Penalty::kL1:
      return alpha;
    case Penalty::kElasticNet:
      return alpha * l1_ratio;
  }
  return 0.0;
}

TrainConfig resolve_for_rows(const TrainConfig& config, int64_t rows) {
  TrainConfig resolved = config;
  const int64_t B = config.batch_size > 0 ? config.batch_size : 1;
  const int64_t per_epoch = (rows + B - 1) / B;
  if (config.epochs > 0) {
    // Counted in 128 bits (epochs x rows may pass 2^63), then held to --steps' bound (2^62).
    __extension__ using Wide = unsigned __int128;
    const auto epochs = static_cast<Wide>(config.epochs);
    const Wide steps =
        config.sampling != Sampling::kReplacement
            ? epochs * static_cast<Wide>(per_epoch)
            : (epochs * static_cast<Wide>(rows) + static_cast<Wide>(B - 1)) / static_cast<Wide>(B);
    if (steps > static_cast<Wide>(INT64_MAX / 2)) {
      refuse("--epochs", config.epochs, "makes more steps than a run can take (2^62)");
    }
    resolved.steps = static_cast<int64_t>(steps);
    resolved.epochs = 0;
  }
  if (config.average_from == TrainConfig::kAverageFromOneEpoch) {
    if (per_epoch >= resolved.steps) {  // named as asked: the bare option, not a step given
      throw UsageError("--average: averaging from one epoch (step " + std::to_string(per_epoch) +
                       ": " + std::to_string(rows) + " rows in batches of " + std::to_string(B) +
                       ") would start after the run's " + std::to_string(resolved.steps) +
                       " steps; give it a step, or run longer");
    }
    resolved.average_from = per_epoch;
  }
  if (resolved.eval_every == 0) {
    // Counted in steps: every 4096, or, where the rules that act on evaluations are asked for,
    // ten times a shorter run (at 4096, a run of 2000 steps would never evaluate, and --tol or
    // the adaptive schedule would do nothing).
    const int64_t tenth = std::max<int64_t>(1, (resolved.steps + 9) / 10);
    resolved.eval_every = config.epochs > 0    ? per_epoch
                          : config.evaluates() ? std::min<int64_t>(4096, tenth)
                                               : 4096;
  }
  return resolved;
}

void validate(const TrainConfig& config) {
  // cuBLAS and CBLAS take int dimensions: rows, features and the batch must fit in an int.
  require_in_range("--rows", config.rows, kMaxRows);
  require_in_range("--features", config.features, INT_MAX);
  require_in_range("--batch-size", config.batch_size, INT_MAX);
  require_in_range("--steps", config.steps, INT64_MAX / 2);
  if (config.epochs < 0) refuse("--epochs", config.epochs, "must be a positive integer");
  if (!std::isfinite(config.learning_rate) || config.learning_rate <= 0.0) {
    refuse("--lr", config.learning_rate, "must be a positive finite number, or auto");
  }
  // The steps take the rate in float: below its smallest normal number it is 0 or loses its
  // digits (the steps would not move), above its largest it is infinite.
  if (config.learning_rate < FLT_MIN || config.learning_rate > FLT_MAX) {
    refuse("--lr", config.learning_rate, kLearningRateRange);
  }
  if (!std::isfinite(config.sigma) || config.sigma < 0.0) {
    refuse("--sigma", config.sigma, "must be a non-negative finite number");
  }
  if (config.sigma > FLT_MAX) refuse("--sigma", config.sigma, "beyond float's range");
  if (config.threads < 0) refuse("--threads", config.threads, "must be 0 (automatic) or more");
  if (config.fused_blocks < 0) {
    refuse("--fused-blocks", config.fused_blocks, "must be 0 (from the shape) or more");
  }
  if (config.fused_blocks > 0 && config.engine == Engine::kGemv) {
    refuse("--fused-blocks", config.fused_blocks,
           "applies to the fused engine, not to --engine gemv");
  }
  // Byte counts of X must not overflow: cap rows x features at 2^60 elements.
  if (config.rows > (int64_t{1} << 60) / config.features) {
    refuse("--rows", config.rows, "rows x features must be at most 2^60");
  }
  if (!std::isfinite(config.epsilon) || config.epsilon < 0.0) {
    refuse("--epsilon", config.epsilon, "must be a non-negative finite number");
  }
  if (config.epsilon > FLT_MAX) refuse("--epsilon", config.epsilon, "beyond float's range");
  // Huber's derivative is clipped to [-epsilon, epsilon]: at 0 it is 0 everywhere, and the run
  // would return its starting weights.
  if (config.loss == Loss::kHuber && !(static_cast<float>(config.epsilon) >= FLT_MIN)) {
    refuse("--epsilon", config.epsilon,
           "must be above 0 for the Huber loss, and not below float's smallest normal, 1.2e-38");
  }
  if (!std::isfinite(config.alpha) || config.alpha < 0.0) {
    refuse("--alpha", config.alpha, "must be a non-negative finite number");
  }
  // The steps take the penalty's strength in float: past its range it is infinite, and the
  // first step's weights NaN (the exact solver's would all be 0).
  if (config.alpha > FLT_MAX) refuse("--alpha", config.alpha, "beyond float's range");
  if (!(config.l1_ratio >= 0.0 && config.l1_ratio <= 1.0)) {
    refuse("--l1-ratio", config.l1_ratio, "must be in [0, 1]");
  }
  if (!(config.momentum >= 0.0 && config.momentum < 1.0)) {
    refuse("--momentum", config.momentum, "must be in [0, 1)");
  }
  if (config.nesterov && config.momentum == 0.0) {
    throw UsageError("--nesterov needs a --momentum above 0");
  }
  if (!std::isfinite(config.power_t) || config.power_t < 0.0) {
    refuse("--power-t", config.power_t, "must be a non-negative finite number");
  }
  // Against the run's steps once they are known (`epochs` resolved, see resolve_for_rows).
  const bool steps_known = config.epochs == 0;
  if (config.warmup > 0 && config.schedule != Schedule::kCosine) {
    refuse("--warmup", config.warmup, "applies to --schedule cosine");
  }
  if (config.warmup < 0 || (steps_known && config.warmup >= config.steps)) {
    refuse("--warmup", config.warmup, "must be 0 or more and less than the run's steps");
  }
  if (config.average_from && *config.average_from != TrainConfig::kAverageFromOneEpoch &&
      (*config.average_from < 0 || (steps_known && *config.average_from >= config.steps))) {
    refuse("--average", *config.average_from,
           ("must be a step of the run, 0 to " + std::to_string(config.steps - 1)).c_str());
  }
  if (config.eval_every < 0) refuse("--eval-every", config.eval_every, "must be 0 or more");
  if (config.tol && !(std::isfinite(*config.tol) && *config.tol >= 0.0)) {
    refuse("--tol", *config.tol, "must be a non-negative finite number");
  }
  if (config.target_objective &&
      !(*config.target_objective >= 0.0 && std::isfinite(*config.target_objective))) {
    refuse("--target-objective", *config.target_objective,
           "must be a finite number >= 0: the objective is never negative");
  }
  if (config.n_iter_no_change < 1) {
    refuse("--n-iter-no-change", config.n_iter_no_change, "must be a positive integer");
  }
  if (!std::isfinite(config.max_seconds) || config.max_seconds < 0.0) {
    refuse("--max-seconds", config.max_seconds, "must be 0 (no limit) or a positive number");
  }
  if (config.solver == Solver::kExact) {
    if (config.loss != Loss::kSquared) {
      throw UsageError(std::string("--solver exact solves the squared loss only, not --loss ") +
                       to_string(config.loss) + "; use --solver sgd");
    }
    if (config.l1_strength() > 0.0) {
      throw UsageError(std::string("--solver exact solves no or an L2 penalty, not --penalty ") +
                       to_string(config.penalty) + "; use --solver sgd");
    }
  }
}

}  // namespace linsgd
