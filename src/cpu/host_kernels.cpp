// CPU twins of the CUDA kernels: plain loops over the shared per-element functions.
#include "cpu/host_kernels.hpp"

#include <algorithm>
#include <cmath>

#include "core/sgd_math.hpp"

namespace linsgd::host_kernels {

void rows_from_draws(uint32_t* draws, int64_t count, int64_t rows, int64_t first_row) {
  for (int64_t i = 0; i < count; ++i)
    draws[i] = static_cast<uint32_t>(first_row + row_from_draw(draws[i], rows));
}

void gather_batch(const StepArgs& a, int64_t slot) {
  const uint32_t* rows = a.sampled_rows + slot * a.batch;
  for (int64_t k = 0; k < a.batch; ++k) {
    const int64_t row = a.held_row(rows[k]);  // in X's rows
    if (row < 0) {                            // another process's row: a zero row
      if (!a.rule.whole_data) std::fill_n(a.X_batch + k * a.features, a.features, 0.0f);
      a.residual[k] = 0.0f;
      continue;
    }
    if (!a.rule.whole_data) {  // whole-data batches are read from X in place
      const float* source = a.X + row * a.features;
      std::copy(source, source + a.features, a.X_batch + k * a.features);
    }
    a.residual[k] = residual_offset(*a.bias, a.y[row]);
  }
}

void derive(const StepArgs& a, int64_t slot) {
  const uint32_t* rows = a.sampled_rows + slot * a.batch;
  const int64_t batch_rows = batch_rows_at(a.rule, *a.step_counter, a.rows, a.batch);
  for (int64_t k = 0; k < a.batch; ++k) {
    const int64_t row = a.held_row(rows[k]);
    const bool held = row >= 0;
    const float weight = a.sample_weights != nullptr && held ? a.sample_weights[row] : 1.0f;
    data_term(a.rule, a.residual[k], weight, k < batch_rows && held, a.derivative + k,
              a.loss_terms + k);
  }
}

void sgd_update(const StepArgs& a) {
  const int64_t t = *a.step_counter;
  const StepScalars s = step_scalars(a, t);
  if (a.rule.plain_update && a.rule.l1 == 0.0f && a.rule.average_from < 0) {
    // The post's update alone, what updated_parameter computes for it, in a loop without
    // branches that the compiler vectorizes (same arithmetic: the same bits).
    float* __restrict__ w = a.weights;
    const float* __restrict__ g = a.gradient;
    for (int64_t j = 0; j < a.features; ++j) w[j] = updated_weight(w[j], g[j], s.scale);
  } else {
    for (int64_t j = 0; j < a.features; ++j) {
      a.weights[j] =
          updated_parameter(a.rule, a.weights[j], a.gradient[j], velocity_of(a, j), s, true);
      fold_into_average(a, t, j, a.weights[j]);
    }
  }
  // The batch's sums, in double: of r and r^2 (the post's loss), or of s'L'(r) and s'L(r).
  const float* first = a.rule.plain_data ? a.residual : a.derivative;
  double sum = 0.0;
  double second = 0.0;
  for (int64_t k = 0; k < a.batch; ++k) {
    const double value = first[k];
    sum += value;
    second += a.rule.plain_data ? value * value : static_cast<double>(a.loss_terms[k]);
  }
  *a.bias = stepped_bias(a.rule, *a.bias, sum, velocity_of(a, a.features), s);
  fold_into_average(a, t, a.features, *a.bias);
  a.loss_history[t % a.loss_capacity] = recorded_batch_loss(a, s, second);
  *a.step_counter += 1;
}

void synthetic_offset(int64_t rows, const float* true_bias, const float* noise, float* y) {
  for (int64_t i = 0; i < rows; ++i) y[i] = synthetic_target_offset(*true_bias, noise[i]);
}

double residual_square_sum(int64_t rows, const double* predictions, const float* bias,
                           const float* y) {
  double sum = 0.0;
  for (int64_t i = 0; i < rows; ++i) {
    const double r = evaluation_residual(predictions[i], *bias, y[i]);
    sum += r * r;
  }
  return sum;
}

double weighted_loss_sum(int64_t rows, const double* predictions, const float* bias, const float* y,
                         const float* weights, Loss loss, double epsilon) {
  double sum = 0.0;
  for (int64_t i = 0; i < rows; ++i) {
    sum += weighted_loss(loss, epsilon, predictions[i], *bias, y[i],
                         weights != nullptr ? weights[i] : 1.0f);
  }
  return sum;
}

std::pair<double, double> norm_sums(const float* w, int64_t count) {
  double squares = 0.0;
  double absolutes = 0.0;
  for (int64_t j = 0; j < count; ++j) {
    const double value = w[j];
    squares += value * value;
    absolutes += value < 0.0 ? -value : value;
  }
  return {squares, absolutes};
}

void shift_and_weight(float* u, int64_t count, float shift, const float* weights,
                      double weight_scale) {
  for (int64_t i = 0; i < count; ++i) {
    u[i] = shifted_and_weighted(u[i], shift, weights, i, weight_scale);
  }
}

double sum(const float* u, int64_t count) {
  double total = 0.0;
  for (int64_t i = 0; i < count; ++i) total += u[i];
  return total;
}

double max_weighted_row_norm(const float* X, int64_t rows, int64_t features, const float* weights,
                             bool intercept) {
  double largest = 0.0;
  for (int64_t i = 0; i < rows; ++i) {
    const float* x = X + i * features;
    double norm = intercept ? 1.0 : 0.0;
    for (int64_t j = 0; j < features; ++j) norm += static_cast<double>(x[j]) * x[j];
    largest = std::max(largest, norm * (weights != nullptr ? weights[i] : 1.0f));
  }
  return largest;
}

void normal_equations_block(const float* X, const float* y, const float* weights, int64_t rows,
                            int64_t features, double* block) {
  const int64_t dimension = features + 1;
  for (int64_t i = 0; i < rows; ++i) {
    const double root = std::sqrt(weights != nullptr ? static_cast<double>(weights[i]) : 1.0);
    double* column = block + i * dimension;
    for (int64_t j = 0; j < features; ++j) column[j] = root * X[i * features + j];
    column[features] = root;
    block[rows * dimension + i] = root * y[i];
  }
}

void scale_and_ridge(double* G, double* rhs, int64_t dimension, double scale, double ridge) {
  for (int64_t column = 0; column < dimension; ++column) {
    for (int64_t row = 0; row <= column; ++row) G[row + column * dimension] *= scale;
    rhs[column] *= scale;
    if (column < dimension - 1) {
      G[column + column * dimension] = feature_diagonal(G[column + column * dimension], ridge);
    }
  }
}

}  // namespace linsgd::host_kernels
