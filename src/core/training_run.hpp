// One training run over either execution policy: plan the engine, put the data where training
// runs (generate the synthetic problem there, or make a dataset resident), train with the
// stopping rules, time the step loop, and collect what the trainer reports.
#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "core/engine_choice.hpp"
#include "core/evaluation.hpp"
#include "core/exact_solver.hpp"
#include "core/resident_data.hpp"
#include "core/sgd_loop.hpp"
#include "core/step_size.hpp"
#include "linsgd/errors.hpp"
#include "linsgd/trainer.hpp"

namespace linsgd {

// A model returned with an objective above this many times its starting model's and all-zero
// weights' has diverged, or its steps are too long for the data's noise to settle: far above
// where SGD's noise leaves a run whose start was already near its optimum (a warm start, data
// with no signal), far below where a diverging run ends.
constexpr double kDivergedRatio = 10.0;

// An objective as an error message shows it: six significant digits.
inline std::string objective_text(double objective) {
  char text[32];
  std::snprintf(text, sizeof text, "%.6g", objective);
  return text;
}

// The parameters a run started from, on the host.
struct StartingModel {
  std::vector<float> weights;
  float bias = 0.0f;
};

// Holds the model a run returns (result: its objective, steps and stop) to where it started:
// throws Error when its objective is not finite (diverged), and, for a run ended by its steps or
// a stopping rule, when it is above kDivergedRatio times both the starting model's and that of
// all-zero weights (a pass over the targets alone; the starting model's, over the data, is taken
// only then).
template <class Exec>
void check_returned_objective(Exec& exec, const ResidentData<Exec>& data, const TrainConfig& config,
                              const TrainResult& result, const StartingModel& starting,
                              typename Exec::template Buffer<double>& predictions,
                              const DataShard* shard) {
  const auto starting_objective = [&] {
    auto weights = exec.template allocate<float>(data.features);
    auto bias = exec.template allocate<float>(1);
    exec.upload(weights, starting.weights);
    exec.upload_value(bias, starting.bias);
    return objective_value(exec, data, config, weights.data(), bias.data(), predictions, shard);
  };
  const std::string at_step =
      " at step " + std::to_string(result.steps_done) + " of " + std::to_string(config.steps);
  // Formed in double from float data and finite float weights, F cannot overflow (it stays
  // below d^2 1e154): it is not finite only when an update sent a weight past float's range.
  if (!std::isfinite(result.objective)) {
    throw Error("training diverged: the objective over the data is not finite" + at_step +
                ": an update sent the weights past float's range; " + divergence_advice(config));
  }
  if (result.stopped_by == "interrupt" || result.stopped_by == "time") return;  // to be resumed
  const double zero = zero_model_objective(exec, data, config, predictions, shard);
  if (result.objective <= kDivergedRatio * zero) return;
  const double start = starting_objective();
  if (result.objective <= kDivergedRatio * start) return;
  throw Error("training diverged, or its steps are too long for the data: the objective" + at_step +
              " is " + objective_text(result.objective) + ", more than " +
              std::to_string(static_cast<int>(kDivergedRatio)) + " times " +
              (start >= zero ? objective_text(start) + ", the starting model's; "
                             : objective_text(zero) + ", that of all-zero weights; ") +
              divergence_advice(config));
}

// The run's stopping rules, asked after every chunk: a stop requested by the caller, the time
// budget, and, at every evaluation, a target objective reached, then scikit-learn's rule (no
// improvement of the monitored objective by tol for n_iter_no_change evaluations), which the
// adaptive schedule answers by dividing the rate by 5 (stopping once it falls below 1e-6 of its
// start) and the others by stopping.
template <class Exec>
class StoppingRules {
 public:
  // `validation` may be null; `evaluations` says whether the run evaluates at all.
  StoppingRules(Exec& exec, const TrainConfig& config, const ResidentData<Exec>& data,
                const ResidentData<Exec>* validation, SgdLoop<Exec>& loop, const TrainHooks& hooks,
                bool evaluations)
      : exec_(exec),
        config_(config),
        data_(data),
        validation_(validation),
        loop_(loop),
        hooks_(hooks),
        evaluations_(evaluations),
        next_evaluation_(config.eval_every),
        tol_(config.tol.value_or(TrainConfig::kAdaptiveTol)),
        first_rate_(config.learning_rate),
        predictions_(exec.template allocate<double>(data.held_rows())),
        validation_predictions_(
            exec.template allocate<double>(validation != nullptr ? validation->rows : 0)),
        start_(std::chrono::steady_clock::now()) {}

