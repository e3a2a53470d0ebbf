// --lr auto: a step size that needs no tuning, 1 / L_B, with L_B the expected smoothness of a
// B-row mini-batch (Gower et al., "SGD: General Analysis and Improved Rates", 2019):
//
//   L_B = n (B - 1) / (B (n - 1)) L + (n - B) / (B (n - 1)) L_max + alpha (1 - rho),
//
// L the largest eigenvalue of the data term's Hessian, c (1 / sum s) X~^T S X~ with X~ = [X 1]
// (the bias column included) and c the loss's curvature bound, found by power iteration to
// 0.1 % (two GEMVs over the data an iteration, on either policy), and L_max = c max_i s'_i
// (|x_i|^2 + 1), the largest smoothness of one row (s'_i = s_i / mean(s)). Runs before the
// steps: it synchronizes and uploads freely.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "core/gemv_op.hpp"
#include "core/objective.hpp"
#include "core/resident_data.hpp"
#include "linsgd/config.hpp"
#include "linsgd/errors.hpp"

namespace linsgd {

struct AutoStepSize {
  double learning_rate = 0.0;           // 1 / L_B
  double smoothness = 0.0;              // L
  double largest_row_smoothness = 0.0;  // L_max
  int iterations = 0;
};

// The largest eigenvalue of (1 / sum s) X~^T S X~ by power iteration, stopping when an
// iteration changes it by less than `tolerance` (relative), after at most `max_iterations`.
template <class Exec>
double largest_eigenvalue(Exec& exec, const ResidentData<Exec>& data, double tolerance,
                          int max_iterations, int* iterations) {
  const int64_t n = data.rows, d = data.features;
  // A fixed start (SplitMix64 of the index, in [-1, 1)): the same on every backend and run.
  std::vector<double> v(static_cast<size_t>(d + 1));
  for (int64_t j = 0; j <= d; ++j) {
    uint64_t x = static_cast<uint64_t>(j) + 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    v[j] = static_cast<double>((x ^ (x >> 31)) >> 11) / 4503599627370496.0 - 1.0;
  }
  auto v_weights = exec.template allocate<float>(d);
  auto u = exec.template allocate<float>(n);
  auto product = exec.template allocate<float>(d);
  std::vector<float> host_v(static_cast<size_t>(d));
  double eigenvalue = 0.0;
  for (int iteration = 1; iteration <= max_iterations; ++iteration) {
    double norm = 0.0;
    for (double value : v) norm += value * value;
    norm = std::sqrt(norm);
    for (double& value : v) value /= norm;
    for (int64_t j = 0; j < d; ++j) host_v[j] = static_cast<float>(v[j]);
    exec.upload(v_weights, host_v);
    // u = S (X v_w + v_b); then H v = [X^T u; sum(u)] / sum(s).
    exec.gemv(GemvOp::kTrans, d, n, data.X, v_weights.data(), 0.0f, u.data());
    exec.shift_and_weight(u.data(), n, static_cast<float>(v[d]), data.sample_weights);
    exec.gemv(GemvOp::kNoTrans, d, n, data.X, u.data(), 0.0f, product.data());
    const std::vector<float> Hv = exec.download(product, d);
    const double bias_part = exec.sum(u.data(), n);
    double next_norm = 0.0;
    for (int64_t j = 0; j < d; ++j) {
      v[j] = Hv[j] / data.weight_sum;
      next_norm += v[j] * v[j];
    }
    v[d] = bias_part / data.weight_sum;
    next_norm = std::sqrt(next_norm + v[d] * v[d]);
    const double previous = eigenvalue;
    eigenvalue = next_norm;  // |H v| with |v| = 1: rises to the largest eigenvalue
    *iterations = iteration;
    if (iteration > 1 && std::abs(eigenvalue - previous) <= tolerance * eigenvalue) break;
  }
  return eigenvalue;
}

template <class Exec>
AutoStepSize auto_step_size(Exec& exec, const ResidentData<Exec>& data, const TrainConfig& config) {
  AutoStepSize step;
  const double curvature = loss_curvature(config.loss);
  step.smoothness = curvature * largest_eigenvalue(exec, data, 1e-3, 300, &step.iterations);
  const double mean_weight = data.weight_sum / static_cast<double>(data.rows);
  step.largest_row_smoothness =
      curvature *
      exec.max_weighted_row_norm(data.X, data.rows, data.features, data.sample_weights) /
      mean_weight;
  const auto n = static_cast<double>(data.rows);
  const auto B = static_cast<double>(std::min(config.batch_size, data.rows));
  const double batch_smoothness = n > 1.0
                                      ? n * (B - 1.0) / (B * (n - 1.0)) * step.smoothness +
                                            (n - B) / (B * (n - 1.0)) * step.largest_row_smoothness
                                      : step.largest_row_smoothness;
  const double smoothness = batch_smoothness + config.l2_strength();
  if (!(smoothness > 0.0) || !std::isfinite(smoothness)) {
    throw InputError(
        "--lr auto: the data has no curvature to size a step by (all-zero "
        "features and weights?); give --lr");
  }
  step.learning_rate = 1.0 / smoothness;
  return step;
}

}  // namespace linsgd
