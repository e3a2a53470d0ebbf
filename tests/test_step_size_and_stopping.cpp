// --lr auto and the stopping rules on the CPU: the Lanczos eigenvalue (and its tridiagonal
// bisection) against a dense symmetric eigen-solve (Jacobi rotations in double); runs that diverge
// at the default rate converge with --lr auto; --tol / --n-iter-no-change stop at the evaluation
// the rule predicts from the recorded curve; the adaptive schedule divides the rate and stops when
// it is spent;
// --max-seconds stops a run.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "core/evaluation.hpp"
#include "core/resident_data.hpp"
#include "core/sgd_loop.hpp"
#include "core/step_size.hpp"
#include "cpu/host_exec.hpp"
#include "linsgd/errors.hpp"
#include "linsgd/trainer.hpp"
#include "test_support.hpp"

namespace linsgd {
namespace {

// y = 1 x0 - 0.5 x1 - 0.5 x2 + 1 x3 ... (of the features before `scale`) + offset + noise.
Dataset random_data(int64_t rows, int64_t features, uint32_t seed, float scale = 1.0f,
                    float offset = 1.0f) {
  std::mt19937 engine(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  Dataset data;
  data.rows = rows;
  data.features = features;
  data.source = "test data";
  for (int64_t i = 0; i < rows; ++i) {
    float target = offset;
    for (int64_t j = 0; j < features; ++j) {
      const float x = normal(engine) * scale;
      data.X.push_back(x);
      target += (j % 3 == 0 ? 1.0f : -0.5f) * x / scale;
    }
    data.y.push_back(target + 0.01f * normal(engine));
  }
  return data;
}

// The largest eigenvalue of a symmetric matrix by cyclic Jacobi rotations, in double.
double largest_eigenvalue_dense(std::vector<double> A, int64_t m) {
  for (int sweep = 0; sweep < 100; ++sweep) {
    double off = 0.0;
    for (int64_t p = 0; p < m; ++p) {
      for (int64_t q = p + 1; q < m; ++q) off += A[p * m + q] * A[p * m + q];
    }
    if (off < 1e-22) break;
    for (int64_t p = 0; p < m; ++p) {
      for (int64_t q = p + 1; q < m; ++q) {
        if (std::abs(A[p * m + q]) < 1e-300) continue;
        const double theta = (A[q * m + q] - A[p * m + p]) / (2 * A[p * m + q]);
        const double t =
            (theta >= 0 ? 1.0 : -1.0) / (std::abs(theta) + std::sqrt(theta * theta + 1));
        const double c = 1 / std::sqrt(t * t + 1), s = t * c;
        for (int64_t k = 0; k < m; ++k) {  // columns p, q
          const double a = A[k * m + p], b = A[k * m + q];
          A[k * m + p] = c * a - s * b;
          A[k * m + q] = s * a + c * b;
        }
        for (int64_t k = 0; k < m; ++k) {  // rows p, q
          const double a = A[p * m + k], b = A[q * m + k];
          A[p * m + k] = c * a - s * b;
          A[q * m + k] = s * a + c * b;
        }
      }
    }
  }
  double largest = -std::numeric_limits<double>::infinity();
  for (int64_t j = 0; j < m; ++j) largest = std::max(largest, A[j * m + j]);
  return largest;
}

TEST(AutoStepSize, TridiagonalBisectionFindsTheLargestEigenvalue) {
  std::mt19937 engine(5);
  std::normal_distribution<double> normal;
  for (int64_t k : {1, 2, 7, 30}) {
    std::vector<double> a(k), b(k > 0 ? k - 1 : 0), T(k * k, 0.0);
    for (int64_t i = 0; i < k; ++i) T[i * k + i] = a[i] = normal(engine);
    for (int64_t i = 0; i + 1 < k; ++i) {
      b[i] = normal(engine);
      T[i * k + i + 1] = T[(i + 1) * k + i] = b[i];
    }
    const double expected = largest_eigenvalue_dense(T, k);
    EXPECT_NEAR(largest_tridiagonal_eigenvalue(a, b), expected, 1e-9 * (1 + std::abs(expected)))
        << k;
  }
}

TEST(AutoStepSize, LanczosFindsTheLargestEigenvalue) {
  Dataset data = random_data(300, 12, 1);
  // Correlated columns and sample weights: an eigenvalue well apart from the others' average.
  for (int64_t i = 0; i < data.rows; ++i) data.X[i * 12 + 1] += 2.0f * data.X[i * 12];
  std::mt19937 engine(2);
  std::uniform_real_distribution<float> weight(0.5f, 2.0f);
  for (int64_t i = 0; i < data.rows; ++i) data.sample_weights.push_back(weight(engine));
  // (1 / sum s) X~^T S X~, X~ = [X 1], in double.
  const int64_t m = 13;
  std::vector<double> H(m * m, 0.0);
  double weight_sum = 0.0;
  for (int64_t i = 0; i < data.rows; ++i) {
    const double s = data.sample_weights[i];
    weight_sum += s;
    for (int64_t a = 0; a < m; ++a) {
      const double xa = a < 12 ? data.X[i * 12 + a] : 1.0;
      for (int64_t b = 0; b < m; ++b) {
        H[a * m + b] += s * xa * (b < 12 ? data.X[i * 12 + b] : 1.0);
      }
    }
  }
  for (double& h : H) h /= weight_sum;
  const double expected = largest_eigenvalue_dense(H, m);

  HostExec exec(1);
  ResidentData<HostExec> resident;
  make_resident(exec, data, resident);
  int iterations = 0;
  const double found = largest_eigenvalue(exec, resident, 1e-3, 300, &iterations);
  EXPECT_NEAR(found, expected, 1e-4 * expected) << iterations << " iterations";
  EXPECT_LE(found, expected * (1 + 1e-6)) << "a Ritz value approaches from below";
  EXPECT_LT(iterations, m);
  // Without an intercept: the features' block of H, (1 / sum s) X^T S X, on features off-centre
  // (whose eigenvalue the bias's column would move).
  Dataset offset = data;
  for (float& x : offset.X) x += 0.5f;
  std::vector<double> features_block(12 * 12, 0.0);
  for (int64_t i = 0; i < offset.rows; ++i) {
    for (int64_t a = 0; a < 12; ++a) {
      for (int64_t b = 0; b < 12; ++b) {
        features_block[a * 12 + b] += double{offset.sample_weights[i]} * offset.X[i * 12 + a] *
                                      offset.X[i * 12 + b] / weight_sum;
      }
    }
  }
  const double expected_without = largest_eigenvalue_dense(features_block, 12);
  ResidentData<HostExec> resident_offset;
  make_resident(exec, offset, resident_offset);
  const double found_without =
      largest_eigenvalue(exec, resident_offset, 1e-3, 300, &iterations, nullptr, false);
  EXPECT_NEAR(found_without, expected_without, 1e-4 * expected_without);
  EXPECT_LE(found_without, expected_without * (1 + 1e-6));
  EXPECT_GT(largest_eigenvalue(exec, resident_offset, 1e-3, 300, &iterations),
            expected_without * 1.01);  // with the bias's column: another, larger eigenvalue
  // H is the same for weights scaled alike: weights near 1e37 (whose products with the rows, in
  // float, would overflow its range when summed) and near 1e-40 (below float's normal range).
  for (const float scale : {1e37f, 1e-40f}) {
    Dataset scaled = data;
    for (float& s : scaled.sample_weights) s *= scale;
    ResidentData<HostExec> resident_scaled;
    make_resident(exec, scaled, resident_scaled);
    EXPECT_NEAR(largest_eigenvalue(exec, resident_scaled, 1e-3, 300, &iterations), expected,
                1e-4 * expected)
        << "weights scaled by " << scale;
  }

  // Rank one, [X 1] with X's columns all 2: the first product spans the range; exact at once.
  for (float& x : data.X) x = 2.0f;
  data.sample_weights.clear();
  ResidentData<HostExec> rank_one;
  make_resident(exec, data, rank_one);
  EXPECT_NEAR(largest_eigenvalue(exec, rank_one, 1e-3, 300, &iterations), 4.0 * 12 + 1, 1e-4);
  EXPECT_LE(iterations, 2);
  // (The products are float GEMVs over 300 rows: a few float ulps of 48, relative.)
  EXPECT_NEAR(largest_eigenvalue(exec, rank_one, 1e-3, 300, &iterations, nullptr, false), 4.0 * 12,
              1e-5 * 48);
  EXPECT_LE(iterations, 2);
}

// Near its optimum a model's residuals (0.007 here) are far smaller than its predictions (about
// 35): the objective and the full loss form both, the dot products included, in double, and
// match a double reference to 1e-10 (in float they were off by about 1e-4 of themselves).
TEST(Evaluation, TheObjectiveIsDoubleDownToTheDotProducts) {
  const int64_t rows = 500, features = 300;
  std::mt19937 engine(8);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  Dataset data;
  data.rows = rows;
  data.features = features;
  std::vector<float> w(features);
  for (float& weight : w) weight = 2.0f * normal(engine);
  const float bias = 0.25f;
  double reference = 0.0, largest = 0.0;
  std::vector<double> dots(rows);
  for (int64_t i = 0; i < rows; ++i) {
    double dot = 0.0;
    for (int64_t j = 0; j < features; ++j) {
      data.X.push_back(normal(engine));
      dot += static_cast<double>(data.X.back()) * w[j];
    }
    dots[i] = dot;
    largest = std::max(largest, std::abs(dot));
    data.y.push_back(static_cast<float>(dot + bias + 0.007 * normal(engine)));
  }
  for (int64_t i = 0; i < rows; ++i) {
    const double r = dots[i] + static_cast<double>(bias) - static_cast<double>(data.y[i]);
    reference += 0.5 * r * r / rows;
  }
  ASSERT_GT(largest, 30.0);
  HostExec exec(1);
  ResidentData<HostExec> resident;
  make_resident(exec, data, resident);
  auto predictions = exec.allocate<double>(rows);
  const TrainConfig config;  // the squared loss, no penalty: F is the full loss
  EXPECT_NEAR(objective_value(exec, resident, config, w.data(), &bias, predictions), reference,
              1e-10 * reference);
  EXPECT_NEAR(full_dataset_loss(exec, resident, w.data(), &bias, predictions), reference,
              1e-10 * reference);
  // A pass of 2^21 values or more is shared by the run's threads, in ranges of rows: the same
  // bits.
  const int64_t tall = 8000;  // 2.4e6 values: two parts
  const auto X = testing::random_normals(tall * features, 9);
  std::vector<double> alone(tall), shared(tall);
  exec.predict_in_double(tall, features, X.data(), w.data(), alone.data());
  HostExec two(2);
  ASSERT_EQ(two.threads(), 2);
  two.predict_in_double(tall, features, X.data(), w.data(), shared.data());
  EXPECT_EQ(shared, alone);
}

// The rate is 1 / L_B with L_B the expected smoothness of the run's sampling (Gower et al. 2019):
// of B rows drawn with replacement, (B - 1) / B L + L_max / B; of B distinct rows,
// n (B - 1) / (B (n - 1)) L + (n - B) / (B (n - 1)) L_max; L and L_max computed here in double.
// With the bias's column, and without it (--no-intercept: neither L nor L_max counts it).
TEST(AutoStepSize, IsTheExpectedSmoothnessOfTheRunsSampling) {
  const Dataset data = random_data(40, 6, 3);
  HostExec exec(1);
  ResidentData<HostExec> resident;
  make_resident(exec, data, resident);
  for (const bool intercept : {true, false}) {
    SCOPED_TRACE(intercept ? "with an intercept" : "without an intercept");
    const int64_t n = data.rows, d = data.features, m = d + (intercept ? 1 : 0);
    std::vector<double> H(m * m, 0.0);
    double largest_row = 0.0;
    for (int64_t i = 0; i < n; ++i) {
      double norm = intercept ? 1.0 : 0.0;  // the bias column's
      for (int64_t a = 0; a < m; ++a) {
        const double xa = a < d ? data.X[i * d + a] : 1.0;
        if (a < d) norm += xa * xa;
        for (int64_t b = 0; b < m; ++b) H[a * m + b] += xa * (b < d ? data.X[i * d + b] : 1.0) / n;
      }
      largest_row = std::max(largest_row, norm);
    }
    const double L = largest_eigenvalue_dense(H, m);
    for (const int64_t B : {int64_t{1}, int64_t{8}, int64_t{40}, int64_t{100}}) {
      TrainConfig config;
      config.fit_intercept = intercept;
      config.batch_size = B;
      const double with_replacement = (B - 1.0) / B * L + largest_row / B;
      EXPECT_NEAR(auto_step_size(exec, resident, config).learning_rate, 1.0 / with_replacement,
                  2e-3 / with_replacement)
          << "B = " << B;
      config.sampling = Sampling::kEpoch;
      const double b = static_cast<double>(std::min(B, n));
      const double distinct =
          n * (b - 1.0) / (b * (n - 1.0)) * L + (n - b) / (b * (n - 1.0)) * largest_row;
      EXPECT_NEAR(auto_step_size(exec, resident, config).learning_rate, 1.0 / distinct,
                  2e-3 / distinct)
          << "B = " << B;
    }
  }
}

TEST(AutoStepSize, RunsThatDivergeAtTheDefaultRateConvergeWithAuto) {
  TrainConfig config;
  config.device = DeviceKind::kCpu;
  config.steps = 3000;
  // Features scaled by 1e6 (targets centered: a bias of curvature 1 beside features of 1e12
  // would take 1e12 steps of any single rate), and 100,000 features of 3 rows.
  for (const Dataset& data : {random_data(200, 5, 3, 1e6f, 0.0f), random_data(3, 100000, 4)}) {
    EXPECT_THROW(train_on_data(config, data), Error) << data.features << " features";
    TrainConfig automatic = config;
    automatic.learning_rate_auto = true;
    const TrainResult run = train_on_data(automatic, data);
    double variance = 0.0, mean = 0.0;
    for (float y : data.y) mean += y / static_cast<double>(data.rows);
    for (float y : data.y) variance += (y - mean) * (y - mean) / static_cast<double>(data.rows);
    // Far below the variance (0.5 x it: what b = mean(y) alone leaves).
    EXPECT_LT(run.full_loss, 0.01 * 0.5 * variance) << data.features << " features";
    EXPECT_GT(run.learning_rate, 0.0);
  }
}

// Epochs whose last batch is short (n = kB + 1: one row): that batch's rows weigh 1 / B as every
// batch's, so the auto rate, sized for B rows, holds for it too, and epoch and sequential runs
// converge. (Averaged over its one row, that step took a full step on a single row, whose
// curvature is up to B times a batch's: the runs climbed far above where they started.)
TEST(AutoStepSize, HoldsForTheShortLastBatchOfAnEpoch) {
  for (const int64_t rows : {int64_t{65}, int64_t{129}}) {
    const Dataset data = random_data(rows, 50, 5);
    double variance = 0.0, mean = 0.0;
    for (float y : data.y) mean += y / static_cast<double>(data.rows);
    for (float y : data.y) variance += (y - mean) * (y - mean) / static_cast<double>(data.rows);
    for (const Sampling sampling : {Sampling::kEpoch, Sampling::kSequential}) {
      TrainConfig config;
      config.device = DeviceKind::kCpu;
      config.sampling = sampling;
      config.epochs = 100;
      config.learning_rate_auto = true;
      config.schedule = Schedule::kCosine;
      config.momentum = 0.5;
      const TrainResult run = train_on_data(config, data);
      // Far below the objective of the mean alone (0.5 x the variance).
      EXPECT_LT(run.objective, 0.01 * 0.5 * variance) << rows << " rows, " << to_string(sampling);
    }
  }
}

// A diverged run's error names what to change: the rate it was given, or, under --lr auto (SGD's
// safe step), the momentum that lengthened it, else a rate below the auto value.
TEST(AutoStepSize, DivergenceAdviceNamesWhatToChange) {
  TrainConfig config;
  EXPECT_EQ(divergence_advice(config),
            "try a smaller --lr (or --lr auto), or --standardize the features");
  config.learning_rate_auto = true;
  EXPECT_EQ(divergence_advice(config),
            "try a --lr below the auto value, or --standardize the features");
  config.momentum = 0.9;
  EXPECT_NE(divergence_advice(config).find("try a smaller --momentum"), std::string::npos);
  // Features standardized already: --standardize is not offered again.
  config.momentum = 0.0;
  config.features_standardized = true;
  EXPECT_EQ(divergence_advice(config), "try a --lr below the auto value");
  config.learning_rate_auto = false;
  EXPECT_EQ(divergence_advice(config), "try a smaller --lr (or --lr auto)");
}

// The intercept's reach is the sum of the rates the schedule gave the steps (over 1 - momentum):
// 400 constant steps of 0.01 reach 4 (no note), a cosine over them half that plus half a step,
// 1000 invscaling steps sum_t (t + 1)^-0.25 times 0.01.
TEST(InterceptReach, SumsTheRatesTheScheduleGave) {
  TrainResult result;
  result.config.solver = Solver::kSgd;
  result.config.steps = 400;
  result.learning_rate = 0.01;
  result.steps_done = 400;
  EXPECT_FALSE(result.intercept_reach_short().has_value());  // 4
  result.config.schedule = Schedule::kCosine;
  ASSERT_TRUE(result.intercept_reach_short().has_value());
  EXPECT_NEAR(*result.intercept_reach_short(), 0.01 * (400 / 2.0 + 0.5), 1e-9);
  result.config.momentum = 0.5;  // twice as far
  EXPECT_FALSE(result.intercept_reach_short().has_value());
  result.config.momentum = 0.0;
  result.config.schedule = Schedule::kInvScaling;
  result.config.steps = result.steps_done = 1000;
  double expected = 0.0;
  for (int t = 0; t < 1000; ++t) expected += 0.01 / std::pow(t + 1.0, 0.25);
  ASSERT_TRUE(result.intercept_reach_short().has_value());
  EXPECT_NEAR(*result.intercept_reach_short(), expected, 1e-9 * expected);
  result.config.fit_intercept = false;  // nothing to reach
  EXPECT_FALSE(result.intercept_reach_short().has_value());
}

// The schedules' sums against the factors summed one by one (in long double): a cosine with its
// warm-up cut short and cut in its decay, and long invscaling runs (past the first 10^4 terms,
// summed in closed form), in O(1) time.
TEST(InterceptReach, ScheduleSumsMatchTheFactorsSummedOneByOne) {
  TrainConfig config;
  config.schedule = Schedule::kCosine;
  config.steps = 1000;
  config.warmup = 100;
  for (const int64_t steps : {int64_t{40}, int64_t{100}, int64_t{637}, int64_t{1000}}) {
    long double expected = 0.0L;
    for (int64_t t = 0; t < steps; ++t) {
      expected += t < 100 ? (t + 1) / 100.0L
                          : 0.5L * (1.0L + std::cos(3.14159265358979323846L * (t - 100) / 900.0L));
    }
    EXPECT_NEAR(schedule_factor_sum(config, steps), static_cast<double>(expected),
                1e-12 * static_cast<double>(expected))
        << steps;
  }
  config.schedule = Schedule::kInvScaling;
  for (const double power : {0.25, 0.5, 1.0, 2.0}) {
    config.power_t = power;
    config.steps = 300000;
    long double expected = 0.0L;
    for (int64_t t = 0; t < config.steps; ++t) expected += std::pow(t + 1.0L, -power);
    EXPECT_NEAR(schedule_factor_sum(config, config.steps), static_cast<double>(expected),
                1e-9 * static_cast<double>(expected))
        << power;
  }
  config.schedule = Schedule::kConstant;
  EXPECT_EQ(schedule_factor_sum(config, int64_t{1} << 40), std::ldexp(1.0, 40));
}

// Evaluations recorded through the hooks.
struct Recorded {
  std::vector<Evaluation> evaluations;
  TrainResult result;
};
Recorded train_recording(const TrainConfig& config, const Dataset& data) {
  Recorded recorded;
  TrainHooks hooks;
  hooks.on_evaluation = [&](const Evaluation& e) { recorded.evaluations.push_back(e); };
  recorded.result = train_on_data(config, data, hooks);
  return recorded;
}

// The step where scikit-learn's rule stops over `evaluations` (those after `after_step`): a
// count of evaluations not improving on the best by tol, reset by one that does; the run stops
// when it reaches n_iter_no_change. -1 where it never does.
int64_t step_the_tol_rule_stops_at(const std::vector<Evaluation>& evaluations, double tol,
                                   int64_t n_iter_no_change, int64_t after_step = -1) {
  double best = std::numeric_limits<double>::infinity();
  int64_t count = 0;
  for (const Evaluation& e : evaluations) {
    if (e.step <= after_step) continue;
    count = e.objective > best - tol ? count + 1 : 0;
    best = std::min(best, e.objective);
    if (count >= n_iter_no_change) return e.step;
  }
  return -1;
}

TEST(Stopping, TolStopsAtTheEvaluationTheRulePredicts) {
  const Dataset data = random_data(500, 10, 5);
  TrainConfig config;
  config.device = DeviceKind::kCpu;
  config.steps = 200000;
  config.learning_rate = 0.01;
  config.tol = 1e-4;
  config.n_iter_no_change = 3;
  config.eval_every = 100;
  const Recorded run = train_recording(config, data);
  ASSERT_EQ(run.result.stopped_by, "tol");
  const int64_t predicted = step_the_tol_rule_stops_at(run.evaluations, 1e-4, 3);
  EXPECT_EQ(run.result.steps_done, predicted);
  EXPECT_EQ(run.evaluations.back().step, predicted);
  EXPECT_EQ(run.result.steps_done % 100, 0);
  EXPECT_LT(run.result.steps_done, 200000);
}

// With --average the rule watches the averages alone: the plain iterates' evaluations before
// them (here enough to stop the same run at its 4th evaluation) neither count nor set the best;
// the rule starts at the first evaluation of the averages and stops by sklearn's rule over those.
TEST(Stopping, TolWatchesTheAveragesFromTheirFirstStep) {
  const Dataset data = random_data(500, 10, 5);
  TrainConfig config;
  config.device = DeviceKind::kCpu;
  config.steps = 200000;
  config.learning_rate = 0.01;
  config.tol = 1e-4;
  config.n_iter_no_change = 3;
  config.eval_every = 100;
  const Recorded plain = train_recording(config, data);
  ASSERT_EQ(plain.result.stopped_by, "tol");
  const int64_t average_from = plain.result.steps_done + 1000;
  config.average_from = average_from;
  const Recorded averaged = train_recording(config, data);
  ASSERT_EQ(averaged.result.stopped_by, "tol");
  ASSERT_GT(averaged.result.steps_done, average_from);
  // Over the averages' evaluations alone (not the iterates' before them).
  EXPECT_EQ(averaged.result.steps_done,
            step_the_tol_rule_stops_at(averaged.evaluations, 1e-4, 3, average_from));
}

// A run without a target records its curve; a target between two of its objectives stops the
// same run (same seed: same trajectory) at the first evaluation at or below it, with that model.
TEST(Stopping, TargetObjectiveStopsAtTheFirstEvaluationThatReachesIt) {
  const Dataset data = random_data(400, 12, 8);
  TrainConfig config;
  config.device = DeviceKind::kCpu;
  config.steps = 3000;
  config.learning_rate = 0.02;
  config.eval_every = 50;
  const Recorded full = train_recording(config, data);
  ASSERT_EQ(full.result.stopped_by, "steps");
  ASSERT_GE(full.evaluations.size(), 20u);
  // Between the 10th evaluation's objective and the 9th's (the curve falls there).
  const double target = 0.5 * (full.evaluations[8].objective + full.evaluations[9].objective);
  ASSERT_LT(full.evaluations[9].objective, full.evaluations[8].objective);
  int64_t predicted = -1;
  for (const Evaluation& e : full.evaluations) {
    if (e.objective <= target) {
      predicted = e.step;
      break;
    }
  }
  config.target_objective = target;
  const Recorded stopped = train_recording(config, data);
  EXPECT_EQ(stopped.result.stopped_by, "target");
  EXPECT_EQ(stopped.result.steps_done, predicted);
  EXPECT_LE(stopped.result.objective, target);
  EXPECT_EQ(stopped.evaluations.size(), static_cast<size_t>(predicted / 50));
  // A target no run reaches (0, on noisy data) leaves the run to its steps.
  config.target_objective = 0.0;
  EXPECT_EQ(train_on_data(config, data).stopped_by, "steps");
}

TEST(Stopping, TheAdaptiveScheduleDividesTheRateUntilItIsSpent) {
  const Dataset data = random_data(200, 4, 6);
  TrainConfig config;
  config.device = DeviceKind::kCpu;
  config.steps = 1000000;
  config.learning_rate = 0.05;
  config.schedule = Schedule::kAdaptive;
  config.tol = 1e-3;
  config.n_iter_no_change = 2;
  config.eval_every = 50;
  const Recorded run = train_recording(config, data);
  EXPECT_EQ(run.result.stopped_by, "lr");
  // Each division needs n_iter_no_change failures, and 1e-6 = 5^-k needs k = 9 divisions.
  EXPECT_GE(run.evaluations.size(), 18u);
  EXPECT_LT(run.result.steps_done, 1000000);
}

TEST(Stopping, MaxSecondsStopsARun) {
  const Dataset data = random_data(300, 8, 7);
  TrainConfig config;
  config.device = DeviceKind::kCpu;
  config.steps = 1000000000;
  config.max_seconds = 0.2;
  const TrainResult run = train_on_data(config, data);
  EXPECT_EQ(run.stopped_by, "time");
  EXPECT_LT(run.steps_done, config.steps);
  EXPECT_GT(run.steps_done, 0);
}

}  // namespace
}  // namespace linsgd
