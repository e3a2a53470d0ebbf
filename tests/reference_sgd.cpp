// reference_sgd: the algorithm of DESIGN.md section 1 in double precision, step by step.
#include "reference_sgd.hpp"

#include <curand.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "core/rng_plan.hpp"

namespace linsgd::testing {
namespace {

void check(curandStatus_t status) {
  if (status != CURAND_STATUS_SUCCESS) throw std::runtime_error("cuRAND host call failed");
}

double full_loss_of(const std::vector<float>& X, const std::vector<float>& y, int64_t rows,
                    int64_t features, const std::vector<double>& w, double b) {
  double sum = 0.0;
  for (int64_t i = 0; i < rows; ++i) {
    double prediction = b;
    for (int64_t j = 0; j < features; ++j) prediction += X[i * features + j] * w[j];
    const double r = prediction - y[i];
    sum += r * r;
  }
  return 0.5 * sum / static_cast<double>(rows);
}

}  // namespace

ReferenceRun reference_sgd(const std::vector<float>& X, const std::vector<float>& y, int64_t rows,
                           int64_t features, const TrainConfig& config) {
  curandGenerator_t generator;
  check(curandCreateGeneratorHost(&generator, CURAND_RNG_PSEUDO_PHILOX4_32_10));
  check(curandSetPseudoRandomGeneratorSeed(generator, rng_plan::training_seed(config.seed)));

  std::vector<float> initial(static_cast<size_t>(rng_plan::even_count(features)));
  check(curandGenerateNormal(generator, initial.data(), initial.size(), 0.0f,
                             static_cast<float>(config.sigma)));
  ReferenceRun run;
  run.weights.assign(initial.begin(), initial.begin() + features);
  const int64_t B = config.batch_size;
  const double scale = config.learning_rate / static_cast<double>(B);
  const int64_t chunk = rng_plan::steps_per_chunk(B, config.steps);
  std::vector<uint32_t> draws;
  std::vector<double> residual(B), gradient(features);
  for (int64_t first = 0; first < config.steps; first += chunk) {
    const int64_t count = std::min(chunk, config.steps - first);
    draws.resize(static_cast<size_t>(count * B));
    check(curandGenerate(generator, draws.data(), draws.size()));
    for (int64_t slot = 0; slot < count; ++slot) {
      double loss = 0.0;
      std::fill(gradient.begin(), gradient.end(), 0.0);
      double bias_gradient = 0.0;
      for (int64_t k = 0; k < B; ++k) {
        const uint64_t u = draws[slot * B + k];
        const int64_t row = static_cast<int64_t>((u * static_cast<uint64_t>(rows)) >> 32);
        double prediction = run.bias;
        for (int64_t j = 0; j < features; ++j) {
          prediction += X[row * features + j] * run.weights[j];
        }
        residual[k] = prediction - y[row];
        loss += residual[k] * residual[k];
        bias_gradient += residual[k];
        for (int64_t j = 0; j < features; ++j) gradient[j] += residual[k] * X[row * features + j];
      }
      run.loss_history.push_back(0.5 * loss / static_cast<double>(B));
      for (int64_t j = 0; j < features; ++j) run.weights[j] -= scale * gradient[j];
      run.bias -= scale * bias_gradient;
    }
  }
  curandDestroyGenerator(generator);
  run.full_loss = full_loss_of(X, y, rows, features, run.weights, run.bias);
  return run;
}

LinearFit least_squares(const std::vector<float>& X, const std::vector<float>& y, int64_t rows,
                        int64_t features) {
  const int64_t m = features + 1;  // the last unknown is the intercept
  std::vector<double> A(m * m, 0.0), rhs(m, 0.0), row(m);
  for (int64_t i = 0; i < rows; ++i) {
    for (int64_t j = 0; j < features; ++j) row[j] = X[i * features + j];
    row[features] = 1.0;
    for (int64_t a = 0; a < m; ++a) {
      rhs[a] += row[a] * y[i];
      for (int64_t b = 0; b < m; ++b) A[a * m + b] += row[a] * row[b];
    }
  }
  for (int64_t col = 0; col < m; ++col) {
    int64_t pivot = col;
    for (int64_t r = col + 1; r < m; ++r) {
      if (std::abs(A[r * m + col]) > std::abs(A[pivot * m + col])) pivot = r;
    }
    for (int64_t b = 0; b < m; ++b) std::swap(A[col * m + b], A[pivot * m + b]);
    std::swap(rhs[col], rhs[pivot]);
    for (int64_t r = 0; r < m; ++r) {
      if (r == col) continue;
      const double factor = A[r * m + col] / A[col * m + col];
      for (int64_t b = col; b < m; ++b) A[r * m + b] -= factor * A[col * m + b];
      rhs[r] -= factor * rhs[col];
    }
  }
  LinearFit fit;
  for (int64_t j = 0; j < features; ++j) fit.weights.push_back(rhs[j] / A[j * m + j]);
  fit.intercept = rhs[features] / A[features * m + features];
  return fit;
}

}  // namespace linsgd::testing
