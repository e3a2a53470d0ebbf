// Independent double-precision references for tests: the mini-batch SGD of every option (losses,
// penalties, sample weights, momentum, schedules, averaging, epoch sampling), and least squares.
// It takes the data as input and draws its initial weights and batch rows straight from cuRAND's
// host generator following the plan in rng_plan.hpp, then does every product and sum in double
// with plain loops (no BLAS, no shared kernel or per-element code).
#pragma once

#include <cstdint>
#include <vector>

#include "linsgd/config.hpp"

namespace linsgd::testing {

struct ReferenceRun {
  std::vector<double> loss_history;
  std::vector<double> weights;
  double bias = 0.0;
  double full_loss = 0.0;
};

// X is rows x features, row-major; y has `rows` targets; `sample_weights` one weight a row, or
// null. `config` must be resolved (steps, not epochs; see resolve_for_rows); its adaptive
// schedule and stopping rules are not modelled. full_loss (of the model: the average once
// averaging has begun) is computed only when `with_full_loss` (it reads every row).
ReferenceRun reference_sgd(const float* X, const float* y, int64_t rows, int64_t features,
                           const TrainConfig& config, bool with_full_loss = true,
                           const float* sample_weights = nullptr);
inline ReferenceRun reference_sgd(const std::vector<float>& X, const std::vector<float>& y,
                                  int64_t rows, int64_t features, const TrainConfig& config,
                                  const std::vector<float>& sample_weights = {}) {
  return reference_sgd(X.data(), y.data(), rows, features, config, true,
                       sample_weights.empty() ? nullptr : sample_weights.data());
}

// The rows the run of `config` on `rows` x `features` data samples, step by step (B a step), as
// the plan draws them.
std::vector<int64_t> reference_sampled_rows(int64_t rows, int64_t features,
                                            const TrainConfig& config);

// Least squares with an intercept, in closed form: the normal equations [X 1]^T [X 1] beta =
// [X 1]^T y, solved in double precision by Gaussian elimination with partial pivoting.
struct LinearFit {
  std::vector<double> weights;
  double intercept = 0.0;
};
LinearFit least_squares(const std::vector<float>& X, const std::vector<float>& y, int64_t rows,
                        int64_t features);

}  // namespace linsgd::testing
