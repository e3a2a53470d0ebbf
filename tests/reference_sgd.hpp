// Independent double-precision references for tests: the post's SGD, and least squares. It takes
// the data as input and draws its initial weights and batch indices straight from cuRAND's host
// generator following the plan in rng_plan.hpp, then does every product and sum in double with
// plain loops (no BLAS, no shared kernel code).
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

// X is rows x features, row-major; y has `rows` targets. full_loss is computed only when
// `with_full_loss` (it reads every row).
ReferenceRun reference_sgd(const float* X, const float* y, int64_t rows, int64_t features,
                           const TrainConfig& config, bool with_full_loss = true);
inline ReferenceRun reference_sgd(const std::vector<float>& X, const std::vector<float>& y,
                                  int64_t rows, int64_t features, const TrainConfig& config) {
  return reference_sgd(X.data(), y.data(), rows, features, config);
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