  // After `done` steps: true ends the run (stopped_by() says why). An evaluation due there comes
  // first, so that a run stopped there by a signal or its time has it, as the run never
  // stopped does (resumed from the state handed out at the stop, the curve is the same).
  bool operator()(int64_t done) {
    if (evaluation_stops(done)) return true;
    // In a data-parallel run, one decision for all, in one exchange every chunk: a stop request
    // (a signal) reaching any process, or any process's clock past --max-seconds, stops every one
    // after the same chunk (a process that stopped alone would leave the others waiting on its
    // sums). (Every process evaluates alike, so the rules above decide alike.)
    double stops[2] = {
        hooks_.stop_requested && hooks_.stop_requested() ? 1.0 : 0.0,
        config_.max_seconds > 0.0 && elapsed_seconds() >= config_.max_seconds ? 1.0 : 0.0};
    if (hooks_.shard != nullptr) hooks_.shard->sum_doubles(stops, 2);
    if (stops[0] > 0.0) return stop("interrupt");
    if (stops[1] > 0.0) return stop("time");
    return false;
  }

  // The evaluation due after `done` steps, if any, and the rules on it: true when they end the
  // run.
  bool evaluation_stops(int64_t done) {
    if (!evaluations_ || done < next_evaluation_) return false;
    while (next_evaluation_ <= done) next_evaluation_ += config_.eval_every;
    const Evaluation evaluation = evaluate(done);
    // Diverged: the stop's checkpoint names the first non-finite batch loss, else
    // check_returned_objective names the objective that is not finite.
    if (!std::isfinite(evaluation.objective)) return stop(kDiverged);
    if (config_.target_objective && evaluation.objective <= *config_.target_objective) {
      return stop("target");
    }
    // With averaging the model is the averages from the step they begin, and the rule watches
    // them alone: evaluations of the iterates before neither count nor set the best, so that no
    // run stops by tol (nor lowers an adaptive rate) before its averages exist.
    if (loop_.averages() && !loop_.averaging_begun(done)) return false;
    const double monitored = evaluation.validation_objective.value_or(evaluation.objective);
    if (monitored > best_ - tol_) {
      ++no_improvement_;
    } else {
      no_improvement_ = 0;
    }
    best_ = std::min(best_, monitored);
    if (no_improvement_ < config_.n_iter_no_change) return false;
    if (config_.schedule == Schedule::kAdaptive) {
      no_improvement_ = 0;
      loop_.set_learning_rate(loop_.learning_rate() / 5.0);
      return loop_.learning_rate() < 1e-6 * first_rate_ && stop("lr");
    }
    return config_.tol.has_value() && stop("tol");
  }

  // Continues from a resumed state's rules: its best objective and count, the first rate, and
  // the evaluation schedule after its step (evaluations come at each multiple of eval_every,
  // where a chunk ends, and a state is taken at a chunk's end).
  void resume(const TrainingState& state) {
    best_ = state.best_objective;
    no_improvement_ = state.evaluations_without_improvement;
    first_rate_ = state.first_learning_rate;
    seconds_before_ = state.seconds;
    if (config_.eval_every > 0) {
      next_evaluation_ = (state.steps_done / config_.eval_every + 1) * config_.eval_every;
    }
  }
  // Where the step loop's clock starts (`start`, that of the run's train_seconds): the time to
  // resume a state and hand its losses and evaluations on is none of the loop's.
  void start_clock(std::chrono::steady_clock::time_point start) { start_ = start; }
  // And where it stops: an evaluation after the loop (the returned model's) is of the loop's
  // time at its end, which train_seconds is.
  void stop_clock(std::chrono::steady_clock::time_point end) { end_ = end; }
  // The rules' part of the TrainingState (and the loop's time so far).
  void fill(TrainingState& state) const {
    state.seconds = loop_seconds();
    state.best_objective = best_;
    state.evaluations_without_improvement = no_improvement_;
    state.first_learning_rate = first_rate_;
  }

