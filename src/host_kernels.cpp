// CPU twins of the CUDA kernels: plain loops over the shared per-element functions.
#include "host_kernels.hpp"

#include <algorithm>

#include "linsgd/sgd_math.hpp"

namespace linsgd::host_kernels {

void gather_batch(int64_t batch, int64_t features, int64_t rows, const uint32_t* draws,
                  const float* X, const float* y, const float* bias, float* X_batch,
                  float* residual) {
  for (int64_t k = 0; k < batch; ++k) {
    const int64_t row = row_from_draw(draws[k], rows);
    const float* source = X + row * features;
    std::copy(source, source + features, X_batch + k * features);
    residual[k] = residual_offset(*bias, y[row]);
  }
}

void sgd_update(int64_t features, int64_t batch, float scale, const float* gradient,
                const float* residual, float* w, float* bias, float* loss_history,
                int64_t* step_counter) {
  for (int64_t j = 0; j < features; ++j) w[j] = updated_weight(w[j], gradient[j], scale);
  double sum = 0.0;
  double square_sum = 0.0;
  for (int64_t k = 0; k < batch; ++k) {
    const double r = residual[k];
    sum += r;
    square_sum += r * r;
  }
  *bias = updated_bias(*bias, sum, scale);
  loss_history[*step_counter] = half_mean_square(square_sum, batch);
  *step_counter += 1;
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
