// The CPU twins of the kernels against straightforward double-precision recomputations, on
// random data of awkward sizes (the GPU suite then compares the kernels with these twins).
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "cpu/host_kernels.hpp"
#include "test_support.hpp"

namespace linsgd {
namespace {

using testing::Shape;
using testing::shape_name;

class HostKernels : public ::testing::TestWithParam<Shape> {};

TEST_P(HostKernels, DrawsBecomeRowsByMultiplyShift) {
  const auto [rows, features, batch] = GetParam();
  (void)features;
  const auto draws = testing::random_bits(batch, 5);
  for (const int64_t first_row : {int64_t{0}, int64_t{1000}}) {  // a process's share starts there
    std::vector<uint32_t> mapped = draws;
    host_kernels::rows_from_draws(mapped.data(), batch, rows, first_row);
    for (int64_t k = 0; k < batch; ++k) {
      EXPECT_EQ(mapped[k],
                first_row + static_cast<uint32_t>(std::floor(static_cast<long double>(draws[k]) *
                                                             rows / 4294967296.0L)));
    }
  }
}

TEST_P(HostKernels, GatherCopiesTheSampledRowsAndBiasMinusTarget) {
  const auto [rows, features, batch] = GetParam();
  const auto X = testing::random_normals(rows * features, 3);
  const auto y = testing::random_normals(rows, 4);
  const auto sampled = testing::random_rows(batch, rows, 5);
  float bias = 0.375f;
  std::vector<float> X_batch(batch * features, NAN);
  std::vector<float> residual(batch, NAN);
  // Slot 1 of a two-step chunk: its rows are the second half of the chunk's.
  std::vector<uint32_t> chunk_rows = testing::random_rows(batch, rows, 6);
  chunk_rows.insert(chunk_rows.end(), sampled.begin(), sampled.end());
  host_kernels::gather_batch(
      testing::gather_step(rows, features, batch, chunk_rows.data(), X.data(), y.data(), &bias,
                           X_batch.data(), residual.data()),
      1);
  for (int64_t k = 0; k < batch; ++k) {
    const int64_t row = sampled[k];
    for (int64_t j = 0; j < features; ++j) {
      ASSERT_EQ(X_batch[k * features + j], X[row * features + j]) << "k " << k << " j " << j;
    }
    EXPECT_EQ(residual[k], bias - y[row]);
  }
}

TEST_P(HostKernels, UpdateMatchesDoubleReference) {
  const auto [rows, features, batch] = GetParam();
  (void)rows;
  auto gradient = testing::random_normals(features, 6, 10.0f);
  auto residual = testing::random_normals(batch, 7);
  auto w = testing::random_normals(features, 8);
  const auto w_before = w;
  float bias = -0.5f;
  std::vector<float> history(3, NAN);  // a ring of 3: step 4 goes to [1]
  int64_t counter = 4;
  const double learning_rate = 0.01;
  const auto scale = static_cast<float>(learning_rate / batch);
  host_kernels::sgd_update(testing::update_step(features, batch, &learning_rate, gradient.data(),
                                                residual.data(), w.data(), &bias, history.data(), 3,
                                                &counter));

  std::vector<double> expected_w(features);
  for (int64_t j = 0; j < features; ++j) {
    expected_w[j] = w_before[j] - static_cast<double>(scale) * gradient[j];
  }
  EXPECT_TRUE(testing::all_close(w, expected_w, 1e-7, 1e-6));
  double sum = 0.0, square_sum = 0.0;
  for (float r : residual) {
    sum += r;
    square_sum += static_cast<double>(r) * r;
  }
  EXPECT_NEAR(bias, -0.5 - static_cast<double>(scale) * sum, 1e-7);
  EXPECT_EQ(counter, 5);
  EXPECT_NEAR(history[1], 0.5 * square_sum / batch, 1e-6 * (0.5 * square_sum / batch));
  EXPECT_TRUE(std::isnan(history[0]) && std::isnan(history[2])) << "wrote outside its slot";
}

INSTANTIATE_TEST_SUITE_P(AwkwardSizes, HostKernels,
                         ::testing::Values(Shape{4000, 2000, 64}, Shape{37, 33, 1}, Shape{5, 1, 17},
                                           Shape{100, 257, 300}),
                         shape_name);

TEST(HostKernelsFullLoss, ResidualSquareSumMatchesDouble) {
  const auto normals = testing::random_normals(1001, 9);
  const std::vector<double> predictions(normals.begin(), normals.end());
  const auto y = testing::random_normals(1001, 10);
  const float bias = 0.125f;
  double expected = 0.0;
  for (size_t i = 0; i < y.size(); ++i) {
    const double r = predictions[i] + static_cast<double>(bias) - static_cast<double>(y[i]);
    expected += r * r;
  }
  EXPECT_NEAR(host_kernels::residual_square_sum(1001, predictions.data(), &bias, y.data()),
              expected, 1e-12 * expected);
}

TEST(HostKernelsSynthetic, OffsetIsBiasPlusScaledNoise) {
  const auto noise = testing::random_normals(99, 11);
  std::vector<float> y(99);
  const float true_bias = 0.8f;
  host_kernels::synthetic_offset(99, &true_bias, noise.data(), y.data());
  for (size_t i = 0; i < y.size(); ++i) EXPECT_NEAR(y[i], 0.8 + 0.01 * noise[i], 1e-7);
}

}  // namespace
}  // namespace linsgd
