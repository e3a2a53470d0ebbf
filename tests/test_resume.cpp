// Resuming a run from a TrainingState it handed out: the resumed run must end exactly as the run
// that was never stopped (parameters, losses, evaluations, objective), under every option set,
// both engines, every sampling, the adaptive schedule with its stopping rule and --lr auto.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "linsgd/errors.hpp"
#include "linsgd/trainer.hpp"
#include "option_sets.hpp"
#include "test_support.hpp"

namespace linsgd {
namespace {

using testing::integer_weights;
using testing::kOptionSets;
using testing::Options;
using testing::regression_data;

// 203 rows and batches of 16: epochs of 13 steps, the last one short; an evaluation every 10
// steps (so chunks of 10 steps) and a state every 50: states in the middle of epochs.
TrainConfig resumable_config(Engine engine) {
  TrainConfig config;
  config.device = DeviceKind::kCpu;
  config.engine = engine;
  config.threads = 1;
  config.batch_size = 16;
  config.steps = 300;
  config.learning_rate = 0.02;
  config.eval_every = 10;
  return config;
}

struct RecordedRun {
  TrainResult result;
  std::vector<Evaluation> evaluations;
  std::vector<TrainingState> states;
};

// A run with its evaluations and its states every `state_every` steps, resumed from `resume`
// when given. Each state handed out carries the losses since the one before (checked); the
// states kept carry every step's, joined, as a checkpoint's reader gives them back.
RecordedRun run_recorded(const TrainConfig& config, const Dataset& data,
                         const TrainingState* resume = nullptr, int64_t state_every = 50) {
  RecordedRun out;
  TrainHooks hooks;
  hooks.on_evaluation = [&](const Evaluation& e) { out.evaluations.push_back(e); };
  hooks.state_every = state_every;
  std::vector<float> losses = resume != nullptr ? resume->loss_history : std::vector<float>{};
  hooks.on_state = [&](const TrainingState& state) {
    EXPECT_EQ(state.losses_from, static_cast<int64_t>(losses.size()));
    losses.insert(losses.end(), state.loss_history.begin(), state.loss_history.end());
    TrainingState joined = state;
    joined.losses_from = 0;
    joined.loss_history = losses;
    out.states.push_back(joined);
  };
  hooks.resume_from = resume;
  out.result = train_on_data(config, data, hooks);
  return out;
}

void expect_same_end(const RecordedRun& resumed, const RecordedRun& whole,
                     const std::string& label) {
  EXPECT_EQ(resumed.result.weights, whole.result.weights) << label;
  EXPECT_EQ(resumed.result.bias, whole.result.bias) << label;
  EXPECT_EQ(resumed.result.loss_history, whole.result.loss_history) << label;
  EXPECT_EQ(resumed.result.objective, whole.result.objective) << label;
  EXPECT_EQ(resumed.result.steps_done, whole.result.steps_done) << label;
  EXPECT_EQ(resumed.result.stopped_by, whole.result.stopped_by) << label;
  EXPECT_EQ(resumed.result.learning_rate, whole.result.learning_rate) << label;
  ASSERT_EQ(resumed.evaluations.size(), whole.evaluations.size()) << label;
  for (size_t i = 0; i < whole.evaluations.size(); ++i) {
    EXPECT_EQ(resumed.evaluations[i].step, whole.evaluations[i].step) << label;
    EXPECT_EQ(resumed.evaluations[i].objective, whole.evaluations[i].objective) << label;
  }
}

class ResumeOptions : public ::testing::TestWithParam<std::tuple<Options, Engine>> {};

TEST_P(ResumeOptions, EndsAsTheRunThatWasNeverStopped) {
  const auto& [options, engine] = GetParam();
  Dataset data = regression_data(203, 7, 31);
  if (options.weighted) data.sample_weights = integer_weights(data.rows, 32);
  TrainConfig config = resumable_config(engine);
  options.apply(config);
  const RecordedRun whole = run_recorded(config, data);
  ASSERT_EQ(whole.states.size(), 5u);  // after steps 50, 100, ..., 250
  for (const size_t which : {size_t{0}, size_t{3}}) {
    const TrainingState& state = whole.states[which];
    EXPECT_EQ(state.steps_done, 50 * static_cast<int64_t>(which + 1));
    EXPECT_EQ(state.loss_history.size(), static_cast<size_t>(state.steps_done));
    const RecordedRun resumed = run_recorded(config, data, &state);
    expect_same_end(resumed, whole,
                    options.name + " from step " + std::to_string(state.steps_done));
    // The states it hands out after resuming are the uninterrupted run's.
    ASSERT_EQ(resumed.states.size(), whole.states.size() - which - 1);
    const TrainingState& later = resumed.states.back();
    EXPECT_EQ(later.weights, whole.states.back().weights);
    EXPECT_EQ(later.velocity, whole.states.back().velocity);
    EXPECT_EQ(later.average, whole.states.back().average);
  }
}

INSTANTIATE_TEST_SUITE_P(Combinations, ResumeOptions,
                         ::testing::Combine(::testing::ValuesIn(kOptionSets),
                                            ::testing::Values(Engine::kGemv, Engine::kFused)),
                         testing::options_name);

TEST(Resume, AdaptiveRateAutoAndEarlyStoppingContinueWhereTheyWere) {
  const Dataset data = regression_data(203, 7, 33, 0.5);
  TrainConfig config = resumable_config(Engine::kGemv);
  config.learning_rate_auto = true;
  config.schedule = Schedule::kAdaptive;
  config.tol = 1e-4;
  config.n_iter_no_change = 2;
  config.steps = 3000;
  const RecordedRun whole = run_recorded(config, data);
  ASSERT_GE(whole.states.size(), 4u);
  const TrainingState& last = whole.states.back();
  // The state carries a lowered rate and a count of evaluations without improvement.
  EXPECT_LT(last.learning_rate, last.first_learning_rate);
  EXPECT_EQ(last.first_learning_rate, whole.result.learning_rate);
  for (const TrainingState* state : {&whole.states[1], &last}) {
    const RecordedRun resumed = run_recorded(config, data, state);
    expect_same_end(resumed, whole, "from step " + std::to_string(state->steps_done));
  }
}

TEST(Resume, WholeDataAndSequentialBatchesContinue) {
  const Dataset data = regression_data(96, 5, 34);
  for (const Sampling sampling : {Sampling::kEpoch, Sampling::kSequential}) {
    TrainConfig config = resumable_config(Engine::kGemv);
    config.sampling = sampling;
    config.batch_size = sampling == Sampling::kEpoch ? data.rows : 20;  // whole data; short
    config.momentum = 0.5;
    const RecordedRun whole = run_recorded(config, data);
    ASSERT_FALSE(whole.states.empty());
    const RecordedRun resumed = run_recorded(config, data, &whole.states.front());
    expect_same_end(resumed, whole, to_string(sampling));
  }
}

TEST(Resume, LossesGoToTheHookFromStepZero) {
  const Dataset data = regression_data(203, 7, 35);
  TrainConfig config = resumable_config(Engine::kFused);
  const RecordedRun whole = run_recorded(config, data);
  std::vector<float> handed;
  TrainHooks hooks;
  hooks.resume_from = &whole.states[2];
  hooks.on_losses = [&](int64_t first_step, const std::vector<float>& losses) {
    EXPECT_EQ(first_step, static_cast<int64_t>(handed.size()));
    handed.insert(handed.end(), losses.begin(), losses.end());
  };
  const TrainResult resumed = train_on_data(config, data, hooks);
  EXPECT_TRUE(resumed.loss_history.empty());
  EXPECT_EQ(handed, whole.result.loss_history);
  EXPECT_EQ(resumed.weights, whole.result.weights);
}

TEST(Resume, AStateFromARunWithOtherChunksContinues) {
  // The recorded runs evaluate every 10 steps for their curve (chunks of 10 steps); resumed
  // without a curve, the run takes chunks of up to 256 steps from the state's step on.
  const Dataset data = regression_data(203, 7, 37);
  for (const Engine engine : {Engine::kGemv, Engine::kFused}) {
    TrainConfig config = resumable_config(engine);
    config.sampling = Sampling::kEpoch;
    const RecordedRun whole = run_recorded(config, data);
    TrainHooks hooks;
    hooks.resume_from = &whole.states[0];
    const TrainResult resumed = train_on_data(config, data, hooks);
    EXPECT_EQ(resumed.weights, whole.result.weights) << to_string(engine);
    EXPECT_EQ(resumed.loss_history, whole.result.loss_history) << to_string(engine);
  }
}

// A run stopped before its end (a signal, its time budget) hands out its state at the stop, past
// the last multiple of state_every; resumed from it, the run ends as the one never stopped.
TEST(Resume, AStoppedRunHandsOutItsStateWhereItStopped) {
  const Dataset data = regression_data(203, 7, 38);
  for (const Engine engine : {Engine::kGemv, Engine::kFused}) {
    const TrainConfig config = resumable_config(engine);
    const RecordedRun whole = run_recorded(config, data);
    std::vector<TrainingState> states;
    std::vector<float> losses;
    int chunks = 0;
    TrainHooks hooks;
    hooks.on_evaluation = [](const Evaluation&) {};  // chunks of 10 steps, as run_recorded's
    hooks.state_every = 50;
    hooks.stop_requested = [&] { return ++chunks == 7; };
    hooks.on_state = [&](const TrainingState& state) {
      losses.insert(losses.end(), state.loss_history.begin(), state.loss_history.end());
      states.push_back(state);
    };
    const TrainResult stopped = train_on_data(config, data, hooks);
    EXPECT_EQ(stopped.stopped_by, "interrupt");
    ASSERT_EQ(stopped.steps_done, 70);
    ASSERT_EQ(states.size(), 2u);  // at 50, then at the stop
    TrainingState at_stop = states.back();
    EXPECT_EQ(at_stop.steps_done, 70);
    EXPECT_EQ(at_stop.losses_from, 50);
    at_stop.losses_from = 0;
    at_stop.loss_history = losses;
    const RecordedRun resumed = run_recorded(config, data, &at_stop);
    expect_same_end(resumed, whole, std::string("from the stop at step 70, ") + to_string(engine));
  }
}

// A resumed run's time goes on from its state's: the seconds of its evaluations and states, and
// its train_seconds, count the slices before it too (the state's 1000 s here).
TEST(Resume, TimeGoesOnFromTheState) {
  const Dataset data = regression_data(203, 7, 39);
  const TrainConfig config = resumable_config(Engine::kGemv);
  const RecordedRun whole = run_recorded(config, data);
  TrainingState state = whole.states.front();
  EXPECT_GT(state.seconds, 0.0);
  EXPECT_LE(state.seconds, whole.result.train_seconds);
  state.seconds = 1000.0;
  const RecordedRun resumed = run_recorded(config, data, &state);
  EXPECT_GE(resumed.result.train_seconds, 1000.0);
  EXPECT_LT(resumed.result.train_seconds, 1000.0 + 60.0);
  int later = 0;
  for (const Evaluation& evaluation : resumed.evaluations) {
    if (evaluation.step <= state.steps_done) continue;  // the state's, handed on as they were
    EXPECT_GE(evaluation.seconds, 1000.0) << evaluation.step;
    ++later;
  }
  EXPECT_GT(later, 0);
  ASSERT_FALSE(resumed.states.empty());
  for (const TrainingState& later_state : resumed.states) EXPECT_GE(later_state.seconds, 1000.0);
}

// The loop's clock starts with the loop: the time a resumed run takes to hand the state's losses
// on (writing a loss file, say: half a second here) counts in neither its curve's seconds nor its
// train_seconds, so the curve never passes the run's time.
TEST(Resume, HandingTheStatesLossesOnIsNoneOfTheLoopsTime) {
  const Dataset data = regression_data(203, 7, 40);
  const TrainConfig config = resumable_config(Engine::kGemv);
  TrainingState state = run_recorded(config, data).states.front();
  state.seconds = 1000.0;
  std::vector<Evaluation> evaluations;
  TrainHooks hooks;
  hooks.resume_from = &state;
  hooks.on_losses = [&](int64_t first_step, const std::vector<float>&) {
    if (first_step == 0) std::this_thread::sleep_for(std::chrono::milliseconds(500));
  };
  hooks.on_evaluation = [&](const Evaluation& e) { evaluations.push_back(e); };
  const TrainResult resumed = train_on_data(config, data, hooks);
  ASSERT_GT(evaluations.back().step, state.steps_done);
  EXPECT_LE(evaluations.back().seconds, resumed.train_seconds);
  EXPECT_LT(evaluations.back().seconds, 1000.0 + 0.5);
}

TEST(Resume, AStateThatDoesNotFitTheRunIsRefused) {
  const Dataset data = regression_data(203, 7, 36);
  TrainConfig config = resumable_config(Engine::kGemv);
  config.momentum = 0.9;
  const RecordedRun whole = run_recorded(config, data);
  const auto refusal = [&](void (*damage)(TrainingState&)) {
    TrainingState state = whole.states.front();
    damage(state);
    TrainHooks hooks;
    hooks.resume_from = &state;
    return testing::message_of<InputError>([&] { train_on_data(config, data, hooks); });
  };
  EXPECT_EQ(refusal([](TrainingState& s) { s.weights.pop_back(); }),
            "the training state's weights has 6 values; this run needs 7");
  EXPECT_EQ(refusal([](TrainingState& s) { s.velocity.clear(); }),
            "the training state's momentum has 0 values; this run needs 8");
  EXPECT_EQ(refusal([](TrainingState& s) { s.steps_done = 300; }),
            "the training state's losses are of steps 0 to 50; resuming needs those of steps 0 to "
            "300, or none");
  EXPECT_EQ(refusal([](TrainingState& s) {
              s.steps_done = 300;
              s.loss_history.clear();
            }),
            "the training state is at step 300; this run has steps 0 to 299 to take");
  EXPECT_EQ(refusal([](TrainingState& s) {  // a state as handed out, its losses since step 20
              s.losses_from = 20;
              s.loss_history.erase(s.loss_history.begin(), s.loss_history.begin() + 20);
            }),
            "the training state's losses are of steps 20 to 50; resuming needs those of steps 0 "
            "to 50, or none");
}

// A state and initial parameters together are refused: before, the state won without a word.
TEST(Resume, AStateWithInitialParametersIsRefused) {
  const Dataset data = regression_data(203, 7, 36);
  const TrainConfig config = resumable_config(Engine::kGemv);
  const RecordedRun whole = run_recorded(config, data);
  TrainHooks hooks;
  hooks.resume_from = &whole.states.front();
  InitialParameters initial;
  initial.weights.assign(7, 0.5f);
  initial.bias = 1.0f;
  EXPECT_EQ(testing::message_of<UsageError>(
                [&] { train_on_view(config, view_of(data), nullptr, &initial, hooks); }),
            "initial parameters and TrainHooks::resume_from: a resumed run goes on from the "
            "state's parameters; pass one of the two");
}

}  // namespace
}  // namespace linsgd
