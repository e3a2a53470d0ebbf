// --lr auto: a step size that needs no tuning, 1 / L_B, with L_B the expected smoothness of a
// B-row mini-batch (Gower et al., "SGD: General Analysis and Improved Rates", 2019):
//
//   L_B = n (B - 1) / (B (n - 1)) L + (n - B) / (B (n - 1)) L_max + alpha (1 - rho)
//
// for B distinct rows (epoch and sequential sampling: B-nice sampling, B <= n), and for B rows
// drawn independently with replacement (their Proposition 3.8 with replacement, any B)
//
//   L_B = (B - 1) / B L + 1 / B L_max + alpha (1 - rho),
//
// L the largest eigenvalue of the data term's Hessian, c (1 / sum s) X~^T S X~ with X~ = [X 1]
// (the bias column included) and c the loss's curvature bound, found by the Lanczos method to
// 0.1 % (two GEMVs over the data an iteration, on either policy), and L_max = c max_i s'_i
// (|x_i|^2 + 1), the largest smoothness of one row (s'_i = s_i / mean(s)). Without an intercept
// the bias's column is left out of both: the Hessian is the features' alone, c (1 / sum s)
// X^T S X, whose L Lanczos finds in the subspace of b = 0, and L_max = c max_i s'_i |x_i|^2.
// Runs before the steps: it synchronizes and uploads freely. In a data-parallel run (a DataShard)
// each process passes over its rows and the products and maxima are summed across the processes, so
// every process finds the same rate.
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
#include "linsgd/trainer.hpp"

