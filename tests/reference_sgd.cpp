// reference_sgd: the algorithm of DESIGN.md section 1 in double precision, step by step.
#include "reference_sgd.hpp"

#include <curand.h>

#include <algorithm>
#include <stdexcept>

#include "linsgd/rng_plan.hpp"

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

LineFit least_squares_line(const std::vector<float>& x, const std::vector<float>& y) {
  const double n = static_cast<double>(x.size());
  double sx = 0.0, sy = 0.0, sxx = 0.0, sxy = 0.0;
  for (size_t i = 0; i < x.size(); ++i) {
    sx += x[i];
    sy += y[i];
    sxx += static_cast<double>(x[i]) * x[i];
    sxy += static_cast<double>(x[i]) * y[i];
  }
  LineFit fit;
  fit.slope = (n * sxy - sx * sy) / (n * sxx - sx * sx);
  fit.intercept = (sy - fit.slope * sx) / n;
  return fit;
}

}  // namespace linsgd::testing
