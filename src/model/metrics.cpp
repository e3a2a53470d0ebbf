// regression_metrics: sums in double over every row, after refusing a value no metric can use.
#include "linsgd/metrics.hpp"

#include <cmath>
#include <string>

#include "core/number_text.hpp"
#include "linsgd/errors.hpp"

namespace linsgd {
namespace {

// Throws InputError naming the first row whose prediction, target or weight is NaN or infinite, or
// whose weight is negative: such a row would make every metric NaN, or an R^2 of 0 that looks
// like a real one (scikit-learn refuses them too).
void require_usable_rows(const std::vector<double>& predictions, const std::vector<float>& targets,
                         const std::vector<float>& weights) {
  const auto refuse = [](size_t row, const char* what, double value, const char* rule) {
    throw InputError("regression_metrics: row " + std::to_string(row) + " (counted from 0): the " +
                     what + " is " + number_text(value) + " (" + rule + ")");
  };
  for (size_t i = 0; i < targets.size(); ++i) {
    if (!std::isfinite(predictions[i])) refuse(i, "prediction", predictions[i], "must be finite");
    if (!std::isfinite(targets[i])) refuse(i, "target", targets[i], "must be finite");
    if (!weights.empty() && !(std::isfinite(weights[i]) && weights[i] >= 0.0f)) {
      refuse(i, "sample weight", weights[i], "must be finite and 0 or more");
    }
  }
}

}  // namespace

RegressionMetrics regression_metrics(const std::vector<double>& predictions,
                                     const std::vector<float>& targets,
                                     const std::vector<float>& weights) {
  if (predictions.size() != targets.size() || targets.empty() ||
      (!weights.empty() && weights.size() != targets.size())) {
    throw Error(
        "regression_metrics: predictions, targets (and weights) must be non-empty and equal in "
        "size");
  }
  require_usable_rows(predictions, targets, weights);
  const auto weight = [&](size_t i) { return weights.empty() ? 1.0 : double{weights[i]}; };
  double n = 0.0, target_sum = 0.0;  // n: the weights' sum
  for (size_t i = 0; i < targets.size(); ++i) {
    n += weight(i);
    target_sum += weight(i) * targets[i];
  }
  if (!(n > 0.0)) throw Error("regression_metrics: the sample weights sum to 0");
  const double target_mean = target_sum / n;
  double square_error = 0.0, absolute_error = 0.0, total = 0.0;
  for (size_t i = 0; i < targets.size(); ++i) {
    const double error = predictions[i] - targets[i];
    square_error += weight(i) * error * error;
    absolute_error += weight(i) * std::abs(error);
    total += weight(i) * (targets[i] - target_mean) * (targets[i] - target_mean);
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
