// Helpers shared by the test suites: seeded random inputs, element-wise comparison that reports
// the worst element and the first mismatches, the message of an expected exception, and the skip
// for machines without a GPU.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <functional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "core/step_args.hpp"
#include "linsgd/trainer.hpp"

namespace linsgd::testing {

inline std::vector<float> random_normals(size_t count, uint32_t seed, float stddev = 1.0f) {
  std::mt19937 engine(seed);
  std::normal_distribution<float> normal(0.0f, stddev);
  std::vector<float> values(count);
  for (float& v : values) v = normal(engine);
  return values;
}

// `count` row indices in [0, rows), seeded.
inline std::vector<uint32_t> random_rows(size_t count, int64_t rows, uint32_t seed) {
  std::mt19937 engine(seed);
  std::uniform_int_distribution<int64_t> row(0, rows - 1);
  std::vector<uint32_t> values(count);
  for (uint32_t& v : values) v = static_cast<uint32_t>(row(engine));
  return values;
}

inline std::vector<uint32_t> random_bits(size_t count, uint32_t seed) {
  std::mt19937 engine(seed);
  std::vector<uint32_t> values(count);
  for (uint32_t& v : values) v = engine();
  return values;
}

// A problem shape for parameterized kernel tests, named n<rows>_d<features>_B<batch>.
struct Shape {
  int64_t rows, features, batch;
};

inline std::string shape_name(const ::testing::TestParamInfo<Shape>& info) {
  return "n" + std::to_string(info.param.rows) + "_d" + std::to_string(info.param.features) + "_B" +
         std::to_string(info.param.batch);
}

// The StepArgs a gemv engine's gather reads and writes (kernel tests): a chunk's sampled row
// indices, X and y of `rows` x `features`, the bias; the gathered batch and b - y go to X_batch
// and residual.
inline StepArgs gather_step(int64_t rows, int64_t features, int64_t batch,
                            const uint32_t* sampled_rows, const float* X, const float* y,
                            float* bias, float* X_batch, float* residual) {
  StepArgs args;
  args.rows = rows;
  args.features = features;
  args.batch = batch;
  args.sampled_rows = sampled_rows;
  args.X = X;
  args.y = y;
  args.bias = bias;
  args.X_batch = X_batch;
  args.residual = residual;
  return args;
}

// The StepArgs a gemv engine's update reads and writes (kernel tests), the post's rule (a
// constant rate *learning_rate); the losses are a ring of `loss_capacity` floats.
inline StepArgs update_step(int64_t features, int64_t batch, const double* learning_rate,
                            float* gradient, float* residual, float* weights, float* bias,
                            float* loss_history, int64_t loss_capacity, int64_t* step_counter) {
  StepArgs args;
  args.features = features;
  args.batch = batch;
  args.learning_rate = learning_rate;
  args.gradient = gradient;
  args.residual = residual;
  args.weights = weights;
  args.bias = bias;
  args.loss_history = loss_history;
  args.loss_capacity = loss_capacity;
  args.step_counter = step_counter;
  return args;
}

// The message of the E that `action` throws; a test failure when it throws none.
template <class E>
std::string message_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const E& error) {
    return error.what();
  }
  ADD_FAILURE() << "no exception thrown";
  return "";
}

// Passes when |actual - expected| <= atol + rtol * |expected| for every element; otherwise says
// how many fail, the worst one, and the first few.
template <class A, class E>
::testing::AssertionResult all_close(const std::vector<A>& actual, const std::vector<E>& expected,
                                     double atol, double rtol) {
  if (actual.size() != expected.size()) {
    return ::testing::AssertionFailure()
           << "sizes differ: " << actual.size() << " vs " << expected.size();
  }
  size_t failures = 0;
  size_t worst = 0;
  double worst_excess = -1.0;
  std::ostringstream first;
  for (size_t i = 0; i < actual.size(); ++i) {
    const double a = static_cast<double>(actual[i]);
    const double e = static_cast<double>(expected[i]);
    const double allowed = atol + rtol * std::abs(e);
    const double excess = std::isfinite(a) ? std::abs(a - e) / allowed : INFINITY;
    if (excess > worst_excess) {
      worst_excess = excess;
      worst = i;
    }
    if (!(std::abs(a - e) <= allowed)) {
      if (failures < 5) first << "  [" << i << "] " << a << " vs " << e << "\n";
      ++failures;
    }
  }
  if (failures == 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << failures << " of " << actual.size() << " elements differ (atol " << atol << ", rtol "
         << rtol << "); worst [" << worst << "] " << static_cast<double>(actual[worst]) << " vs "
         << static_cast<double>(expected[worst]) << "; first:\n"
         << first.str();
}

}  // namespace linsgd::testing

#define LINSGD_SKIP_WITHOUT_GPU()                                          \
  do {                                                                     \
    if (!::linsgd::cuda_device_available()) GTEST_SKIP() << "no CUDA GPU"; \
  } while (0)
