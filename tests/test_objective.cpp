// The objective's options on the CPU, each against an expectation computed here in double:
// every option combination step by step against the double-precision reference (both engines);
// full-batch epoch sampling as gradient descent on the objective; ridge at its closed form; lasso
// and elastic net at a coordinate-descent minimizer, exact zeros included; huber at its
// minimizer on data with outliers; integer sample weights as duplicated rows; the exact solver.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "linsgd/errors.hpp"
#include "linsgd/trainer.hpp"
#include "option_sets.hpp"
#include "reference_sgd.hpp"
#include "test_support.hpp"

namespace linsgd {
namespace {

using testing::integer_weights;
using testing::kOptionSets;
using testing::Options;
using testing::regression_data;

TrainConfig cpu_config(Engine engine = Engine::kAuto) {
  TrainConfig config;
  config.device = DeviceKind::kCpu;
  config.engine = engine;
  config.threads = 1;
  return config;
}

// The objective F of (w, b) on `data`, in double (as the README writes it).
double objective(const Dataset& data, const TrainConfig& config, const std::vector<double>& w,
                 double b) {
  double sum = 0.0, weight_sum = 0.0;
  for (int64_t i = 0; i < data.rows; ++i) {
    double r = b - data.y[i];
    for (int64_t j = 0; j < data.features; ++j) r += data.X[i * data.features + j] * w[j];
    const double s = data.has_sample_weights() ? data.sample_weights[i] : 1.0;
    const double a = std::abs(r), e = config.epsilon;
    double loss = 0.5 * r * r;
    if (config.loss == Loss::kHuber) loss = a <= e ? 0.5 * r * r : e * a - 0.5 * e * e;
    if (config.loss == Loss::kEpsilonInsensitive) loss = std::max(0.0, a - e);
    if (config.loss == Loss::kSquaredEpsilonInsensitive) loss = a > e ? (a - e) * (a - e) : 0.0;
    sum += s * loss;
    weight_sum += s;
  }
  double squares = 0.0, absolutes = 0.0;
  for (double value : w) {
    squares += value * value;
    absolutes += std::abs(value);
  }
  return sum / weight_sum + 0.5 * config.l2_strength() * squares + config.l1_strength() * absolutes;
}

std::vector<double> as_double(const std::vector<float>& values) {
  return std::vector<double>(values.begin(), values.end());
}

class OptionsFollowTheReference : public ::testing::TestWithParam<std::tuple<Options, Engine>> {};

TEST_P(OptionsFollowTheReference, StepByStep) {
  const auto& [options, engine] = GetParam();
  // 203 rows and batches of 16: an epoch of 13 steps, the last of 11 rows.
  Dataset data = regression_data(203, 12, 7);
  if (options.weighted) data.sample_weights = integer_weights(data.rows, 8);
  TrainConfig config = cpu_config(engine);
  config.batch_size = 16;
  config.steps = 300;  // chunks of 256 and 44
  config.learning_rate = 0.02;
  config.seed = 3;
  options.apply(config);
  const TrainResult run = train_on_data(config, data);
  const testing::ReferenceRun reference = testing::reference_sgd(
      data.X, data.y, data.rows, data.features, run.config, data.sample_weights);
  ASSERT_EQ(run.loss_history.size(), 300u);
  // Float rounding over 300 contracting steps: well within 1e-4 relative; an algorithmic slip
  // (a sign, a factor, a wrong row) moves far more.
  EXPECT_TRUE(testing::all_close(run.loss_history, reference.loss_history, 1e-6, 1e-4));
  EXPECT_TRUE(testing::all_close(run.weights, reference.weights, 1e-5, 1e-4));
  EXPECT_NEAR(run.bias, reference.bias, 1e-5 + 1e-4 * std::abs(reference.bias));
  EXPECT_NEAR(run.full_loss, reference.full_loss, 1e-4 * reference.full_loss);
}

INSTANTIATE_TEST_SUITE_P(Combinations, OptionsFollowTheReference,
                         ::testing::Combine(::testing::ValuesIn(kOptionSets),
                                            ::testing::Values(Engine::kGemv, Engine::kFused)),
                         testing::options_name);

// K steps of full-batch gradient descent on F from w = 0, b = 0, in double: the proximal step for
// L1, PyTorch's momentum recurrence.
struct Descent {
  std::vector<double> w;
  double b = 0.0;
};
Descent gradient_descent(const Dataset& data, const TrainConfig& config, int64_t steps) {
  Descent x{std::vector<double>(static_cast<size_t>(data.features), 0.0), 0.0};
  std::vector<double> v(x.w.size(), 0.0);
  double v_b = 0.0, weight_sum = 0.0;
  for (int64_t i = 0; i < data.rows; ++i) {
    weight_sum += data.has_sample_weights() ? data.sample_weights[i] : 1.0;
  }
  const double mean_weight = weight_sum / static_cast<double>(data.rows);
  for (int64_t t = 0; t < steps; ++t) {
    std::vector<double> g(x.w.size(), 0.0);
    double g_b = 0.0;
    for (int64_t i = 0; i < data.rows; ++i) {
      double r = x.b - data.y[i];
      for (int64_t j = 0; j < data.features; ++j) r += data.X[i * data.features + j] * x.w[j];
      const double s = (data.has_sample_weights() ? data.sample_weights[i] : 1.0) / mean_weight;
      const double e = config.epsilon, a = std::abs(r), sign = r > 0 ? 1.0 : r < 0 ? -1.0 : 0.0;
      double d = r;
      if (config.loss == Loss::kHuber) d = a <= e ? r : e * sign;
      if (config.loss == Loss::kEpsilonInsensitive) d = a > e ? sign : 0.0;
      if (config.loss == Loss::kSquaredEpsilonInsensitive) d = a > e ? 2 * (a - e) * sign : 0.0;
      for (int64_t j = 0; j < data.features; ++j) g[j] += s * d * data.X[i * data.features + j];
      g_b += s * d;
    }
    const double lr = config.learning_rate, M = config.momentum;
    for (size_t j = 0; j < x.w.size(); ++j) {
      double direction = g[j] / static_cast<double>(data.rows) + config.l2_strength() * x.w[j];
      if (M > 0) {
        v[j] = M * v[j] + direction;
        direction = config.nesterov ? direction + M * v[j] : v[j];
      }
      x.w[j] -= lr * direction;
      const double threshold = lr * config.l1_strength();
      if (threshold > 0) {
        x.w[j] = x.w[j] > threshold    ? x.w[j] - threshold
                 : x.w[j] < -threshold ? x.w[j] + threshold
                                       : 0.0;
      }
    }
    double direction = g_b / static_cast<double>(data.rows);
    if (M > 0) {
      v_b = M * v_b + direction;
      direction = config.nesterov ? direction + M * v_b : v_b;
    }
    if (config.fit_intercept) x.b -= lr * direction;
  }
  return x;
}

// Both engines: the gemv engine reads X in place for these whole-data batches, the fused one
// walks the rows in order.
TEST(FullBatch, EpochSamplingOfAllRowsIsGradientDescentOnTheObjective) {
  Dataset data = regression_data(64, 6, 11);
  for (const Engine engine : {Engine::kGemv, Engine::kFused}) {
    for (const Options& options : kOptionSets) {
      if (options.name.rfind("invscaling", 0) == 0 || options.name.rfind("cosine", 0) == 0 ||
          options.name.find("average") != std::string::npos ||
          options.name.rfind("epoch", 0) == 0) {
        continue;  // gradient descent at a constant rate, on the final iterate
      }
      Dataset weighted = data;
      if (options.weighted) weighted.sample_weights = integer_weights(data.rows, 12);
      TrainConfig config = cpu_config(engine);
      config.batch_size = data.rows;
      config.sampling = Sampling::kEpoch;
      config.sigma = 0.0;
      config.steps = 60;
      config.learning_rate = 0.05;
      options.apply(config);
      const TrainResult run = train_on_data(config, weighted);
      const Descent expected = gradient_descent(weighted, config, 60);
      const std::string label = options.name + " (" + to_string(engine) + ")";
      EXPECT_TRUE(testing::all_close(run.weights, expected.w, 1e-6, 1e-5)) << label;
      EXPECT_NEAR(run.bias, expected.b, 1e-6 + 1e-5 * std::abs(expected.b)) << label;
    }
  }
}

// The ridge (or least-squares) minimizer in closed form, in double: the normal equations with
// n alpha on the features' diagonal, by Gaussian elimination; without an `intercept`, of w alone
// (b = 0).
Descent ridge_closed_form(const Dataset& data, double alpha, bool intercept = true) {
  const int64_t m = data.features + (intercept ? 1 : 0);
  std::vector<double> A(static_cast<size_t>(m * m), 0.0), rhs(static_cast<size_t>(m), 0.0);
  double weight_sum = 0.0;
  for (int64_t i = 0; i < data.rows; ++i) {
    const double s = data.has_sample_weights() ? data.sample_weights[i] : 1.0;
    weight_sum += s;
    std::vector<double> row(static_cast<size_t>(m), 1.0);
    for (int64_t j = 0; j < data.features; ++j) row[j] = data.X[i * data.features + j];
    for (int64_t a = 0; a < m; ++a) {
      rhs[a] += s * row[a] * data.y[i];
      for (int64_t c = 0; c < m; ++c) A[a * m + c] += s * row[a] * row[c];
    }
  }
  for (int64_t j = 0; j < data.features; ++j) A[j * m + j] += weight_sum * alpha;
  for (int64_t col = 0; col < m; ++col) {
    int64_t pivot = col;
    for (int64_t r = col + 1; r < m; ++r) {
      if (std::abs(A[r * m + col]) > std::abs(A[pivot * m + col])) pivot = r;
    }
    for (int64_t c = 0; c < m; ++c) std::swap(A[col * m + c], A[pivot * m + c]);
    std::swap(rhs[col], rhs[pivot]);
    for (int64_t r = 0; r < m; ++r) {
      if (r == col) continue;
      const double factor = A[r * m + col] / A[col * m + col];
      for (int64_t c = col; c < m; ++c) A[r * m + c] -= factor * A[col * m + c];
      rhs[r] -= factor * rhs[col];
    }
  }
  Descent x;
  for (int64_t j = 0; j < data.features; ++j) x.w.push_back(rhs[j] / A[j * m + j]);
  if (intercept) x.b = rhs[data.features] / A[data.features * m + data.features];
  return x;
}

TEST(Convergence, RidgeReachesItsClosedFormByBothSolvers) {
  const Dataset data = regression_data(500, 10, 21);
  TrainConfig config = cpu_config();
  config.penalty = Penalty::kL2;
  config.alpha = 0.1;
  const Descent expected = ridge_closed_form(data, config.alpha);
  const double F_star = objective(data, config, expected.w, expected.b);

  TrainConfig exact = config;
  exact.solver = Solver::kExact;
  const TrainResult solved = train_on_data(exact, data);
  EXPECT_TRUE(testing::all_close(solved.weights, expected.w, 1e-6, 1e-5));
  EXPECT_NEAR(solved.bias, expected.b, 1e-6);
  // The reported objective comes from float predictions (a float GEMV over the data): each
  // residual carries about 1e-7 of its prediction's size, so F is within about 1e-6 relative.
  EXPECT_NEAR(solved.objective, F_star, 1e-6 * F_star);

  TrainConfig sgd = config;  // full batches, 1 / L: prox-free gradient descent to the optimum
  sgd.batch_size = data.rows;
  sgd.sampling = Sampling::kEpoch;
  sgd.learning_rate_auto = true;
  sgd.epochs = 400;
  const TrainResult fitted = train_on_data(sgd, data);
  EXPECT_NEAR(fitted.objective, F_star, 1e-4 * F_star);
  EXPECT_TRUE(testing::all_close(fitted.weights, expected.w, 1e-3, 1e-3));
}

// Without an intercept: b stays 0 and w is the minimizer among models through the origin, by the
// exact solver and by SGD (whose --lr auto sizes its step by the features' curvature alone), on
// data whose true intercept (the targets' offset of 3) the fit may not absorb. The weighted case
// checks the solver's weights with the intercept's equations removed.
TEST(Convergence, WithoutAnInterceptRidgeReachesItsClosedFormThroughTheOrigin) {
  Dataset data = regression_data(400, 8, 23);
  for (float& target : data.y) target += 3.0f;
  for (float& x : data.X) x += 0.5f;  // features off-centre, so that w differs from a fit with b
  TrainConfig config = cpu_config();
  config.fit_intercept = false;
  config.penalty = Penalty::kL2;
  config.alpha = 0.05;
  const Descent expected = ridge_closed_form(data, config.alpha, false);
  const Descent with_intercept = ridge_closed_form(data, config.alpha);
  ASSERT_GT(std::abs(expected.w[0] - with_intercept.w[0]), 0.1);  // the two problems differ
  const double F_star = objective(data, config, expected.w, 0.0);

  TrainConfig exact = config;
  exact.solver = Solver::kExact;
  const TrainResult solved = train_on_data(exact, data);
  EXPECT_TRUE(testing::all_close(solved.weights, expected.w, 1e-6, 1e-5));
  EXPECT_EQ(solved.bias, 0.0f);
  EXPECT_NEAR(solved.objective, F_star, 1e-6 * F_star);

  Dataset weighted = data;
  weighted.sample_weights = integer_weights(data.rows, 24);
  const TrainResult solved_weighted = train_on_data(exact, weighted);
  EXPECT_TRUE(testing::all_close(solved_weighted.weights,
                                 ridge_closed_form(weighted, config.alpha, false).w, 1e-6, 1e-5));
  EXPECT_EQ(solved_weighted.bias, 0.0f);

  for (const Engine engine : {Engine::kGemv, Engine::kFused}) {
    TrainConfig sgd = config;
    sgd.engine = engine;
    sgd.batch_size = data.rows;
    sgd.sampling = Sampling::kEpoch;
    sgd.learning_rate_auto = true;
    sgd.momentum = 0.5;
    sgd.epochs = 600;
    const TrainResult fitted = train_on_data(sgd, data);
    EXPECT_EQ(fitted.bias, 0.0f) << to_string(engine);
    EXPECT_NEAR(fitted.objective, F_star, 1e-5 * F_star) << to_string(engine);
    EXPECT_TRUE(testing::all_close(fitted.weights, expected.w, 1e-3, 1e-3)) << to_string(engine);
  }
}

// A bias given as the starting value stays as it is without an intercept (scikit-learn's
// intercept_init with fit_intercept=False), through every update.
TEST(Convergence, WithoutAnInterceptAGivenBiasStaysFixed) {
  const Dataset data = regression_data(120, 5, 25);
  TrainConfig config = cpu_config();
  config.fit_intercept = false;
  config.momentum = 0.4;
  config.steps = 150;
  InitialParameters initial;
  initial.weights.assign(5, 0.25f);
  initial.bias = 1.75f;
  const DataView view = view_of(data);
  const TrainResult run = train_on_view(config, view, nullptr, &initial);
  EXPECT_EQ(run.bias, 1.75f);
  EXPECT_NE(run.weights, initial.weights);
  // The exact solver keeps it too: the least squares of y - 1.75 through the origin.
  TrainConfig exact = config;
  exact.solver = Solver::kExact;
  exact.momentum = 0.0;
  const TrainResult solved = train_on_view(exact, view, nullptr, &initial);
  EXPECT_EQ(solved.bias, 1.75f);
  Dataset shifted = data;
  for (float& target : shifted.y) target -= 1.75f;
  EXPECT_TRUE(
      testing::all_close(solved.weights, ridge_closed_form(shifted, 0.0, false).w, 1e-6, 1e-5));
  config.fit_intercept = true;
  EXPECT_NE(train_on_view(config, view, nullptr, &initial).bias, 1.75f);
}

// The lasso / elastic net minimizer by cyclic coordinate descent (scikit-learn's algorithm for
// ElasticNet), in double, run to a change below 1e-12.
Descent coordinate_descent(const Dataset& data, double alpha, double rho) {
  const auto n = static_cast<double>(data.rows);
  const int64_t d = data.features;
  Descent x{std::vector<double>(static_cast<size_t>(d), 0.0), 0.0};
  std::vector<double> residual(static_cast<size_t>(data.rows)), column_norm(d, 0.0);
  for (int64_t i = 0; i < data.rows; ++i) {
    for (int64_t j = 0; j < d; ++j) {
      column_norm[j] += double{data.X[i * d + j]} * data.X[i * d + j] / n;
    }
  }
  for (int sweep = 0; sweep < 100000; ++sweep) {
    double change = 0.0;
    // The intercept: the mean residual.
    double mean = 0.0;
    for (int64_t i = 0; i < data.rows; ++i) {
      double r = data.y[i];
      for (int64_t j = 0; j < d; ++j) r -= data.X[i * d + j] * x.w[j];
      residual[i] = r;
      mean += r / n;
    }
    change = std::max(change, std::abs(mean - x.b));
    x.b = mean;
    for (int64_t j = 0; j < d; ++j) {
      double rho_j = 0.0;
      for (int64_t i = 0; i < data.rows; ++i) {
        const double partial = residual[i] - x.b + data.X[i * d + j] * x.w[j];
        rho_j += data.X[i * d + j] * partial / n;
      }
      const double threshold = alpha * rho;
      const double next = (rho_j > threshold    ? rho_j - threshold
                           : rho_j < -threshold ? rho_j + threshold
                                                : 0.0) /
                          (column_norm[j] + alpha * (1.0 - rho));
      for (int64_t i = 0; i < data.rows; ++i) residual[i] -= data.X[i * d + j] * (next - x.w[j]);
      change = std::max(change, std::abs(next - x.w[j]));
      x.w[j] = next;
    }
    if (change < 1e-12) break;
  }
  return x;
}

// Proximal gradient descent (full batches at 1 / L) reaches the lasso's and the elastic net's
// minimizer, its zeros exactly. So do heavy ball and Nesterov: momentum M moves the weights
// 1 / (1 - M) times as far a step under a steady gradient, and the L1 threshold is lengthened as
// much (a threshold of lr alpha rho alone settles at the lasso of alpha (1 - M): F 1.7 % above F*
// at M = 0.5, 5.5 % at 0.9).
TEST(Convergence, LassoAndElasticNetReachTheCoordinateDescentMinimizerWithItsZeros) {
  // 10 of 16 true weights are 0; alpha keeps about the other 6.
  const Dataset data = regression_data(300, 16, 31, 0.1, 10);
  for (const auto& [penalty, rho] :
       {std::pair{Penalty::kL1, 1.0}, std::pair{Penalty::kElasticNet, 0.5}}) {
    TrainConfig config = cpu_config();
    config.penalty = penalty;
    config.alpha = 0.05;
    if (penalty == Penalty::kElasticNet) config.l1_ratio = rho;
    const Descent expected = coordinate_descent(data, config.alpha, rho);
    const double F_star = objective(data, config, expected.w, expected.b);
    for (const auto& [momentum, nesterov] : {std::pair{0.0, false}, std::pair{0.5, false},
                                             std::pair{0.9, false}, std::pair{0.9, true}}) {
      TrainConfig sgd = config;
      sgd.batch_size = data.rows;
      sgd.sampling = Sampling::kEpoch;
      sgd.learning_rate_auto = true;
      sgd.momentum = momentum;
      sgd.nesterov = nesterov;
      sgd.epochs = 3000;
      const TrainResult fitted = train_on_data(sgd, data);
      const std::string label = std::string(to_string(penalty)) + ", momentum " +
                                std::to_string(momentum) + (nesterov ? ", nesterov" : "");
      // (Momentum's runs converge faster: closer in as many epochs.)
      EXPECT_NEAR(fitted.objective, F_star, (momentum > 0.0 ? 1e-5 : 1e-4) * F_star) << label;
      int zeros = 0;
      for (int64_t j = 0; j < data.features; ++j) {
        if (expected.w[j] == 0.0) {
          ++zeros;
          EXPECT_EQ(fitted.weights[j], 0.0f) << label << ": weight " << j;
        } else {
          EXPECT_NEAR(fitted.weights[j], expected.w[j], 1e-3) << label << ": weight " << j;
        }
      }
      EXPECT_GE(zeros, 8) << "the test's alpha should zero most of the 10 null weights";
    }
  }
}

// Mini-batches that do not divide the rows (130 = 2 x 64 + 2): every row weighs 1 / B in its
// step, so an epoch's steps weigh the data n / B, and the penalty must weigh the same. Applied in
// full at each of the ceil(n / B) steps, it would weigh 3 / (130 / 64) = 1.48 times alpha, and
// the runs would settle at another minimizer (weights off by up to 0.12; here within 7e-5).
// Small constant steps
// with averaging reach F's own, for ridge and for the lasso, sampling by epoch and in order.
TEST(Convergence, ShortLastBatchesWeighThePenaltyAsTheObjectiveDoes) {
  const Dataset data = regression_data(130, 4, 33, 0.1, 1);
  for (const auto& [penalty, alpha] :
       {std::pair{Penalty::kL2, 0.5}, std::pair{Penalty::kL1, 0.2}}) {
    TrainConfig config = cpu_config();
    config.penalty = penalty;
    config.alpha = alpha;
    const Descent expected = penalty == Penalty::kL2 ? ridge_closed_form(data, alpha)
                                                     : coordinate_descent(data, alpha, 1.0);
    for (const Sampling sampling : {Sampling::kEpoch, Sampling::kSequential}) {
      TrainConfig sgd = config;
      sgd.sampling = sampling;
      sgd.batch_size = 64;
      sgd.learning_rate = 0.005;
      sgd.epochs = 10000;
      sgd.average_from = 3000;  // after 1000 epochs (3 steps each): past the transient
      const TrainResult fitted = train_on_data(sgd, data);
      const std::string label = std::string(to_string(penalty)) + ", " + to_string(sampling);
      for (int64_t j = 0; j < data.features; ++j) {
        EXPECT_NEAR(fitted.weights[j], expected.w[j], 1e-3) << label << ": weight " << j;
      }
      EXPECT_NEAR(fitted.bias, expected.b, 1e-3) << label;
    }
  }
}

TEST(Convergence, HuberIgnoresOutliersAndReachesItsMinimizer) {
  Dataset data = regression_data(400, 5, 41, 0.05);
  for (int64_t i = 0; i < data.rows; i += 25) data.y[i] += 50.0f;  // 4 % gross outliers
  TrainConfig config = cpu_config();
  config.loss = Loss::kHuber;
  config.epsilon = 0.2;
  // The minimizer by many full-batch gradient steps in double (huber is smooth).
  TrainConfig descent = config;
  descent.learning_rate = 0.5;
  const Descent expected = gradient_descent(data, descent, 20000);
  const double F_star = objective(data, config, expected.w, expected.b);
  config.batch_size = data.rows;
  config.sampling = Sampling::kEpoch;
  config.learning_rate_auto = true;
  config.epochs = 5000;
  const TrainResult fitted = train_on_data(config, data);
  EXPECT_NEAR(fitted.objective, F_star, 1e-4 * F_star);
  // The outliers pull a squared-loss fit's bias by about 50 x 4 % = 2; huber's stays near 0.5.
  EXPECT_NEAR(fitted.bias, 0.5, 0.05);
}

// `config` run to convergence on each of two datasets by full-batch descent at --lr auto's rate
// (epoch sampling, a batch of every row) for `epochs`.
std::pair<TrainResult, TrainResult> full_batch_fits(TrainConfig config, int64_t epochs,
                                                    const Dataset& first, const Dataset& second) {
  config.sampling = Sampling::kEpoch;
  config.learning_rate_auto = true;
  config.epochs = epochs;
  config.batch_size = first.rows;
  TrainResult a = train_on_data(config, first);
  config.batch_size = second.rows;
  return {std::move(a), train_on_data(config, second)};
}

TEST(Convergence, IntegerSampleWeightsEqualDuplicatedRows) {
  Dataset weighted = regression_data(120, 4, 51);
  weighted.sample_weights = integer_weights(weighted.rows, 52);
  Dataset duplicated = weighted;
  duplicated.sample_weights.clear();
  duplicated.X.clear();
  duplicated.y.clear();
  duplicated.rows = 0;
  for (int64_t i = 0; i < weighted.rows; ++i) {
    for (int copy = 0; copy < static_cast<int>(weighted.sample_weights[i]); ++copy) {
      duplicated.X.insert(duplicated.X.end(), weighted.X.begin() + i * 4,
                          weighted.X.begin() + (i + 1) * 4);
      duplicated.y.push_back(weighted.y[i]);
      ++duplicated.rows;
    }
  }
  TrainConfig exact = cpu_config();
  exact.solver = Solver::kExact;
  exact.penalty = Penalty::kL2;
  exact.alpha = 0.01;
  const TrainResult a = train_on_data(exact, weighted);
  const TrainResult b = train_on_data(exact, duplicated);
  EXPECT_TRUE(testing::all_close(a.weights, as_double(b.weights), 1e-9, 1e-9));
  EXPECT_NEAR(a.bias, b.bias, 1e-9);
  // SGD at convergence (full batches at 1 / L, a huber loss the exact solver cannot do).
  TrainConfig sgd = cpu_config();
  sgd.loss = Loss::kHuber;
  sgd.epsilon = 0.3;
  const auto [c, d] = full_batch_fits(sgd, 3000, weighted, duplicated);
  EXPECT_TRUE(testing::all_close(c.weights, as_double(d.weights), 1e-4, 1e-4));
  EXPECT_NEAR(c.objective, d.objective, 1e-6 * d.objective);
}

// Equal weights, however small or large, are the unweighted problem: each row's weight over their
// mean is 1, even where 1 / mean (1e40 for weights of 1e-40) is past float's range.
TEST(Convergence, EqualWeightsOfAnyScaleTrainAsUnitWeights) {
  Dataset data = regression_data(300, 5, 53);
  TrainConfig config = cpu_config();
  config.steps = 200;
  config.momentum = 0.5;
  data.sample_weights.assign(data.rows, 1.0f);
  const TrainResult unit = train_on_data(config, data);
  ASSERT_TRUE(unit.weighted);
  for (const float weight : {1e-40f, 3e-30f, 7e30f, 1e38f}) {
    data.sample_weights.assign(data.rows, weight);
    const TrainResult scaled = train_on_data(config, data);
    EXPECT_EQ(scaled.weights, unit.weights) << weight;
    EXPECT_EQ(scaled.bias, unit.bias) << weight;
    EXPECT_EQ(scaled.loss_history, unit.loss_history) << weight;
  }
}

// A row of weight 0 is absent, however far off it lies: its squared residual (3e37 x w)^2
// overflows float, and a share weighed in as 0 x inf would make every step's loss NaN.
TEST(Convergence, ARowOfWeightZeroIsAbsentHoweverFarOffItLies) {
  Dataset kept = regression_data(200, 4, 61);
  kept.sample_weights = integer_weights(kept.rows, 62);
  Dataset with_outlier = kept;
  with_outlier.X.insert(with_outlier.X.end(), {3e37f, 1.0f, -2.0f, 0.5f});
  with_outlier.y.push_back(5.0f);
  with_outlier.sample_weights.push_back(0.0f);
  ++with_outlier.rows;

  TrainConfig exact = cpu_config();
  exact.solver = Solver::kExact;
  const TrainResult a = train_on_data(exact, with_outlier);
  const TrainResult b = train_on_data(exact, kept);
  EXPECT_TRUE(testing::all_close(a.weights, as_double(b.weights), 1e-6, 1e-6));
  EXPECT_NEAR(a.bias, b.bias, 1e-6);
  EXPECT_NEAR(a.objective, b.objective, 1e-9 * b.objective);

  for (const Engine engine : {Engine::kGemv, Engine::kFused}) {
    TrainConfig sgd = cpu_config(engine);
    sgd.momentum = 0.5;
    const auto [c, d] = full_batch_fits(sgd, 2000, with_outlier, kept);
    ASSERT_TRUE(std::isfinite(c.objective)) << static_cast<int>(engine);
    EXPECT_TRUE(std::all_of(c.loss_history.begin(), c.loss_history.end(),
                            [](float loss) { return std::isfinite(loss); }));
    EXPECT_TRUE(testing::all_close(c.weights, as_double(d.weights), 1e-4, 1e-4));
    EXPECT_NEAR(c.objective, d.objective, 1e-6 * d.objective);
  }
}

TEST(ExactSolver, DependentFeaturesAreNamedAndAZeroFeatureWeighsZero) {
  testing::expect_exact_solver_handles_dependent_features(DeviceKind::kCpu);
}

TEST(ExactSolver, ASingularSystemIsSolvedWithAPenalty) {
  const Dataset wide = regression_data(3, 10, 61);
  TrainConfig exact = cpu_config();
  exact.solver = Solver::kExact;
  exact.penalty = Penalty::kL2;
  exact.alpha = 0.1;
  const TrainResult ridge = train_on_data(exact, wide);
  const Descent expected = ridge_closed_form(wide, 0.1);
  EXPECT_TRUE(testing::all_close(ridge.weights, expected.w, 1e-6, 1e-5));
}

}  // namespace
}  // namespace linsgd
