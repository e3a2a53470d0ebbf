// Regression metrics, as scikit-learn defines them: MSE, RMSE, MAE and R^2 (the coefficient of
// determination; 1 for a perfect fit of constant targets and 0 otherwise, never NaN), each
// weighted by the rows' sample weights when there are some (sklearn.metrics' sample_weight).
#pragma once

#include <cstdint>
#include <vector>

namespace linsgd {

struct RegressionMetrics {
  int64_t rows = 0;
  double mse = 0.0;
  double rmse = 0.0;
  double mae = 0.0;
  double r2 = 0.0;
};

// `weights`: one per row, or empty (every row weighs 1). Throws Error for sizes that disagree,
// no rows or weights that sum to 0, and InputError naming the first row whose prediction, target
// or weight is NaN or infinite or whose weight is negative.
RegressionMetrics regression_metrics(const std::vector<double>& predictions,
                                     const std::vector<float>& targets,
                                     const std::vector<float>& weights = {});

}  // namespace linsgd