  // Evaluates the model after `done` steps and hands it to the hooks, unless its objective is
  // not finite (a diverged model's evaluation reaches no curve).
  Evaluation evaluate(int64_t done) {
    last_evaluated_ = done;
    const auto start = std::chrono::steady_clock::now();
    Evaluation evaluation;
    evaluation.step = done;
    evaluation.seconds = loop_seconds();
    const float* w = loop_.model_weights_data(done);
    const float* b = loop_.model_bias_data(done);
    evaluation.objective = objective_value(exec_, data_, config_, w, b, predictions_, hooks_.shard);
    if (validation_ != nullptr) {
      evaluation.validation_objective =
          objective_value(exec_, *validation_, config_, w, b, validation_predictions_);
    }
    evaluation_seconds_ +=
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (hooks_.on_evaluation && std::isfinite(evaluation.objective)) {
      hooks_.on_evaluation(evaluation);
    }
    return evaluation;
  }

  static constexpr const char* kDiverged = "diverged";  // stopped_by() of a non-finite objective

  const std::string& stopped_by() const { return stopped_by_; }
  int64_t last_evaluated() const { return last_evaluated_; }
  typename Exec::template Buffer<double>& predictions() { return predictions_; }
  typename Exec::template Buffer<double>& validation_predictions() {
    return validation_predictions_;
  }

 private:
  bool stop(const char* reason) {
    stopped_by_ = reason;
    return true;
  }
  // The steps' time, evaluations excluded, of the run's slices before this one and this one's.
  double loop_seconds() const { return seconds_before_ + elapsed_seconds() - evaluation_seconds_; }
  double elapsed_seconds() const {
    const auto now = end_ ? *end_ : std::chrono::steady_clock::now();
    return std::chrono::duration<double>(now - start_).count();
  }

