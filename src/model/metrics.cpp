// regression_metrics: sums in double over every row.
#include "linsgd/metrics.hpp"

#include <cmath>

#include "linsgd/errors.hpp"

namespace linsgd {

RegressionMetrics regression_metrics(const std::vector<double>& predictions,
                                     const std::vector<float>& targets) {
  if (predictions.size() != targets.size() || targets.empty()) {
    throw Error("regression_metrics: predictions and targets must be non-empty and equal in size");
  }
  const auto n = static_cast<double>(targets.size());
  double target_sum = 0.0;
  for (float t : targets) target_sum += t;
  const double target_mean = target_sum / n;
  double square_error = 0.0, absolute_error = 0.0, total = 0.0;
  for (size_t i = 0; i < targets.size(); ++i) {
    const double error = predictions[i] - targets[i];
    square_error += error * error;
    absolute_error += std::abs(error);
    total += (targets[i] - target_mean) * (targets[i] - target_mean);
  }
  RegressionMetrics metrics;
  metrics.rows = static_cast<int64_t>(targets.size());
  metrics.mse = square_error / n;
  metrics.rmse = std::sqrt(metrics.mse);
  metrics.mae = absolute_error / n;
  if (total > 0.0) {
    metrics.r2 = 1.0 - square_error / total;
  } else {
    metrics.r2 = square_error == 0.0 ? 1.0 : 0.0;  // scikit-learn's force_finite convention
  }
  return metrics;
}

}  // namespace linsgd
