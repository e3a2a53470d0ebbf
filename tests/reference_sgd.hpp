// An independent double-precision implementation of the post's SGD, for tests. It takes the
// data as input and draws its initial weights and batch indices straight from cuRAND's host
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

ReferenceRun reference_sgd(const std::vector<float>& X, const std::vector<float>& y, int64_t rows,
                           int64_t features, const TrainConfig& config);

// Least squares with an intercept for one feature, in closed form (double precision).
struct LineFit {
  double slope = 0.0;
  double intercept = 0.0;
};
LineFit least_squares_line(const std::vector<float>& x, const std::vector<float>& y);

}  // namespace linsgd::testing
