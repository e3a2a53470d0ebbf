// CPU twins of the CUDA kernels: plain loops over the shared per-element functions.
#include "cpu/host_kernels.hpp"

#include <algorithm>

#include "core/sgd_math.hpp"

namespace linsgd::host_kernels {

void gather_batch(const StepArgs& a, int64_t slot) {
  const uint32_t* draws = a.draws + slot * a.batch;
  for (int64_t k = 0; k < a.batch; ++k) {
    const int64_t row = row_from_draw(draws[k], a.rows);
    const float* source = a.X + row * a.features;
    std::copy(source, source + a.features, a.X_batch + k * a.features);
    a.residual[k] = residual_offset(*a.bias, a.y[row]);
  }
}

void sgd_update(const StepArgs& a) {
  for (int64_t j = 0; j < a.features; ++j) {
    a.weights[j] = updated_weight(a.weights[j], a.gradient[j], a.scale);
  }
  double sum = 0.0;
  double square_sum = 0.0;
  for (int64_t k = 0; k < a.batch; ++k) {
    const double r = a.residual[k];
    sum += r;
    square_sum += r * r;
  }
  *a.bias = updated_bias(*a.bias, sum, a.scale);
  a.loss_history[*a.step_counter % a.loss_capacity] = half_mean_square(square_sum, a.batch);
  *a.step_counter += 1;
}

void synthetic_offset(int64_t rows, const float* true_bias, const float* noise, float* y) {
  for (int64_t i = 0; i < rows; ++i) y[i] = synthetic_target_offset(*true_bias, noise[i]);
}

double residual_square_sum(int64_t rows, const float* predictions, const float* bias,
                           const float* y) {
  double sum = 0.0;
  for (int64_t i = 0; i < rows; ++i) {
    const double r = static_cast<double>(predictions[i]) + residual_offset(*bias, y[i]);
    sum += r * r;
  }
  return sum;
}

}  // namespace linsgd::host_kernels