namespace linsgd {

struct AutoStepSize {
  double learning_rate = 0.0;           // 1 / L_B
  double smoothness = 0.0;              // L
  double largest_row_smoothness = 0.0;  // L_max
  int iterations = 0;
};

// The largest eigenvalue of the symmetric tridiagonal matrix with diagonal `a` and off-diagonal
// `b` (b[i] joins rows i and i + 1), by bisection on Sturm counts: to double precision.
inline double largest_tridiagonal_eigenvalue(const std::vector<double>& a,
                                             const std::vector<double>& b) {
  const size_t k = a.size();
  double low = a[0], high = a[0];  // Gershgorin's interval holds every eigenvalue
  for (size_t i = 0; i < k; ++i) {
    const double radius = (i > 0 ? std::abs(b[i - 1]) : 0.0) + (i + 1 < k ? std::abs(b[i]) : 0.0);
    low = std::min(low, a[i] - radius);
    high = std::max(high, a[i] + radius);
  }
  // The eigenvalues below x: the negative pivots of the LDL^T factorization of T - x I.
  const auto count_below = [&](double x) {
    int count = 0;
    double pivot = 1.0;
    for (size_t i = 0; i < k; ++i) {
      const double coupling = i > 0 ? b[i - 1] * b[i - 1] : 0.0;
      pivot = a[i] - x - (i > 0 ? coupling / pivot : 0.0);
      if (pivot == 0.0) pivot = -1e-300;  // a zero pivot counts as just below
      if (pivot < 0.0) ++count;
    }
    return count;
  };
  for (int step = 0; step < 200 && high - low > 1e-15 * std::max(std::abs(low), std::abs(high));
       ++step) {
    const double middle = 0.5 * (low + high);
    if (count_below(middle) == static_cast<int>(k)) {
      high = middle;  // every eigenvalue is below: the largest is too
    } else {
      low = middle;
    }
  }
  return high;
}

// The largest eigenvalue of H = (1 / sum s) X~^T S X~ = (1 / n) X~^T S' X~ (S' the weights
// normalized to mean 1, as the steps take them) by the Lanczos method (with full
// reorthogonalization, in double on the host), stopping when an iteration moves the estimate by
// less than `tolerance` (relative), after at most `max_iterations` products H v (each two GEMVs
// over the data, on either policy). Lanczos needs fewer products than power iteration (measured
// on the fit benchmark's data: 16 against 32 on the post's problem, 13 against 16 on the
// ill-conditioned 1,000,000 x 256 one), and its estimate (the largest Ritz value) rises to the
// eigenvalue from below, as power iteration's does. Without an `intercept`, of the features'
// block of H: the start and every product have no bias coordinate, so the iteration stays in
// the subspace of b = 0.
template <class Exec>
double largest_eigenvalue(Exec& exec, const ResidentData<Exec>& data, double tolerance,
                          int max_iterations, int* iterations, const DataShard* shard = nullptr,
                          bool intercept = true) {
  const int64_t n = data.held_rows(), d = data.features;  // this process's rows
  const size_t m = static_cast<size_t>(d + 1);
  auto v_weights = exec.template allocate<float>(d);
  auto u = exec.template allocate<float>(n);
  auto product = exec.template allocate<float>(d);
  std::vector<float> host_v(static_cast<size_t>(d));
  // H v (v of unit norm): u = S' (X v_w + v_b); then H v = [X^T u; sum(u)] / n.
  const auto n_all = static_cast<double>(data.rows);  // every process's rows
  const double weight_scale = n_all / data.weight_sum;
  const auto apply = [&](const std::vector<double>& v) {
    for (int64_t j = 0; j < d; ++j) host_v[j] = static_cast<float>(v[j]);
    exec.upload(v_weights, host_v);
    exec.gemv(GemvOp::kTrans, d, n, data.X, v_weights.data(), 0.0f, u.data());
    exec.shift_and_weight(u.data(), n, static_cast<float>(v[d]), data.sample_weights, weight_scale);
    exec.gemv(GemvOp::kNoTrans, d, n, data.X, u.data(), 0.0f, product.data());
    const std::vector<float> Hv = exec.download(product, d);
    std::vector<double> result(m);
    for (int64_t j = 0; j < d; ++j) result[j] = Hv[j] / n_all;
    result[d] = intercept ? exec.sum(u.data(), n) / n_all : 0.0;
    if (shard != nullptr) shard->sum_doubles(result.data(), static_cast<int64_t>(m));
    return result;
  };
  const auto dot = [m](const std::vector<double>& x, const std::vector<double>& y) {
    double sum = 0.0;
    for (size_t j = 0; j < m; ++j) sum += x[j] * y[j];
    return sum;
  };

  // A fixed start (SplitMix64 of the index, in [-1, 1)): the same on every backend and run.
  std::vector<double> q(m);
  for (size_t j = 0; j < m; ++j) {
    uint64_t x = static_cast<uint64_t>(j) + 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    q[j] = static_cast<double>((x ^ (x >> 31)) >> 11) / 4503599627370496.0 - 1.0;
  }
  if (!intercept) q[static_cast<size_t>(d)] = 0.0;
  const double start_norm = std::sqrt(dot(q, q));
  for (double& value : q) value /= start_norm;

  std::vector<std::vector<double>> basis;  // q_1, q_2, ...: orthonormal
  std::vector<double> alpha, beta;         // T's diagonal and off-diagonal
  double eigenvalue = 0.0;
  const int most = static_cast<int>(std::min<int64_t>(max_iterations, static_cast<int64_t>(m)));
  for (int iteration = 1; iteration <= most; ++iteration) {
    basis.push_back(q);
    std::vector<double> w = apply(q);
    alpha.push_back(dot(q, w));
    // w minus its parts along the basis, twice (classical Gram-Schmidt loses orthogonality once).
    for (int pass = 0; pass < 2; ++pass) {
      for (const std::vector<double>& previous : basis) {
        const double along = dot(previous, w);
        for (size_t j = 0; j < m; ++j) w[j] -= along * previous[j];
      }
    }
    const double previous_estimate = eigenvalue;
    eigenvalue = largest_tridiagonal_eigenvalue(alpha, beta);
    *iterations = iteration;
    const double norm = std::sqrt(dot(w, w));
    if (iteration > 1 && std::abs(eigenvalue - previous_estimate) <= tolerance * eigenvalue) {
      break;
    }
    // What is left is float rounding of the products: an invariant subspace, the value exact.
    if (!(norm > 1e-6 * eigenvalue)) break;
    beta.push_back(norm);
    for (size_t j = 0; j < m; ++j) q[j] = w[j] / norm;
  }
  return eigenvalue;
}

// The largest of each process's `value` (its own where `shard` is null): each puts its value in
// its slot of a vector of zeros, and the sum is every one's (adding zeros is exact).
inline double largest_across(double value, const DataShard* shard) {
  if (shard == nullptr) return value;
  std::vector<double> values(static_cast<size_t>(shard->processes), 0.0);
  values[static_cast<size_t>(shard->index)] = value;
  shard->sum_doubles(values.data(), shard->processes);
  return *std::max_element(values.begin(), values.end());
}

template <class Exec>
AutoStepSize auto_step_size(Exec& exec, const ResidentData<Exec>& data, const TrainConfig& config,
                            const DataShard* shard = nullptr) {
  AutoStepSize step;
  const double curvature = loss_curvature(config.loss);
  step.smoothness = curvature * largest_eigenvalue(exec, data, 1e-3, 300, &step.iterations, shard,
                                                   config.fit_intercept);
  const double mean_weight = data.weight_sum / static_cast<double>(data.rows);
  step.largest_row_smoothness =
      curvature *
      largest_across(exec.max_weighted_row_norm(data.X, data.held_rows(), data.features,
                                                data.sample_weights, config.fit_intercept),
                     shard) /
      mean_weight;
  const auto n = static_cast<double>(data.rows);
  double batch_smoothness = 0.0;
  if (config.sampling == Sampling::kReplacement) {  // B independent draws
    const auto B = static_cast<double>(config.batch_size);
    batch_smoothness = (B - 1.0) / B * step.smoothness + step.largest_row_smoothness / B;
  } else {  // B distinct rows
    const auto B = static_cast<double>(std::min(config.batch_size, data.rows));
    batch_smoothness = n > 1.0 ? n * (B - 1.0) / (B * (n - 1.0)) * step.smoothness +
                                     (n - B) / (B * (n - 1.0)) * step.largest_row_smoothness
                               : step.largest_row_smoothness;
  }
  const double smoothness = batch_smoothness + config.l2_strength();
  if (!std::isfinite(smoothness)) {  // a row norm or X^T X past float's range (features of 1e20)
    throw InputError(
        "--lr auto: the data's curvature overflows float (features too large: --standardize "
        "them); or give --lr");
  }
  if (!(smoothness > 0.0)) {
    throw InputError(
        "--lr auto: the data has no curvature to size a step by (all-zero "
        "features and weights?); give --lr");
  }
  step.learning_rate = 1.0 / smoothness;
  return step;
}

}  // namespace linsgd
