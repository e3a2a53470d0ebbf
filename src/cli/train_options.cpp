// TrainOptions: the option definitions (defaults from TrainConfig, i.e. the post's problem), and
// their translation into a TrainConfig with the refusals of options that do not apply.
#include "cli/train_options.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "cli/number_options.hpp"
#include "linsgd/errors.hpp"

namespace linsgd::cli {
namespace {

// The options that only the steps use: refused with --solver exact.
constexpr const char* kStepOptions[] = {"--lr",          "--steps",
                                        "--epochs",      "--batch-size",
                                        "--sampling",    "--schedule",
                                        "--power-t",     "--warmup",
                                        "--momentum",    "--nesterov",
                                        "--average",     "--tol",
                                        "--eval-every",  "--n-iter-no-change",
                                        "--max-seconds", "--target-objective",
                                        "--engine",      "--fused-blocks",
                                        "--sigma"};

}  // namespace

void TrainOptions::add_to(CLI::App& c) {
  command_ = &c;
  c.add_option("--rows", config_.rows, "synthetic data: rows n")
      ->transform(integral_value<int64_t>())
      ->capture_default_str();
  c.add_option("--features", config_.features, "synthetic data: features d")
      ->transform(integral_value<int64_t>())
      ->capture_default_str();
  c.add_option("--batch-size", config_.batch_size, "rows per step")
      ->transform(integral_value<int64_t>())
      ->capture_default_str();
  c.add_option("--lr", learning_rate_,
               "learning rate, or auto: 1 / the mini-batch's expected smoothness")
      ->capture_default_str();
  c.add_option("--steps", config_.steps, "SGD steps (the post's epochs)")
      ->transform(integral_value<int64_t>())
      ->capture_default_str();
  c.add_option("--epochs", config_.epochs, "passes over the data, instead of --steps")
      ->transform(integral_value<int64_t>());
  c.add_option("--sigma", config_.sigma, "standard deviation of the initial weights")
      ->check(decimal_value())
      ->capture_default_str();
  c.add_option("--seed", config_.seed, "seed of the data, the batch draws and the split")
      ->transform(integral_value<uint64_t>())  // CLI11 alone would wrap -1 and clamp 2^64
      ->capture_default_str();

  c.add_option("--loss", loss_,
               "squared, huber, epsilon-insensitive or squared-epsilon-insensitive")
      ->capture_default_str();
  c.add_option("--epsilon", config_.epsilon, "the huber and epsilon-insensitive losses' epsilon")
      ->check(decimal_value())
      ->capture_default_str();
  c.add_option("--penalty", penalty_, "none, l2, l1 or elasticnet")->capture_default_str();
  c.add_option("--alpha", config_.alpha, "the penalty's strength")
      ->check(decimal_value())
      ->capture_default_str();
  c.add_option("--l1-ratio", config_.l1_ratio, "the elastic net's L1 share rho")
      ->check(decimal_value())
      ->capture_default_str();
  c.add_flag("--no-intercept", no_intercept_,
             "fit no bias: b stays 0, and --standardize scales the features without centering "
             "them (scikit-learn's fit_intercept=False)");

  c.add_option("--sampling", sampling_,
               "replacement (B rows drawn each step), epoch (a permutation each epoch) or "
               "sequential (the rows in order each epoch)")
      ->capture_default_str();
  c.add_option("--schedule", schedule_, "constant, invscaling, cosine or adaptive")
      ->capture_default_str();
  c.add_option("--power-t", config_.power_t, "invscaling: lr / (t + 1)^power_t")
      ->check(decimal_value())
      ->capture_default_str();
  c.add_option("--warmup", config_.warmup, "cosine: linear warm-up steps")
      ->transform(integral_value<int64_t>())
      ->capture_default_str();
  c.add_option("--momentum", config_.momentum, "momentum M (PyTorch's convention)")
      ->check(decimal_value())
      ->capture_default_str();
  c.add_flag("--nesterov", config_.nesterov, "Nesterov's momentum");
  c.add_option("--average", average_,
               "average the iterates from step START on (default: one epoch); the averages are "
               "the model")
      ->expected(0, 1);

  c.add_option("--eval-every", config_.eval_every,
               "evaluate the objective every N steps (default: each epoch with --epochs, else "
               "every 4096, or ten times a shorter run that stops or adapts on them)")
      ->transform(integral_value(1, std::numeric_limits<int64_t>::max()));
  c.add_option("--tol", tol_, "stop when the objective has not improved by TOL ...")
      ->check(decimal_value());
  c.add_option("--n-iter-no-change", config_.n_iter_no_change, "... for this many evaluations")
      ->transform(integral_value<int64_t>())
      ->capture_default_str();
  c.add_option("--max-seconds", config_.max_seconds, "stop after this many seconds")
      ->check(decimal_value());
  c.add_option("--target-objective", target_objective_,
               "stop at the first evaluation where the training objective is at most this")
      ->check(decimal_value());
  c.add_option("--curve-out", curve_out_,
               "write step,seconds,objective[,validation_objective] at each evaluation (CSV)");
  c.add_option("--solver", solver_, "sgd, or exact (the normal equations)")->capture_default_str();

  c.add_option("--device", device_, "auto, cuda or cpu")->capture_default_str();
  c.add_option("--engine", engine_,
               "gemv (gather + two GEMVs), fused (no gathered copy; one persistent kernel per "
               "chunk on the GPU) or auto")
      ->capture_default_str();
  c.add_option("--threads", config_.threads,
               "CPU backend threads (0: one for small steps, all cores for large)")
      ->transform(integral_value<int>())
      ->capture_default_str();
  c.add_option("--device-memory-limit", config_.device_memory_limit,
               "GPU: use at most this many bytes of its memory; data beyond it stay in host "
               "memory and the steps read their rows from there")
      ->transform(integral_value(1, std::numeric_limits<uint64_t>::max()));
  c.add_option("--fused-blocks", config_.fused_blocks,
               "GPU fused engine: about this many thread blocks, each owning a slice of the "
               "features or rows of the batch, as the plan splits it (0: the plan's count)")
      ->transform(integral_value<int>())
      ->capture_default_str();
}

void TrainOptions::refuse_unless(bool applies, const char* option, const std::string& why) const {
  if (!applies && given(option)) throw UsageError(std::string(option) + " " + why);
}

TrainConfig TrainOptions::config() const {
  TrainConfig config = config_;
  config.device = parse_device_kind(device_);
  config.engine = parse_engine(engine_);
  config.loss = parse_loss(loss_);
  config.penalty = parse_penalty(penalty_);
  config.sampling = parse_sampling(sampling_);
  config.schedule = parse_schedule(schedule_);
  config.solver = parse_solver(solver_);
  if (learning_rate_ == "auto") {
    config.learning_rate_auto = true;
  } else {
    errno = 0;
    config.learning_rate = std::strtod(learning_rate_.c_str(), nullptr);
    if (!is_decimal_number(learning_rate_)) {
      throw UsageError("invalid value for --lr: " + learning_rate_ +
                       " (must be a positive finite number, or auto)");
    }
    if (errno == ERANGE) {  // beyond double's range, or below its normal numbers: named as typed
      throw UsageError("invalid value for --lr: " + learning_rate_ + " (" + kLearningRateRange +
                       ")");
    }
  }
  if (given("--average")) {
    if (average_.empty()) {
      config.average_from = TrainConfig::kAverageFromOneEpoch;
    } else {
      std::string digits = average_;
      const std::string problem = integral_value<int64_t>()(digits);
      if (!problem.empty()) throw UsageError("--average: " + problem);
      config.average_from = std::stoll(digits);
      if (*config.average_from < 0) {  // (-1 would read as the bare option's one epoch)
        throw UsageError("invalid value for --average: " + average_ +
                         " (must be a step of the run, 0 or more)");
      }
    }
  }
  config.fit_intercept = !no_intercept_;
  if (given("--tol")) config.tol = tol_;
  if (given("--target-objective")) config.target_objective = target_objective_;

  if (given("--epochs") && given("--steps")) {
    throw UsageError("use --steps or --epochs, not both");
  }
  if (given("--epochs") && config.epochs <= 0) {  // (0 would read as --epochs not given)
    throw UsageError("invalid value for --epochs: " + std::to_string(config.epochs) +
                     " (must be a positive integer)");
  }
  refuse_unless(config.loss == Loss::kHuber || config.loss == Loss::kEpsilonInsensitive ||
                    config.loss == Loss::kSquaredEpsilonInsensitive,
                "--epsilon", "applies to the huber and epsilon-insensitive losses");
  refuse_unless(config.penalty != Penalty::kNone, "--alpha", "applies with a --penalty");
  refuse_unless(config.penalty == Penalty::kElasticNet, "--l1-ratio",
                "applies to --penalty elasticnet");
  refuse_unless(config.schedule == Schedule::kInvScaling, "--power-t",
                "applies to --schedule invscaling");
  refuse_unless(config.schedule == Schedule::kCosine, "--warmup", "applies to --schedule cosine");
  refuse_unless(config.tol.has_value() || config.schedule == Schedule::kAdaptive,
                "--n-iter-no-change", "applies with --tol or --schedule adaptive");
  refuse_unless(config.evaluates() || !curve_out_.empty(), "--eval-every",
                "applies with --tol, --target-objective, --schedule adaptive or --curve-out");
  if (config.solver == Solver::kExact) {
    for (const char* option : kStepOptions) {
      refuse_unless(false, option, "applies to the steps of --solver sgd, not to --solver exact");
    }
  }
  return config;
}

}  // namespace linsgd::cli