  Exec& exec_;
  const TrainConfig& config_;
  const ResidentData<Exec>& data_;
  const ResidentData<Exec>* validation_;
  SgdLoop<Exec>& loop_;
  const TrainHooks& hooks_;
  bool evaluations_;
  int64_t next_evaluation_;
  double tol_;
  double first_rate_;
  double best_ = std::numeric_limits<double>::infinity();
  int64_t no_improvement_ = 0;
  double evaluation_seconds_ = 0.0;
  double seconds_before_ = 0.0;  // a resumed run's: its earlier slices' loop seconds
  int64_t last_evaluated_ = -1;
  std::string stopped_by_ = "steps";
  typename Exec::template Buffer<double> predictions_;
  typename Exec::template Buffer<double> validation_predictions_;
  std::chrono::steady_clock::time_point start_;
  std::optional<std::chrono::steady_clock::time_point> end_;
};

// Throws Error when the exact solution does not fit in float: coefficients past float's range
// (a target of 1e39 times features of order 1, say), which no model file could hold.
inline void require_finite_solution(const std::vector<float>& weights, float bias) {
  for (size_t j = 0; j < weights.size(); ++j) {
    if (!std::isfinite(weights[j])) {
      throw Error("--solver exact: the solution's weight " + std::to_string(j) + " is " +
                  std::to_string(weights[j]) +
                  " in float: the coefficients are beyond float's range; scale the target "
                  "down, or the features up (--standardize)");
    }
  }
  if (!std::isfinite(bias)) {
    throw Error("--solver exact: the solution's bias is " + std::to_string(bias) +
                " in float: beyond float's range; scale the target down");
  }
}

// The result of --solver exact: the normal equations' solution and its figures.
template <class Exec>
TrainResult solve_exactly(Exec& exec, const TrainConfig& config, const ResidentData<Exec>& data,
                          const ResidentData<Exec>* validation, ResidentTruth<Exec>& truth,
                          bool synthetic, DeviceKind backend, const DataShard* shard,
                          const std::vector<std::string>& feature_names, float fixed_bias) {
  TrainResult result;
  const auto start = std::chrono::steady_clock::now();
  const ExactSolveSeconds parts = solve_normal_equations(
      exec, data, config, result.weights, result.bias, shard, feature_names, fixed_bias);
  result.normal_equations_seconds = parts.normal_equations;
  result.factorization_seconds = parts.factorization;
  exec.synchronize();
  require_finite_solution(result.weights, result.bias);
  result.train_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  result.backend = backend;
  result.device = exec.description();
  result.config = config;
  result.rows = data.rows;
  result.features = data.features;
  result.stopped_by = "exact";
  result.weighted = data.sample_weights != nullptr;
  result.weight_mean = data.weight_sum / static_cast<double>(data.rows);
  auto weights = exec.template allocate<float>(rng_plan::even_count(data.features));
  auto bias = exec.template allocate<float>(1);
  exec.upload(weights, result.weights);
  exec.upload(bias, std::vector<float>{result.bias});
  auto predictions = exec.template allocate<double>(data.held_rows());
  result.objective =
      objective_value(exec, data, config, weights.data(), bias.data(), predictions, shard);
  result.full_loss = full_dataset_loss(exec, data, weights.data(), bias.data(), predictions, shard);
  if (validation != nullptr) {
    auto validation_predictions = exec.template allocate<double>(validation->rows);
    result.validation_objective = objective_value(exec, *validation, config, weights.data(),
                                                  bias.data(), validation_predictions);
  }
  if (synthetic) {
    result.truth = SyntheticTruth{exec.download(truth.weights, data.features),
                                  exec.download(truth.bias, 1)[0]};
  }
  return result;
}

// Makes `data`, this process's rows (or, `synthetic`, the whole generated problem, whose rows
// it then keeps only), the shard of a data-parallel run: n is everyone's, and so is the weight
// sum the objective divides by.
template <class Exec>
void take_shard(const DataShard& shard, bool synthetic, ResidentData<Exec>& data) {
  if (synthetic) {
    data.X += shard.first_row * data.features;
    data.y += shard.first_row;
  } else if (data.rows != shard.rows) {
    throw InputError("--distributed: this process holds " + std::to_string(data.rows) +
                     " rows, its shard " + std::to_string(shard.rows));
  } else {
    shard.sum_doubles(&data.weight_sum, 1);
    if (!(data.weight_sum > 0.0)) throw InputError("--distributed: every sample weight is 0");
  }
  data.first_row = shard.first_row;
  data.local_rows = shard.rows;
  data.rows = shard.total_rows;
}

// `placement` (GPU only) says where the data stay: kHostMapped has the steps read the rows from
// host memory, with the gemv engine (the fused engine's copies need X in device memory).
template <class Exec>
TrainResult train_with(Exec& exec, const TrainConfig& requested, const DataView* dataset,
                       const DataView* validation_set, const InitialParameters* initial,
                       DeviceKind backend, const TrainHooks& hooks,
                       DataPlacement placement = DataPlacement::kDevice) {
  TrainConfig config = requested;
  config.device = backend;
  const int64_t features = dataset != nullptr ? dataset->features : requested.features;
  // Planned once, here: the engine is chosen from this plan and the loop runs it.
  const FusedPlan fused_plan =
      exec.plan_fused(features, requested.batch_size, requested.fused_blocks);
  const DataShard* shard = hooks.shard;
  if (shard != nullptr) {
    require_shardable(requested, validation_set != nullptr, &hooks,
                      shard->local_steps() ? shard->sync_every : 0);
  }
  if (placement == DataPlacement::kHostMapped || shard != nullptr) {
    if (shard == nullptr && (requested.engine == Engine::kFused || requested.fused_blocks > 0)) {
      throw UsageError(
          "--engine fused reads X from GPU memory, and these data stay in host memory (larger "
          "than the GPU's free memory, or --device-memory-limit); use --engine gemv or auto");
    }
    config.engine = Engine::kGemv;
  } else {
    config.engine = choose_engine(requested.engine, fused_plan, requested.fused_blocks);
  }
  ResidentData<Exec> data;
  ResidentTruth<Exec> truth;
  if (dataset != nullptr) {
    make_resident(exec, *dataset, data, placement);
  } else {
    // The CPU's draws on every core, unless --threads fixed the count (the same values).
    exec.with_every_core(requested.threads == 0, [&] {
      generate_synthetic(exec, config.rows, config.features, config.seed, data, truth);
    });
  }
  if (shard != nullptr) take_shard(*shard, dataset == nullptr, data);
  std::optional<ResidentData<Exec>> validation;
  if (validation_set != nullptr) {
    make_resident(exec, *validation_set, validation.emplace(), placement);
  }
  if (config.solver == Solver::kExact) {
    // (Without an intercept a given starting bias is kept, as the steps keep it.)
    return solve_exactly(exec, config, data, validation ? &*validation : nullptr, truth,
                         dataset == nullptr, backend, shard,
                         dataset != nullptr ? dataset->feature_names : std::vector<std::string>{},
                         initial != nullptr ? initial->bias : 0.0f);
  }
  exec.synchronize();
  const auto prepare_start = std::chrono::steady_clock::now();
  const TrainingState* resumed = hooks.resume_from;
  if (config.learning_rate_auto && resumed == nullptr) {  // a resumed run has its rate
    // Whole-data passes: every core, unless --threads fixed the count.
    config.learning_rate = exec.with_every_core(requested.threads == 0, [&] {
      return auto_step_size(exec, data, config, shard).learning_rate;
    });
    if (initial != nullptr && initial->learning_rate_cap > 0.0) {
      config.learning_rate = std::min(config.learning_rate, initial->learning_rate_cap);
    }
  }

  if (resumed != nullptr) config.learning_rate = resumed->first_learning_rate;
  // A checkpointed run keeps its evaluations (and its losses since the last state, if asked) for
  // the states it hands out, which carry them (hooks.on_losses and on_evaluation may take them as
  // they come).
  const bool keeps_history = static_cast<bool>(hooks.on_state);
  // (A state resumed without losses cannot hand out states with all of them.)
  const bool keeps_losses = keeps_history && hooks.state_with_losses &&
                            (resumed == nullptr || !resumed->loss_history.empty());
  std::vector<float> pending_losses;  // since the last state handed out
  std::vector<Evaluation> all_evaluations;
  TrainHooks run_hooks = hooks;
  if (keeps_history) {
    run_hooks.on_evaluation = [&](const Evaluation& evaluation) {
      all_evaluations.push_back(evaluation);
      if (hooks.on_evaluation) hooks.on_evaluation(evaluation);
    };
  }
  const bool evaluations = config.evaluates() || static_cast<bool>(hooks.on_evaluation);
  SgdLoop<Exec> loop(exec, data, config, fused_plan, evaluations ? config.eval_every : 0, initial,
                     shard);
  StoppingRules<Exec> rules(exec, config, data, validation ? &*validation : nullptr, loop,
                            run_hooks, evaluations);
  // The starting model (drawn or given, before a resumed state replaces it: a resumed run holds
  // its model to what the uninterrupted one does), which the returned one is held to.
  const StartingModel starting{exec.download_from(loop.model_weights_data(0), data.features),
                               exec.download_from(loop.model_bias_data(0), 1)[0]};
  TrainResult result;
  if (resumed != nullptr) {
    if (!resumed->loss_history.empty() &&
        (resumed->losses_from != 0 ||
         static_cast<int64_t>(resumed->loss_history.size()) != resumed->steps_done)) {
      throw InputError("the training state's losses are of steps " +
                       std::to_string(resumed->losses_from) + " to " +
                       std::to_string(resumed->losses_from +
                                      static_cast<int64_t>(resumed->loss_history.size())) +
                       "; resuming needs those of steps 0 to " +
                       std::to_string(resumed->steps_done) + ", or none");
    }
    loop.resume(*resumed);
    rules.resume(*resumed);
    // The steps before the state, handed on as if they had just run.
    if (hooks.on_losses) {
      hooks.on_losses(0, resumed->loss_history);
    } else {
      result.loss_history = resumed->loss_history;
    }
    if (!resumed->loss_history.empty()) result.last_batch_loss = resumed->loss_history.back();
    if (run_hooks.on_evaluation) {
      for (const Evaluation& evaluation : resumed->evaluations) run_hooks.on_evaluation(evaluation);
    }
  }
  exec.synchronize();

  const auto start = std::chrono::steady_clock::now();
  rules.start_clock(start);
  const double prepare_seconds = std::chrono::duration<double>(start - prepare_start).count();
  const auto seconds_since_start = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  const auto hand_out_state = [&](int64_t done) {
    TrainingState state = loop.state(done);
    rules.fill(state);
    state.losses_from = done - static_cast<int64_t>(pending_losses.size());
    state.loss_history.swap(pending_losses);
    pending_losses.clear();
    state.evaluations = all_evaluations;
    state.stepped_on = stepped_on(exec.description(), config.engine);
    if (resumed != nullptr && !resumed->stepped_on.empty() &&
        resumed->stepped_on != state.stepped_on) {
      state.stepped_on = kSteppedOnSeveral;
    }
    hooks.on_state(state);
  };
  const int64_t steps_done = loop.run(
      [&](int64_t first_step, const std::vector<float>& losses) {
        const int64_t done = first_step + static_cast<int64_t>(losses.size());
        result.last_batch_loss = losses.back();
        if (keeps_losses) pending_losses.insert(pending_losses.end(), losses.begin(), losses.end());
        if (hooks.on_losses) {
          hooks.on_losses(first_step, losses);
        } else {
          result.loss_history.insert(result.loss_history.end(), losses.begin(), losses.end());
        }
        if (hooks.progress) {
          hooks.progress({done, config.steps, seconds_since_start(), losses.back()});
        }
      },
      rules, hooks.on_state ? hooks.state_every : 0, hand_out_state);  // (each hook may be empty)
  // (Stopped as diverged, by an evaluation whose objective is not finite: the returned model's
  // check below names it.)
  // A run stopped before its end by a signal or its time budget hands out its state there too:
  // resumed (a scheduler's next slot, say), it loses no step. (One stopped by its stopping rule
  // is done.)
  if (hooks.on_state && steps_done < config.steps &&
      (rules.stopped_by() == "interrupt" || rules.stopped_by() == "time")) {
    hand_out_state(steps_done);
  }
  exec.synchronize();
  const auto end = std::chrono::steady_clock::now();
  rules.stop_clock(end);
  const double train_seconds = std::chrono::duration<double>(end - start).count();

  result.backend = backend;
  result.device = exec.description();
  result.config = config;
  result.rows = data.rows;
  result.features = data.features;
  result.steps_done = steps_done;
  result.stopped_by = rules.stopped_by();
  result.interrupted = result.stopped_by == "interrupt";
  result.learning_rate = config.learning_rate;
  result.weighted = data.sample_weights != nullptr;
  result.weight_mean = data.weight_sum / static_cast<double>(data.rows);
  // With the loop seconds of a resumed run's earlier slices: its speed is of all its steps.
  result.train_seconds = train_seconds + (resumed != nullptr ? resumed->seconds : 0.0);
  result.prepare_seconds = prepare_seconds;
  const float* model_weights = loop.model_weights_data(steps_done);
  const float* model_bias = loop.model_bias_data(steps_done);
  result.weights = exec.download_from(model_weights, data.features);
  result.bias = exec.download_from(model_bias, 1)[0];
  // The last evaluation: the model as returned (its curve ends where the run did).
  if (evaluations && rules.last_evaluated() != steps_done) rules.evaluate(steps_done);
  result.objective =
      objective_value(exec, data, config, model_weights, model_bias, rules.predictions(), shard);
  check_returned_objective(exec, data, config, result, starting, rules.predictions(), shard);
  if (validation) {
    result.validation_objective = objective_value(exec, *validation, config, model_weights,
                                                  model_bias, rules.validation_predictions());
  }
  result.full_loss =
      full_dataset_loss(exec, data, model_weights, model_bias, rules.predictions(), shard);
  if (dataset == nullptr) {
    result.truth = SyntheticTruth{exec.download(truth.weights, data.features),
                                  exec.download(truth.bias, 1)[0]};
  }
  return result;
}

}  // namespace linsgd
