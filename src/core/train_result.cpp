// The figures TrainResult derives from a run: steps a second, the errors against the synthetic
// truth, and how far the steps can have taken the intercept.
#include <cmath>

#include "core/objective.hpp"
#include "core/rng_plan.hpp"
#include "linsgd/errors.hpp"
#include "linsgd/trainer.hpp"

namespace linsgd {

double TrainResult::steps_per_second() const {
  return train_seconds > 0.0 ? static_cast<double>(steps_done) / train_seconds : 0.0;
}

double TrainResult::epochs_run() const {
  if (rows <= 0) return 0.0;
  const auto B = static_cast<double>(config.batch_size), n = static_cast<double>(rows);
  if (config.sampling == Sampling::kReplacement) return static_cast<double>(steps_done) * B / n;
  // Walking an order: ceil(n / B) steps an epoch, its last taking the n mod B rows left (every
  // step all n when B >= n); the epoch in progress counts the rows its steps took.
  const int64_t per_epoch = rng_plan::steps_per_epoch(rows, config.batch_size);
  return static_cast<double>(steps_done / per_epoch) +
         static_cast<double>(steps_done % per_epoch) * B / n;
}

double TrainResult::weight_relative_error() const {
  if (!truth) throw Error("weight error needs the true weights of synthetic data");
  double difference = 0.0;
  double reference = 0.0;
  for (size_t j = 0; j < weights.size(); ++j) {
    const double delta = static_cast<double>(weights[j]) - truth->weights[j];
    difference += delta * delta;
    reference += static_cast<double>(truth->weights[j]) * truth->weights[j];
  }
  return std::sqrt(difference) / std::sqrt(reference);
}

double TrainResult::bias_absolute_error() const {
  if (!truth) throw Error("bias error needs the true bias of synthetic data");
  return std::abs(static_cast<double>(bias) - truth->bias);
}

std::optional<double> TrainResult::intercept_reach_short() const {
  const TrainConfig& c = config;
  if (c.solver != Solver::kSgd || !c.fit_intercept ||
      (c.loss != Loss::kSquared && c.loss != Loss::kHuber)) {
    return std::nullopt;
  }
  constexpr double kEnough = 3.0;  // exp(-3): within 5% of the way
  // The rates' sum, step by step through the schedule (as the steps took it), until it is
  // enough: the adaptive schedule's factor is 1, its divisions left out (an upper bound).
  StepRule rule;
  rule.schedule = c.schedule;
  rule.power_t = c.power_t;
  rule.warmup = c.warmup;
  rule.total_steps = c.steps;
  const double per_factor = learning_rate / (1.0 - c.momentum);
  double reach = 0.0;
  for (int64_t t = 0; t < steps_done; ++t) {
    reach += per_factor * schedule_factor(rule, t);
    if (reach >= kEnough) return std::nullopt;
  }
  return reach;
}

}  // namespace linsgd
