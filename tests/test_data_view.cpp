// Training on borrowed arrays (DataView) and from given starting parameters: what the Python
// package builds on. Sequential sampling over two chunks, the second warm-started from the
// first, equals one run over their concatenation bit for bit; a warm start begins where it is
// told; views that cannot be trained on are refused with a message naming the problem.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "linsgd/errors.hpp"
#include "linsgd/model.hpp"
#include "linsgd/trainer.hpp"
#include "option_sets.hpp"
#include "reference_sgd.hpp"
#include "test_support.hpp"

namespace linsgd {
namespace {

using testing::regression_data;

TrainConfig cpu_config(Engine engine) {
  TrainConfig config;
  config.device = DeviceKind::kCpu;
  config.engine = engine;
  config.threads = 1;
  return config;
}

// Rows [first, first + count) of `data`, as their own dataset.
Dataset rows_of(const Dataset& data, int64_t first, int64_t count) {
  Dataset part;
  part.rows = count;
  part.features = data.features;
  part.X.assign(data.X.begin() + first * data.features,
                data.X.begin() + (first + count) * data.features);
  part.y.assign(data.y.begin() + first, data.y.begin() + first + count);
  part.source = "rows " + std::to_string(first) + "+";
  return part;
}

// With InitialParameters::schedule_step, the invscaling schedule goes on from the first chunk's
// steps (it started afresh with each before, which a constant rate does not show).
TEST(WarmStart, TwoSequentialChunksEqualOneRunOverTheirConcatenation) {
  const Dataset data = regression_data(96, 5, 21);
  const Dataset first = rows_of(data, 0, 48), second = rows_of(data, 48, 48);
  for (const Schedule schedule : {Schedule::kConstant, Schedule::kInvScaling}) {
    for (const Engine engine : {Engine::kGemv, Engine::kFused}) {
      const std::string label = std::string(to_string(schedule)) + ", " + to_string(engine);
      TrainConfig config = cpu_config(engine);
      config.sampling = Sampling::kSequential;
      config.schedule = schedule;
      config.batch_size = 16;
      config.epochs = 1;
      config.learning_rate = 0.05;
      config.penalty = Penalty::kL1;  // the prox step too
      config.alpha = 0.01;
      const TrainResult whole = train_on_data(config, data);
      const TrainResult part = train_on_data(config, first);
      const InitialParameters start{part.weights, part.bias, part.steps_done};
      const DataView second_view = view_of(second);
      const TrainResult continued = train_on_view(config, second_view, nullptr, &start);
      EXPECT_EQ(whole.steps_done, 6);
      EXPECT_EQ(part.steps_done + continued.steps_done, 6);
      EXPECT_EQ(continued.weights, whole.weights) << label;
      EXPECT_EQ(continued.bias, whole.bias) << label;
      // And the steps moved the model: the chunks are not a no-op.
      EXPECT_NE(part.weights, whole.weights) << label;
      if (schedule == Schedule::kConstant) continue;
      // The schedule started afresh (step 0) is another run.
      const InitialParameters afresh{part.weights, part.bias};
      EXPECT_NE(train_on_view(config, second_view, nullptr, &afresh).weights, whole.weights);
    }
  }
}

// InitialParameters::learning_rate_cap: --lr auto's rate, unless the cap is smaller; then the cap.
TEST(WarmStart, AnAutoRateIsCappedByTheRunsBefore) {
  const Dataset data = regression_data(96, 5, 22);
  TrainConfig config = cpu_config(Engine::kGemv);
  config.learning_rate_auto = true;
  config.steps = 4;
  const double automatic = train_on_data(config, data).config.learning_rate;
  const InitialParameters start{std::vector<float>(5, 0.0f), 0.0f, 0, automatic / 3};
  const DataView view = view_of(data);
  EXPECT_EQ(train_on_view(config, view, nullptr, &start).config.learning_rate, automatic / 3);
  const InitialParameters loose{std::vector<float>(5, 0.0f), 0.0f, 0, automatic * 3};
  EXPECT_EQ(train_on_view(config, view, nullptr, &loose).config.learning_rate, automatic);
  const InitialParameters negative{std::vector<float>(5, 0.0f), 0.0f, -1, 0.0};
  EXPECT_THROW(train_on_view(config, view, nullptr, &negative), UsageError);
  // Past a run's steps' bound, 2^62, invscaling's schedule_step + t + 1 could overflow int64.
  const InitialParameters far{std::vector<float>(5, 0.0f), 0.0f, (int64_t{1} << 62) + 1, 0.0};
  try {
    train_on_view(config, view, nullptr, &far);
    ADD_FAILURE() << "not refused";
  } catch (const UsageError& error) {
    EXPECT_EQ(std::string(error.what()),
              "InitialParameters::schedule_step is 4611686018427387905 (must be 0 to 2^62)");
  }
}

// DataView::weight_mean takes the weights relative to a mean given, not their own. Weights 3
// (own mean 3) against a mean of 1 weigh three times what they would alone: for the steps, three
// times the rate (no penalty); for the exact solve, a third of the L2 penalty. Without weights,
// or not finite or negative, it is refused.
TEST(DataViews, WeightsRelativeToAGivenMean) {
  const Dataset data = regression_data(96, 5, 23);
  const std::vector<float> threes(96, 3.0f);
  DataView relative = view_of(data);
  relative.sample_weights = threes.data();
  relative.weight_mean = 1.0;
  for (const Engine engine : {Engine::kGemv, Engine::kFused}) {
    TrainConfig config = cpu_config(engine);
    config.sampling = Sampling::kSequential;
    config.batch_size = 16;
    config.epochs = 2;
    config.learning_rate = 0.01;
    const TrainResult weighted = train_on_view(config, relative);
    EXPECT_EQ(weighted.weight_mean, 1.0);
    config.learning_rate = 0.03;
    const TrainResult faster = train_on_data(config, data);
    EXPECT_EQ(faster.weight_mean, 1.0);
    EXPECT_TRUE(testing::all_close(weighted.weights, faster.weights, 1e-6, 1e-5))
        << to_string(engine);
    EXPECT_NEAR(weighted.bias, faster.bias, 1e-6 + 1e-5 * std::abs(faster.bias));
  }
  TrainConfig exact = cpu_config(Engine::kAuto);
  exact.solver = Solver::kExact;
  exact.penalty = Penalty::kL2;
  exact.alpha = 0.3;
  const TrainResult relative_solve = train_on_view(exact, relative);
  exact.alpha = 0.1;
  const TrainResult third_penalty = train_on_data(exact, data);
  EXPECT_TRUE(testing::all_close(relative_solve.weights, third_penalty.weights, 1e-6, 1e-5));
  EXPECT_NEAR(relative_solve.bias, third_penalty.bias, 1e-6 + 1e-5 * std::abs(third_penalty.bias));
  DataView own = relative;
  own.weight_mean = 0.0;
  EXPECT_EQ(train_on_view(exact, own).weight_mean, 3.0);

  const TrainConfig config = cpu_config(Engine::kAuto);
  DataView unweighted = view_of(data);
  unweighted.weight_mean = 2.0;
  EXPECT_EQ(testing::message_of<UsageError>([&] { train_on_view(config, unweighted); }),
            "test data: DataView::weight_mean is 2.000000 (must be 0, or above 0 with sample "
            "weights)");
  relative.weight_mean = -1.0;
  EXPECT_EQ(testing::message_of<UsageError>([&] { train_on_view(config, relative); }),
            "test data: DataView::weight_mean is -1.000000 (must be 0, or above 0 with sample "
            "weights)");
  relative.weight_mean = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(testing::message_of<UsageError>([&] { train_on_view(config, relative); }),
            "test data: DataView::weight_mean is NaN (must be 0, or above 0 with sample weights)");
}

TEST(WarmStart, TheRunBeginsAtTheGivenParameters) {
  const Dataset data = regression_data(64, 6, 9);
  const testing::LinearFit fit = testing::least_squares(data.X, data.y, data.rows, data.features);
  InitialParameters start;
  for (double w : fit.weights) start.weights.push_back(static_cast<float>(w));
  start.bias = static_cast<float>(fit.intercept);
  for (const Engine engine : {Engine::kGemv, Engine::kFused}) {
    TrainConfig config = cpu_config(engine);
    config.steps = 1;
    config.learning_rate = 1e-9;  // a step that moves nothing visible
    const DataView view = view_of(data);
    const TrainResult run = train_on_view(config, view, nullptr, &start);
    for (size_t j = 0; j < start.weights.size(); ++j) {
      EXPECT_NEAR(run.weights[j], fit.weights[j], 1e-5) << to_string(engine) << " w" << j;
    }
    EXPECT_NEAR(run.bias, fit.intercept, 1e-5) << to_string(engine);
  }
}

using testing::message_of;

TEST(DataViews, ThatCannotBeTrainedOnAreRefusedNamingTheProblem) {
  const Dataset data = regression_data(32, 3, 2);
  const TrainConfig config = cpu_config(Engine::kAuto);
  DataView view = view_of(data);
  view.source = "X";

  DataView on_gpu = view;
  on_gpu.memory = MemoryKind::kCuda;  // never read: refused first
  EXPECT_NE(message_of<UsageError>([&] {
              train_on_view(config, on_gpu);
            }).find("X: the arrays are in CUDA device memory"),
            std::string::npos);

  DataView empty = view;
  empty.rows = 0;
  EXPECT_NE(message_of<InputError>([&] { train_on_view(config, empty); }).find("0 rows x 3"),
            std::string::npos);

  DataView no_targets = view;
  no_targets.y = nullptr;
  EXPECT_NE(message_of<InputError>([&] {
              train_on_view(config, no_targets);
            }).find("X: X or y is missing"),
            std::string::npos);

  DataView narrow = view;
  narrow.features = 2;
  narrow.source = "validation";
  EXPECT_NE(message_of<InputError>([&] {
              train_on_view(config, view, &narrow);
            }).find("validation has 2 feature columns but the training data has 3"),
            std::string::npos);

  InitialParameters short_start{{0.0f, 0.0f}, 0.0f};
  EXPECT_NE(message_of<InputError>([&] {
              train_on_view(config, view, nullptr, &short_start);
            }).find("the initial weights have 2 values but the data has 3 features"),
            std::string::npos);
  InitialParameters nan_start{{0.0f, std::numeric_limits<float>::quiet_NaN(), 0.0f}, 0.0f};
  EXPECT_NE(message_of<InputError>([&] {
              train_on_view(config, view, nullptr, &nan_start);
            }).find("not all finite"),
            std::string::npos);

  std::vector<float> targets(view.y, view.y + view.rows);
  targets[5] = std::numeric_limits<float>::infinity();
  DataView infinite_target = view;
  infinite_target.y = targets.data();
  EXPECT_NE(message_of<InputError>([&] {
              train_on_view(config, infinite_target);
            }).find("X: row 5 (counted from 0): the target is inf (not finite)"),
            std::string::npos);

  std::vector<float> weights(32, 1.0f);
  weights[3] = -1.0f;
  DataView weighted = view;
  weighted.sample_weights = weights.data();
  EXPECT_NE(message_of<InputError>([&] {
              train_on_view(config, weighted);
            }).find("X: row 3 (counted from 0): sample weight -1.000000 (must be finite and >= 0)"),
            std::string::npos);
  weights[3] = std::numeric_limits<float>::infinity();
  EXPECT_NE(message_of<InputError>([&] { train_on_view(config, weighted); })
                .find("X: row 3 (counted from 0): sample weight inf (must be finite and >= 0; a "
                      "value beyond "
                      "float's range reads as inf)"),
            std::string::npos);
  weights[3] = -std::numeric_limits<float>::quiet_NaN();  // std::to_string's "-nan"
  EXPECT_NE(message_of<InputError>([&] {
              train_on_view(config, weighted);
            }).find("X: row 3 (counted from 0): sample weight NaN (must be finite and >= 0)"),
            std::string::npos);
  std::fill(weights.begin(), weights.end(), 0.0f);
  EXPECT_NE(message_of<InputError>([&] {
              train_on_view(config, weighted);
            }).find("X: every sample weight is 0"),
            std::string::npos);

  Dataset no_y = data;
  no_y.y.clear();
  no_y.source = "file.csv";
  EXPECT_NE(message_of<InputError>([&] { view_of(no_y); }).find("file.csv: no target column"),
            std::string::npos);
}

// Features that are not finite are looked at once a run has failed on them (a divergence, a
// solution beyond float), and named; a validation set's, which only its objective reads, when
// that objective is not finite. Unnamed data are called the data and the validation data.
TEST(DataViews, FeaturesThatAreNotFiniteAreNamed) {
  const Dataset data = regression_data(400, 4, 3);
  TrainConfig config = cpu_config(Engine::kAuto);
  config.steps = 300;
  std::vector<float> X = data.X;
  X[123 * 4 + 2] = std::numeric_limits<float>::quiet_NaN();
  DataView nan_feature = view_of(data);
  nan_feature.source = "";
  nan_feature.X = X.data();
  EXPECT_EQ(message_of<InputError>([&] { train_on_view(config, nan_feature); }),
            "the data: row 123, feature 2 (counted from 0): NaN (every feature must be a finite "
            "number)");
  TrainConfig exact = config;
  exact.solver = Solver::kExact;
  exact.penalty = Penalty::kNone;
  EXPECT_EQ(message_of<InputError>([&] { train_on_view(exact, nan_feature); }),
            "the data: row 123, feature 2 (counted from 0): NaN (every feature must be a finite "
            "number)");
  config.tol = 1e-4;
  config.eval_every = 50;
  const DataView clean = view_of(data);
  DataView validation = nan_feature;
  validation.rows = 200;  // its first 200 rows
  X[17] = -std::numeric_limits<float>::infinity();
  EXPECT_EQ(message_of<InputError>([&] { train_on_view(config, clean, &validation); }),
            "the validation data: row 4, feature 1 (counted from 0): infinite (every feature "
            "must be a finite number)");
}

// A model of a run by epochs keeps the epochs asked for (a model trained again from it passes over
// its data as many times, whatever its rows), beside the steps they came to.
TEST(ModelFromRun, KeepsTheEpochsAsked) {
  const Dataset data = regression_data(300, 3, 5);
  TrainConfig config = cpu_config(Engine::kAuto);
  config.epochs = 5;
  config.batch_size = 64;
  const Model model = model_from_run(train_on_data(config, data), {}, "", std::nullopt);
  EXPECT_EQ(model.hyperparameters.epochs, 5);
  EXPECT_EQ(model.hyperparameters.steps, 24);  // ceil(5 x 300 / 64) draws of 64 rows
}

// Each hook may be left empty: state_every without on_state hands out nothing (it threw
// std::bad_function_call); a negative one, and a DataShard outside its rows or processes or
// without its sums, are refused before a step.
TEST(Hooks, ThatNoRunCanFollowAreRefusedAndEmptyOnesSkipped) {
  const Dataset data = regression_data(300, 3, 4);
  TrainConfig config = cpu_config(Engine::kAuto);
  config.steps = 1100;
  TrainHooks hooks;
  hooks.state_every = 1000;
  EXPECT_EQ(train_on_data(config, data, hooks).weights, train_on_data(config, data).weights);
  hooks.state_every = -3;
  EXPECT_EQ(message_of<UsageError>([&] { train_on_data(config, data, hooks); }),
            "TrainHooks::state_every is -3 (must be 0: none, or more)");
  hooks.state_every = 0;
  DataShard shard;
  shard.rows = shard.total_rows = data.rows;
  shard.sum_doubles = [](double*, int64_t) {};
  hooks.shard = &shard;
  for (const auto& [change, message] :
       std::vector<std::pair<std::function<void(DataShard&)>, std::string>>{
           {[](DataShard& s) { s.processes = 0; }, "DataShard: process 0 of 0"},
           {[](DataShard& s) { s.index = 2; }, "DataShard: process 2 of 1"},
           {[](DataShard& s) { s.first_row = 10; }, "DataShard: rows [10, 310) of 300"},
           {[](DataShard& s) { s.sync_every = -1; }, "DataShard: sync_every -1"},
           {[](DataShard& s) { s.sum_doubles = nullptr; }, "DataShard: sum_doubles must be set"},
           {[](DataShard&) {},
            "DataShard: sum_floats and average_floats must be set on the CPU"}}) {
    DataShard changed = shard;
    change(changed);
    hooks.shard = &changed;
    EXPECT_EQ(message_of<UsageError>([&] { train_on_data(config, data, hooks); }), message);
  }
  // A mean for the weights with a shard, whose weight sums are added across the processes.
  shard.sum_floats = shard.average_floats = [](float*, int64_t) {};
  hooks.shard = &shard;
  const std::vector<float> weights(300, 1.0f);
  DataView weighted = view_of(data);
  weighted.sample_weights = weights.data();
  weighted.weight_mean = 1.0;
  EXPECT_EQ(
      message_of<UsageError>([&] { train_on_view(config, weighted, nullptr, nullptr, hooks); }),
      "test data: DataView::weight_mean applies to one process's data, not to a DataShard");
}

}  // namespace
}  // namespace linsgd
