// reference_sgd: the post's mini-batch SGD in double precision, step by step, with its draws
// made by cuRAND's host generator as rng_plan.hpp orders them.
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

// The training stream of the plan: the initial weights, then the draws of each chunk of steps.
class ReferenceDraws {
 public:
  ReferenceDraws(int64_t rows, int64_t features, const TrainConfig& config)
      : rows_(rows), batch_(config.batch_size) {
    check(curandCreateGeneratorHost(&generator_, CURAND_RNG_PSEUDO_PHILOX4_32_10));
    check(curandSetPseudoRandomGeneratorSeed(generator_, rng_plan::training_seed(config.seed)));
    initial_weights_.resize(static_cast<size_t>(rng_plan::even_count(features)));
    check(curandGenerateNormal(generator_, initial_weights_.data(), initial_weights_.size(), 0.0f,
                               static_cast<float>(config.sigma)));
    initial_weights_.resize(static_cast<size_t>(features));
  }
  ~ReferenceDraws() { curandDestroyGenerator(generator_); }
  ReferenceDraws(const ReferenceDraws&) = delete;
  ReferenceDraws& operator=(const ReferenceDraws&) = delete;

  const std::vector<float>& initial_weights() const { return initial_weights_; }

  // The rows of the next `steps` steps (one chunk), B a step: floor(u * n / 2^32).
  std::vector<int64_t> next_chunk(int64_t steps) {
    std::vector<uint32_t> draws(static_cast<size_t>(steps * batch_));
    check(curandGenerate(generator_, draws.data(), draws.size()));
    std::vector<int64_t> rows(draws.size());
    for (size_t k = 0; k < draws.size(); ++k) {
      rows[k] = static_cast<int64_t>((uint64_t{draws[k]} * static_cast<uint64_t>(rows_)) >> 32);
    }
    return rows;
  }

 private:
  curandGenerator_t generator_ = nullptr;
  int64_t rows_;
  int64_t batch_;
  std::vector<float> initial_weights_;
};

double full_loss_of(const float* X, const float* y, int64_t rows, int64_t features,
                    const std::vector<double>& w, double b) {
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

std::vector<int64_t> reference_sampled_rows(int64_t rows, int64_t features,
                                            const TrainConfig& config) {
  ReferenceDraws draws(rows, features, config);
  const int64_t chunk = rng_plan::steps_per_chunk(config.batch_size, config.steps);
  std::vector<int64_t> sampled;
  for (int64_t first = 0; first < config.steps; first += chunk) {
    const std::vector<int64_t> part = draws.next_chunk(std::min(chunk, config.steps - first));
    sampled.insert(sampled.end(), part.begin(), part.end());
  }
  return sampled;
}

ReferenceRun reference_sgd(const float* X, const float* y, int64_t rows, int64_t features,
                           const TrainConfig& config, bool with_full_loss) {
  ReferenceDraws draws(rows, features, config);
  ReferenceRun run;
  run.weights.assign(draws.initial_weights().begin(), draws.initial_weights().end());
  const int64_t B = config.batch_size;
  const double scale = config.learning_rate / static_cast<double>(B);
  const int64_t chunk = rng_plan::steps_per_chunk(B, config.steps);
  std::vector<double> residual(B), gradient(features);
  for (int64_t first = 0; first < config.steps; first += chunk) {
    const int64_t count = std::min(chunk, config.steps - first);
    const std::vector<int64_t> sampled = draws.next_chunk(count);
    for (int64_t slot = 0; slot < count; ++slot) {
      double loss = 0.0;
      std::fill(gradient.begin(), gradient.end(), 0.0);
      double bias_gradient = 0.0;
      for (int64_t k = 0; k < B; ++k) {
        const int64_t row = sampled[slot * B + k];
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
  if (with_full_loss) run.full_loss = full_loss_of(X, y, rows, features, run.weights, run.bias);
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
