// The figures TrainResult derives from a run: steps a second, the errors against the synthetic
// truth, and how far the steps can have taken the intercept.
#include <algorithm>
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

double schedule_factor_sum(const TrainConfig& config, int64_t steps) {
  StepRule rule;  // the schedule's part
  rule.schedule = config.schedule;
  rule.power_t = config.power_t;
  rule.warmup = config.warmup;
  rule.total_steps = config.steps;
  switch (config.schedule) {
    case Schedule::kConstant:
    case Schedule::kAdaptive:  // its divisions left out: an upper bound
      return static_cast<double>(steps);
    case Schedule::kInvScaling: {
      // (t + 1)^-p: the first terms one by one, the rest by the midpoint rule, the integral of
      // x^-p over [k + 1/2, steps + 1/2] (its error, about p (p + 1) / 24 x^-(p+2) a term, is
      // below 1e-9 of the sum past 10^4 terms).
      constexpr int64_t kTermByTerm = 10000;
      const int64_t k = std::min(steps, kTermByTerm);
      double sum = 0.0;
      for (int64_t t = 0; t < k; ++t) sum += schedule_factor(rule, t);
      if (k == steps) return sum;
      const double a = static_cast<double>(k) + 0.5, b = static_cast<double>(steps) + 0.5;
      const double p = config.power_t;
      return sum + (p == 1.0 ? std::log(b / a)
                             : (std::pow(b, 1.0 - p) - std::pow(a, 1.0 - p)) / (1.0 - p));
    }
    case Schedule::kCosine: {
      // The warm-up's (t + 1) / W for t < W, then 0.5 (1 + cos(pi k / S)) for k = t - W over
      // the span S = steps - W: sum_{k < K} cos(k theta) = sin(K theta / 2)
      // cos((K - 1) theta / 2) / sin(theta / 2).
      const auto W = static_cast<double>(config.warmup);
      const auto warm = static_cast<double>(std::min(steps, config.warmup));
      double sum = W > 0.0 ? warm * (warm + 1.0) / (2.0 * W) : 0.0;
      if (steps <= config.warmup) return sum;
      const auto K = static_cast<double>(steps - config.warmup);
      const double theta =
          3.14159265358979323846 / static_cast<double>(config.steps - config.warmup);
      return sum + 0.5 * K +
             0.5 * std::sin(K * theta / 2.0) * std::cos((K - 1.0) * theta / 2.0) /
                 std::sin(theta / 2.0);
    }
  }
  return static_cast<double>(steps);
}

std::optional<double> TrainResult::intercept_reach_short() const {
  const TrainConfig& c = config;
  if (c.solver != Solver::kSgd || !c.fit_intercept ||
      (c.loss != Loss::kSquared && c.loss != Loss::kHuber)) {
    return std::nullopt;
  }
  constexpr double kEnough = 3.0;  // exp(-3): within 5% of the way
  const double reach = learning_rate * schedule_factor_sum(c, steps_done) / (1.0 - c.momentum);
  if (reach >= kEnough) return std::nullopt;
  return reach;
}

}  // namespace linsgd
