// Test data and option sets shared by the CPU and GPU suites: regression data with a known
// truth, integer sample weights, the option combinations every engine is checked under, and
// checks both suites run on their device.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "linsgd/config.hpp"
#include "linsgd/dataset.hpp"
#include "linsgd/errors.hpp"
#include "linsgd/trainer.hpp"

namespace linsgd::testing {

// y = X w* + b* + noise on `rows` x `features` normal features; `zeros` of w* are 0.
inline Dataset regression_data(int64_t rows, int64_t features, uint32_t seed, double noise = 0.1,
                               int64_t zeros = 0) {
  std::mt19937 engine(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::vector<double> truth(static_cast<size_t>(features));
  for (int64_t j = 0; j < features; ++j) truth[j] = j < zeros ? 0.0 : normal(engine);
  Dataset data;
  data.rows = rows;
  data.features = features;
  data.source = "test data";
  for (int64_t i = 0; i < rows; ++i) {
    double target = 0.5 + noise * normal(engine);
    for (int64_t j = 0; j < features; ++j) {
      const auto x = static_cast<float>(normal(engine));
      data.X.push_back(x);
      target += truth[j] * x;
    }
    data.y.push_back(static_cast<float>(target));
  }
  for (int64_t j = 0; j < features; ++j) data.feature_names.push_back("x" + std::to_string(j));
  data.target_name = "y";
  return data;
}

inline std::vector<float> integer_weights(int64_t rows, uint32_t seed) {
  std::mt19937 engine(seed);
  std::uniform_int_distribution<int> weight(1, 3);
  std::vector<float> weights(static_cast<size_t>(rows));
  for (float& w : weights) w = static_cast<float>(weight(engine));
  return weights;
}

// Option combinations, each one the name of a test case.
struct Options {
  std::string name;
  void (*apply)(TrainConfig&);
  bool weighted;
};

inline const Options kOptionSets[] = {
    {"huber", [](TrainConfig& c) { c.loss = Loss::kHuber, c.epsilon = 0.5; }, false},
    {"epsilon_insensitive",
     [](TrainConfig& c) { c.loss = Loss::kEpsilonInsensitive, c.epsilon = 0.05; }, false},
    {"squared_epsilon_insensitive",
     [](TrainConfig& c) { c.loss = Loss::kSquaredEpsilonInsensitive, c.epsilon = 0.05; }, false},
    {"l2", [](TrainConfig& c) { c.penalty = Penalty::kL2, c.alpha = 0.05; }, false},
    {"l1", [](TrainConfig& c) { c.penalty = Penalty::kL1, c.alpha = 0.02; }, false},
    {"elasticnet_weighted",
     [](TrainConfig& c) { c.penalty = Penalty::kElasticNet, c.alpha = 0.02, c.l1_ratio = 0.4; },
     true},
    {"momentum", [](TrainConfig& c) { c.momentum = 0.8; }, false},
    {"nesterov_l2",
     [](TrainConfig& c) {
       c.momentum = 0.7, c.nesterov = true, c.penalty = Penalty::kL2, c.alpha = 0.01;
     },
     false},
    {"invscaling", [](TrainConfig& c) { c.schedule = Schedule::kInvScaling, c.power_t = 0.5; },
     false},
    {"cosine_warmup", [](TrainConfig& c) { c.schedule = Schedule::kCosine, c.warmup = 40; }, false},
    {"average", [](TrainConfig& c) { c.average_from = 100; }, false},
    // The post's options but the intercept: not the post's rule (the fused kernels' compiled-in
    // one would train the bias).
    {"no_intercept", [](TrainConfig& c) { c.fit_intercept = false; }, false},
    {"no_intercept_momentum_average",
     [](TrainConfig& c) { c.fit_intercept = false, c.momentum = 0.6, c.average_from = 120; },
     false},
    {"epoch_short_batches", [](TrainConfig& c) { c.sampling = Sampling::kEpoch; }, false},
    {"sequential_short_batches_l1",
     [](TrainConfig& c) {
       c.sampling = Sampling::kSequential, c.penalty = Penalty::kL1, c.alpha = 0.02;
     },
     false},
    {"epoch_everything_weighted",
     [](TrainConfig& c) {
       c.sampling = Sampling::kEpoch, c.loss = Loss::kHuber, c.epsilon = 0.3,
       c.penalty = Penalty::kElasticNet, c.alpha = 0.01, c.momentum = 0.5,
       c.schedule = Schedule::kInvScaling, c.average_from = 50;
     },
     true},
};

// The name of a test case over (option set, engine): "momentum_fused".
inline std::string options_name(const ::testing::TestParamInfo<std::tuple<Options, Engine>>& info) {
  return std::get<0>(info.param).name + "_" + to_string(std::get<1>(info.param));
}

// Chunks cut at every multiple of an evaluation interval longer than a chunk (301: chunks of 256
// and 45 steps, 33 x 45 draws, an odd count) draw what a plain run's chunks of 256 draw, and the
// evaluations come at those multiples and at the end: the same run, bit for bit, on `device`
// with `engine`.
inline void expect_chunks_cut_at_evaluations_change_no_draw(DeviceKind device, Engine engine) {
  SCOPED_TRACE(to_string(engine));
  const Dataset data = regression_data(1003, 24, 44);
  TrainConfig config;
  config.device = device;
  config.engine = engine;
  config.batch_size = 33;
  config.steps = 1000;
  const TrainResult plain = train_on_data(config, data);
  TrainConfig evaluated = config;
  evaluated.eval_every = 301;
  std::vector<int64_t> evaluated_at;
  TrainHooks curve;
  curve.on_evaluation = [&](const Evaluation& evaluation) {
    evaluated_at.push_back(evaluation.step);
  };
  const TrainResult cut = train_on_data(evaluated, data, curve);
  EXPECT_EQ(cut.weights, plain.weights);
  EXPECT_EQ(cut.bias, plain.bias);
  EXPECT_EQ(cut.loss_history, plain.loss_history);
  EXPECT_EQ(evaluated_at, (std::vector<int64_t>{301, 602, 903, 1000}));
}

// The exact solver without a penalty on `device`: a feature that is 0 on every row gets weight 0
// and leaves the others as the fit without it; a constant feature (0.1, not a binary fraction:
// the dependence is inexact in double), a feature that is a combination of earlier ones and
// fewer rows than parameters are refused, each named.
inline void expect_exact_solver_handles_dependent_features(DeviceKind device) {
  TrainConfig exact;
  exact.device = device;
  exact.solver = Solver::kExact;
  exact.penalty = Penalty::kNone;
  const Dataset data = regression_data(200, 4, 71);
  const auto with_column = [&](auto value_of_row) {  // a fifth feature
    Dataset wider = data;
    wider.features = 5;
    wider.X.clear();
    for (int64_t i = 0; i < data.rows; ++i) {
      const float* x = data.X.data() + i * 4;
      wider.X.insert(wider.X.end(), x, x + 4);
      wider.X.push_back(value_of_row(x));
    }
    return wider;
  };
  const auto refusal = [&](const Dataset& refused) {
    try {
      train_on_data(exact, refused);
    } catch (const InputError& error) {
      return std::string(error.what());
    }
    return std::string("solved");
  };
  const TrainResult fit = train_on_data(exact, data);
  const TrainResult zero = train_on_data(exact, with_column([](const float*) { return 0.0f; }));
  ASSERT_EQ(zero.weights.size(), 5u);
  EXPECT_EQ(zero.weights[4], 0.0f);
  for (int j = 0; j < 4; ++j) EXPECT_NEAR(zero.weights[j], fit.weights[j], 1e-6) << j;
  EXPECT_NEAR(zero.bias, fit.bias, 1e-6);
  const std::string advice = "; add --penalty l2 with an --alpha, or use --solver sgd";
  EXPECT_EQ(refusal(with_column([](const float*) { return 0.1f; })),
            "--solver exact: the normal equations are singular: feature 4 (0-based) is constant "
            "(or nearly: its spread below 1e-6 of its size), which duplicates the intercept "
            "(--standardize maps constant features to 0)" +
                advice);
  EXPECT_EQ(refusal(with_column([](const float* x) { return 1.0f - x[0]; })),
            "--solver exact: the normal equations are singular: a constant feature, or features "
            "that add up to a constant, duplicate the intercept (--standardize maps constant "
            "features to 0)" +
                advice);
  EXPECT_EQ(refusal(with_column([](const float* x) { return 0.5f * x[0] - 2.0f * x[2]; })),
            "--solver exact: the normal equations are singular: feature 4 (0-based) is a linear "
            "combination of the features before it" +
                advice);
  Dataset named = with_column([](const float* x) { return x[1] + x[3]; });
  named.feature_names = {"a", "b", "c", "d", "b plus d"};
  EXPECT_EQ(refusal(named),
            "--solver exact: the normal equations are singular: feature 'b plus d' (4, 0-based) "
            "is a linear combination of the features before it" +
                advice);
  EXPECT_EQ(refusal(regression_data(3, 10, 61)),
            "--solver exact: the normal equations are singular: the data's 3 rows do not "
            "determine 11 parameters" +
                advice);
  // Rows of weight 0 leave the equations of the others: 3 rows of weight, 5 parameters.
  Dataset few_weighed = data;
  few_weighed.sample_weights.assign(static_cast<size_t>(data.rows), 0.0f);
  for (size_t i = 0; i < 3; ++i) few_weighed.sample_weights[i] = 1.0f;
  const std::string few = refusal(few_weighed);
  EXPECT_EQ(few.rfind("--solver exact: the normal equations are singular: ", 0), 0u) << few;
  EXPECT_NE(few.find(" (rows of sample weight 0, if any, count for nothing)" + advice),
            std::string::npos)
      << few;
}

}  // namespace linsgd::testing
