// reference_sgd: the mini-batch SGD of every option in double precision, step by step, with its
// draws made by cuRAND's host generator as rng_plan.hpp orders them.
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
  curandGenerator_t generator() const { return generator_; }

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

namespace {

double reference_loss(Loss loss, double r, double epsilon) {
  const double a = std::abs(r);
  switch (loss) {
    case Loss::kSquared:
      return 0.5 * r * r;
    case Loss::kHuber:
      return a <= epsilon ? 0.5 * r * r : epsilon * a - 0.5 * epsilon * epsilon;
    case Loss::kEpsilonInsensitive:
      return std::max(0.0, a - epsilon);
    case Loss::kSquaredEpsilonInsensitive:
      return a > epsilon ? (a - epsilon) * (a - epsilon) : 0.0;
  }
  return 0.0;
}

double reference_derivative(Loss loss, double r, double epsilon) {
  const double a = std::abs(r);
  const double sign = r > 0 ? 1.0 : r < 0 ? -1.0 : 0.0;
  switch (loss) {
    case Loss::kSquared:
      return r;
    case Loss::kHuber:
      return a <= epsilon ? r : epsilon * sign;
    case Loss::kEpsilonInsensitive:
      return a > epsilon ? sign : 0.0;
    case Loss::kSquaredEpsilonInsensitive:
      return a > epsilon ? 2.0 * (a - epsilon) * sign : 0.0;
  }
  return 0.0;
}

double reference_rate(const TrainConfig& config, int64_t t) {
  switch (config.schedule) {
    case Schedule::kConstant:
    case Schedule::kAdaptive:
      return config.learning_rate;
    case Schedule::kInvScaling:
      return config.learning_rate / std::pow(static_cast<double>(t + 1), config.power_t);
    case Schedule::kCosine:
      if (t < config.warmup) {
        return config.learning_rate * static_cast<double>(t + 1) /
               static_cast<double>(config.warmup);
      }
      return config.learning_rate * 0.5 *
             (1.0 + std::cos(M_PI * static_cast<double>(t - config.warmup) /
                             static_cast<double>(config.steps - config.warmup)));
  }
  return config.learning_rate;
}

double soft(double w, double threshold) {
  return w > threshold ? w - threshold : w < -threshold ? w + threshold : 0.0;
}

// The rows of each step: drawn with replacement, or walked from an epoch's permutation (keys
// from the generator, rows ordered by key, ties by row), or in order (sequential).
class ReferenceSampler {
 public:
  ReferenceSampler(ReferenceDraws& draws, curandGenerator_t generator, int64_t rows,
                   const TrainConfig& config)
      : draws_(draws),
        generator_(generator),
        rows_(rows),
        config_(config),
        chunk_(rng_plan::steps_per_chunk(config.batch_size, config.steps)) {}

  std::vector<int64_t> rows_of_step(int64_t t) {
    const int64_t B = config_.batch_size;
    if (config_.sampling == Sampling::kReplacement) {
      if (t % chunk_ == 0) chunk_rows_ = draws_.next_chunk(std::min(chunk_, config_.steps - t));
      const int64_t slot = t % chunk_;
      return std::vector<int64_t>(chunk_rows_.begin() + slot * B,
                                  chunk_rows_.begin() + (slot + 1) * B);
    }
    const int64_t per_epoch = (rows_ + B - 1) / B;
    const int64_t position = t % per_epoch;
    if (position == 0) {
      order_.resize(static_cast<size_t>(rows_));
      for (int64_t i = 0; i < rows_; ++i) order_[i] = i;
      if (config_.sampling == Sampling::kEpoch) {  // sequential keeps the rows in order
        std::vector<uint32_t> keys(static_cast<size_t>(rows_));
        check(curandGenerate(generator_, keys.data(), keys.size()));
        std::stable_sort(order_.begin(), order_.end(),
                         [&](int64_t a, int64_t b) { return keys[a] < keys[b]; });
      }
    }
    const int64_t first = position * B;
    const int64_t last = std::min(first + B, rows_);
    return std::vector<int64_t>(order_.begin() + first, order_.begin() + last);
  }

 private:
  ReferenceDraws& draws_;
  curandGenerator_t generator_;
  int64_t rows_;
  const TrainConfig& config_;
  int64_t chunk_;
  std::vector<int64_t> chunk_rows_;
  std::vector<int64_t> order_;
};

}  // namespace

ReferenceRun reference_sgd(const float* X, const float* y, int64_t rows, int64_t features,
                           const TrainConfig& config, bool with_full_loss,
                           const float* sample_weights) {
  ReferenceDraws draws(rows, features, config);
  ReferenceSampler sampler(draws, draws.generator(), rows, config);
  ReferenceRun run;
  std::vector<double> w(draws.initial_weights().begin(), draws.initial_weights().end());
  double b = 0.0;
  std::vector<double> velocity(static_cast<size_t>(features), 0.0), average(w.size(), 0.0);
  double bias_velocity = 0.0, bias_average = 0.0;
  double weight_mean = 1.0;
  if (sample_weights != nullptr) {
    double total = 0.0;
    for (int64_t i = 0; i < rows; ++i) total += sample_weights[i];
    weight_mean = total / static_cast<double>(rows);
  }
  const double l2 = config.l2_strength(), l1 = config.l1_strength();
  const double M = config.momentum;
  const bool plain_update = M == 0.0 && l2 == 0.0;
  const int64_t average_from = config.average_from ? *config.average_from : -1;
  std::vector<double> gradient(static_cast<size_t>(features));
  for (int64_t t = 0; t < config.steps; ++t) {
    const std::vector<int64_t> batch = sampler.rows_of_step(t);
    const auto B_t = static_cast<double>(batch.size());
    const auto B = static_cast<double>(config.sampling == Sampling::kReplacement
                                           ? config.batch_size
                                           : std::min(config.batch_size, rows));
    std::fill(gradient.begin(), gradient.end(), 0.0);
    double bias_gradient = 0.0, loss = 0.0;
    for (const int64_t row : batch) {
      const double s = sample_weights != nullptr ? sample_weights[row] / weight_mean : 1.0;
      double prediction = b;
      for (int64_t j = 0; j < features; ++j) prediction += X[row * features + j] * w[j];
      const double r = prediction - y[row];
      const double d = s * reference_derivative(config.loss, r, config.epsilon);
      loss += s * reference_loss(config.loss, r, config.epsilon);
      bias_gradient += d;
      for (int64_t j = 0; j < features; ++j) gradient[j] += d * X[row * features + j];
    }
    run.loss_history.push_back(loss / B_t);
    const double lr = reference_rate(config, t);
    const auto step = [&](double& value, double g, double& v, bool penalized) {
      // Every row's gradient weighs 1 / B, the short last batch of an epoch's too, and every
      // row carries its 1 / n of the penalty: a batch of B_t rows, B_t / B of the step's.
      const double share = B_t / B;
      double direction = g / B + (penalized ? share * l2 * value : 0.0);
      if (!plain_update && M > 0.0) {
        v = M * v + direction;
        direction = config.nesterov ? direction + M * v : v;
      }
      value -= lr * direction;
      // Momentum carries a steady gradient as 1 / (1 - M) of it: the threshold alike.
      if (penalized && l1 > 0.0) value = soft(value, lr * share * l1 / (1.0 - M));
    };
    for (int64_t j = 0; j < features; ++j) step(w[j], gradient[j], velocity[j], true);
    if (config.fit_intercept) step(b, bias_gradient, bias_velocity, false);
    if (average_from >= 0 && t >= average_from) {
      const auto count = static_cast<double>(t - average_from + 1);
      for (int64_t j = 0; j < features; ++j) average[j] += (w[j] - average[j]) / count;
      bias_average += (b - bias_average) / count;
    }
  }
  const bool averaged = average_from >= 0 && config.steps > average_from;
  run.weights = averaged ? average : w;
  run.bias = averaged ? bias_average : b;
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
