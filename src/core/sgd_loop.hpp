// The mini-batch SGD loop, written once over an execution policy (HostExec for the CPU,
// CudaExec for the GPU). Every random draw follows rng_plan.hpp, so for one seed both policies
// draw the same batches and run the same calls in the same order: a CPU run differs from a GPU
// run of the same engine only by float rounding (summation orders).
//
// One step of the gemv engine, for a chunk slot s (the rows of the whole chunk are drawn, or
// walked from an epoch's permutation, before the chunk runs; the fused engine computes the same
// step without the gathered copy):
//   gather   X_b[k, :] = X[i_k, :],  r[k] = b - y[i_k]        (i_k = rows[s * B + k])
//   gemv     r += X_b w                                        (r = X_b w + b - y_b)
//   derive   d[k] = s'_k L'(r_k), l[k] = s'_k L(r_k)          (not for the post's squared loss)
//   gemv     g  = X_b^T d                                      (d = r for the post's loss)
//   update   w, b from g and sum(d) by the StepRule (core/objective.hpp); loss[t]; ++t
// All buffers are allocated by the constructor; between checkpoints (see run) the loop
// allocates nothing, copies nothing between host and device and never waits on the device.
// The losses live in a ring that holds the steps between two checkpoints, so memory does not
// grow with the steps: each checkpoint hands its losses to the caller.
#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "core/checkpoints.hpp"
#include "core/engine_choice.hpp"
#include "core/fused_plan.hpp"
#include "core/gemv_op.hpp"
#include "core/number_text.hpp"
#include "core/objective.hpp"
#include "core/random_generator.hpp"
#include "core/resident_data.hpp"
#include "core/rng_plan.hpp"
#include "core/step_args.hpp"
#include "linsgd/config.hpp"
#include "linsgd/errors.hpp"
#include "linsgd/trainer.hpp"

namespace linsgd {

// The StepRule of `config` on `data` (config.steps and the averaging start resolved).
template <class Exec>
StepRule step_rule(const TrainConfig& config, const ResidentData<Exec>& data) {
  StepRule rule;
  rule.loss = config.loss;
  rule.epsilon = static_cast<float>(config.epsilon);
  rule.l2 = static_cast<float>(config.l2_strength());
  rule.l1 = static_cast<float>(config.l1_strength());
  rule.momentum = static_cast<float>(config.momentum);
  rule.nesterov = config.nesterov;
  rule.schedule = config.schedule;
  rule.power_t = config.power_t;
  rule.warmup = config.warmup;
  rule.total_steps = config.steps;
  rule.average_from = config.average_from ? *config.average_from : -1;
  rule.epoch_sampling = config.sampling != Sampling::kReplacement;
  rule.steps_per_epoch = rng_plan::steps_per_epoch(data.rows, config.batch_size);
  // (A data-parallel run's process holds part of the rows: its batches are gathered.)
  rule.whole_data =
      rule.epoch_sampling && config.batch_size == data.rows && data.held_rows() == data.rows;
  rule.weighted = data.sample_weights != nullptr;
  rule.weight_scale = rule.weighted ? static_cast<double>(data.rows) / data.weight_sum : 1.0;
  rule.fit_intercept = config.fit_intercept;
  const bool full_batches = !rule.epoch_sampling || data.rows % config.batch_size == 0;
  rule.plain_data = config.loss == Loss::kSquared && !rule.weighted && full_batches;
  rule.plain_update = rule.momentum == 0.0f && rule.l2 == 0.0f;
  return rule;
}

// What to try when a run of this configuration diverges. --lr auto is safe for plain SGD; momentum
// M multiplies the step by up to 1 / (1 - M), which a mini-batch's noise may not survive.
// --standardize is suggested where the features were not standardized already.
inline std::string divergence_advice(const TrainConfig& config) {
  if (config.learning_rate_auto && config.momentum > 0.0) {
    return "--lr auto is chosen for SGD without momentum: try a smaller --momentum, a larger "
           "--batch-size, or a --lr below the auto value";
  }
  const std::string or_standardize =
      config.features_standardized ? "" : ", or --standardize the features";
  if (config.learning_rate_auto) return "try a --lr below the auto value" + or_standardize;
  return "try a smaller --lr (or --lr auto)" + or_standardize;
}

template <class Exec>
class SgdLoop {
 public:
  // config.engine must be resolved (kGemv or kFused; see choose_engine), and `fused` is the
  // plan it was chosen with (exec.plan_fused of this shape): the loop prepares and runs that
  // plan, it does not make another. `evaluation_interval` > 0 ends chunks at its multiples.
  // `initial` (when not null) replaces the drawn starting weights and the zero bias. With a
  // `shard` every step sums its gradient and per-row terms across the processes of a
  // data-parallel run before its update (the gemv engine on the CPU; the caller refuses the
  // rest).
  SgdLoop(Exec& exec, const ResidentData<Exec>& data, const TrainConfig& config,
          const FusedPlan& fused, int64_t evaluation_interval = 0,
          const InitialParameters* initial = nullptr, const DataShard* shard = nullptr)
      : exec_(exec),
        engine_(config.engine),
        steps_(config.steps),
        chunk_steps_(chunk_steps_for(config, evaluation_interval, shard)),
        evaluation_interval_(evaluation_interval),
        fused_plan_(fused),
        generator_(exec.make_generator(rng_plan::training_seed(config.seed))),
        rule_(step_rule(config, data)),
        weights_(exec.template allocate<float>(rng_plan::even_count(data.features))),
        bias_(exec.template allocate<float>(1)),
        velocity_(exec.template allocate<float>(rule_.momentum > 0.0f ? data.features + 1 : 0)),
        average_(exec.template allocate<float>(rule_.average_from >= 0 ? data.features + 1 : 0)),
        learning_rate_(exec.template allocate<double>(1)),
        shard_(shard),
        local_steps_(shard != nullptr && shard->local_steps()),
        chunk_period_(chunk_period_for(chunk_steps_, evaluation_interval, shard)),
        sampled_rows_(exec.template allocate<uint32_t>(chunk_steps_ * config.batch_size)),
        local_draws_(exec.template allocate<uint32_t>(
            local_steps_ ? chunk_steps_ * config.batch_size * shard->processes : 0)),
        shuffles_(config.sampling == Sampling::kEpoch),
        epoch_keys_(exec.template allocate<uint32_t>(permutes() ? data.rows : 0)),
        epoch_order_(exec.template allocate<uint32_t>(walks_an_order() ? data.rows : 0)),
        epoch_sorter_(exec.make_key_sorter(permutes() ? data.rows : 0)),
        X_batch_(exec.template allocate<float>(
            engine_ == Engine::kGemv && !rule_.whole_data ? config.batch_size * data.features : 0)),
        residual_(exec.template allocate<float>(config.batch_size)),
        derivative_(exec.template allocate<float>(rule_.plain_data ? 0 : config.batch_size)),
        loss_terms_(exec.template allocate<float>(rule_.plain_data ? 0 : config.batch_size)),
        gradient_(exec.template allocate<float>(data.features)),
        loss_capacity_(loss_ring_capacity(config.batch_size, config.steps)),
        loss_ring_(exec.template allocate<float>(loss_capacity_)),
        step_counter_(exec.template allocate<int64_t>(1)),
        blocks_done_(exec.template allocate<unsigned>(1)),
        fused_partials_(exec.template allocate<float>(
            engine_ == Engine::kFused ? fused_plan_.partial_floats : 0)),
        step_sums_(
            exec.template allocate<float>(exchanged_floats(data.features, config.batch_size))),
        replayer_(exec.make_step_replayer()),
        divergence_advice_(divergence_advice(config)),
        standardized_(config.features_standardized) {
    if (engine_ != Engine::kGemv && engine_ != Engine::kFused) {
      throw Error("SgdLoop needs a resolved engine (gemv or fused)");
    }
    args_.rows = data.rows;
    args_.first_row = data.first_row;
    args_.local_rows = data.held_rows();
    args_.features = data.features;
    args_.batch = config.batch_size;
    if (initial != nullptr) rule_.schedule_step = initial->schedule_step;
    args_.rule = rule_;
    args_.sampled_rows = sampled_rows_.data();
    args_.X = data.X;
    args_.y = data.y;
    args_.sample_weights = data.sample_weights;
    args_.learning_rate = learning_rate_.data();
    args_.weights = weights_.data();
    args_.bias = bias_.data();
    args_.velocity = velocity_.data();
    args_.average = average_.data();
    args_.loss_history = loss_ring_.data();
    args_.loss_capacity = loss_capacity_;
    args_.step_counter = step_counter_.data();
    args_.residual = residual_.data();
    args_.derivative = derivative_.data();
    args_.loss_terms = loss_terms_.data();
    args_.gradient = gradient_.data();
    args_.X_batch = X_batch_.data();
    args_.blocks_done = blocks_done_.data();
    args_.partials = fused_partials_.data();

    // A warm start moves the stream past the initial weights, so that the draws after them are
    // those of a cold start.
    if (initial != nullptr) {
      generator_.skip_normal(weights_.data(), rng_plan::even_count(data.features));
      exec_.upload(weights_, initial->weights);
      exec_.upload_value(bias_, initial->bias);
    } else {
      generator_.normal(weights_.data(), rng_plan::even_count(data.features), 0.0f,
                        static_cast<float>(config.sigma));
      exec_.zero(bias_);
    }
    exec_.zero(velocity_);
    exec_.zero(average_);  // not read before averaging begins, but a state may carry it
    exec_.zero(blocks_done_);
    if (rule_.whole_data) {  // every slot of a chunk: the rows in order, once and for all
      exec_.upload(sampled_rows_, rows_in_order(chunk_steps_ * data.rows, data.rows));
    } else if (walks_an_order() && !shuffles_) {  // sequential: one order for every epoch
      exec_.upload(epoch_order_, rows_in_order(data.rows, data.rows));
    }
    set_learning_rate(config.learning_rate);
    if (engine_ == Engine::kFused) {  // one kernel per chunk: no graph
      require_fused_available(fused_plan_);
      exec_.prepare_fused(fused_plan_, args_);
    } else {
      const auto enqueue = [this](int64_t count) { enqueue_steps(count); };
      for (const int64_t length : chunk_lengths()) replayer_.prepare(length, enqueue);
    }
  }
  SgdLoop(const SgdLoop&) = delete;
  SgdLoop& operator=(const SgdLoop&) = delete;

  // Runs the steps, from the current parameters (a second call trains further), and from step
  // resume()'s state gave, else 0. At each checkpoint (core/checkpoints.hpp) the losses since
  // the last one are copied back, checked for divergence (throws Error naming the first
  // non-finite step) and passed to `on_checkpoint(first_step, losses)`, first_step counting from
  // 0. Between checkpoints nothing waits on the device (the host enqueues far ahead of a GPU, so
  // there the step count decides). After every chunk `stop_after(steps_done)` is asked (it may
  // evaluate the model: a checkpoint comes first at each multiple of the evaluation interval);
  // true ends the run with a last checkpoint. After the chunk that reaches
  // each multiple of `state_every` (> 0) steps, but the last, a checkpoint is taken and then
  // `on_state(steps_done)` called (state() captures the loop's part). Returns the steps done.
  template <class OnCheckpoint, class StopAfter, class OnState>
  int64_t run(OnCheckpoint&& on_checkpoint, StopAfter&& stop_after, int64_t state_every,
              OnState&& on_state) {
    const auto enqueue = [this](int64_t count) { enqueue_steps(count); };
    exec_.upload_value(step_counter_, start_step_);
    int64_t checked = start_step_;
    auto last_checkpoint = std::chrono::steady_clock::now();
    for (int64_t first = start_step_; first < steps_; first = chunk_end(first)) {
      const int64_t count = chunk_end(first) - first;
      sample_rows(first, count);
      if (engine_ == Engine::kFused) {
        enqueue_steps(count);
      } else {
        replayer_.run(count, enqueue);
      }
      const int64_t done = first + count;
      // Local SGD: the models are averaged after every sync_every-th step, inside the chunk's
      // steps when its chunks hold a multiple of sync_every, else here, at the end of the chunks
      // that reach a multiple (see chunk_end); and at the end, and at a stop.
      bool averaged = false;
      if (local_steps_) {
        const int64_t every = shard_->sync_every;
        averaged = every <= chunk_steps_ ? count % every == 0 : done % every == 0;
        if (every > chunk_steps_ && averaged) average_parameters();
      }
      const auto checkpoint = [&] {
        const std::vector<float> losses = losses_since(checked, done);
        check_finite(losses, checked);
        on_checkpoint(checked, losses);
        checked = done;
        last_checkpoint = std::chrono::steady_clock::now();
      };
      // An evaluation (stop_after's, at each multiple of the evaluation interval) reads the
      // model, and waits for it anyway: the losses before it are checked first, so that a
      // diverged run is named by its first non-finite batch loss, before an evaluation of the
      // diverged model reaches a curve.
      if (evaluation_interval_ > 0 && done < steps_ &&
          done / evaluation_interval_ > first / evaluation_interval_) {
        checkpoint();
      }
      const bool stop = done < steps_ && stop_after(done);
      if (local_steps_ && !averaged && (stop || done == steps_)) average_parameters();
      const bool state_due =
          state_every > 0 && !stop && done < steps_ && done / state_every > first / state_every;
      if (done > checked &&
          (done - checked >= kCheckpointSteps || done == steps_ || stop || state_due ||
           std::chrono::steady_clock::now() - last_checkpoint >=
               std::chrono::duration<double>(kCheckpointSeconds))) {
        checkpoint();
      }
      if (state_due) on_state(done);
      if (stop) return done;
    }
    return steps_;
  }
  template <class OnCheckpoint, class StopAfter>
  int64_t run(OnCheckpoint&& on_checkpoint, StopAfter&& stop_after) {
    return run(on_checkpoint, stop_after, 0, [](int64_t) {});
  }
  // Runs every step, with no stop.
  template <class OnCheckpoint>
  int64_t run(OnCheckpoint&& on_checkpoint) {
    return run(on_checkpoint, [](int64_t) { return false; });
  }

  // Continues from `state` (a run of this configuration on this data; not a data-parallel
  // one, see require_shardable): its parameters, momentum,
  // averages and rate, and its step, with the random draws of the steps before it made again
  // (and discarded) so that the next ones are those an uninterrupted run draws. Throws
  // InputError when the state does not fit this run (sizes, or a step outside the run).
  void resume(const TrainingState& state) {
    const auto expect_size = [&](const std::vector<float>& values, int64_t size, const char* what) {
      if (static_cast<int64_t>(values.size()) != size) {
        throw InputError(std::string("the training state's ") + what + " has " +
                         std::to_string(values.size()) + " values; this run needs " +
                         std::to_string(size));
      }
    };
    if (state.steps_done < 0 || state.steps_done >= steps_) {
      throw InputError("the training state is at step " + std::to_string(state.steps_done) +
                       "; this run has steps 0 to " + std::to_string(steps_ - 1) + " to take");
    }
    const int64_t d = args_.features;
    expect_size(state.weights, d, "weights");
    expect_size(state.velocity, rule_.momentum > 0.0f ? d + 1 : 0, "momentum");
    expect_size(state.average, rule_.average_from >= 0 ? d + 1 : 0, "average");
    exec_.upload_from(weights_, state.weights.data(), d);
    exec_.upload_value(bias_, state.bias);
    if (!state.velocity.empty()) exec_.upload(velocity_, state.velocity);
    if (!state.average.empty()) exec_.upload(average_, state.average);
    set_learning_rate(state.learning_rate);
    redraw_before(state.steps_done);
    start_step_ = state.steps_done;
    // The state may come from a run whose chunks ended elsewhere (one that evaluated only to
    // hand out a curve): this run's first chunk then ends early, at a multiple of its chunks.
    const int64_t first_chunk = chunk_end(start_step_) - start_step_;
    if (engine_ == Engine::kGemv) {
      replayer_.prepare(first_chunk, [this](int64_t count) { enqueue_steps(count); });
    }
  }

  // The loop's part of the TrainingState after `steps_done` steps (the caller adds the stopping
  // rules' and the losses). Copies from the device: only between runs or in on_state.
  TrainingState state(int64_t steps_done) {
    TrainingState state;
    state.steps_done = steps_done;
    state.weights = weights();
    state.bias = bias();
    if (rule_.momentum > 0.0f) state.velocity = exec_.download(velocity_, args_.features + 1);
    if (rule_.average_from >= 0) state.average = exec_.download(average_, args_.features + 1);
    state.learning_rate = learning_rate_value_;
    return state;
  }

  // The rate before the schedule's factor, from the next step on (the adaptive schedule lowers
  // it between evaluations). Enqueued: no synchronization.
  void set_learning_rate(double learning_rate) {
    exec_.upload_value(learning_rate_, learning_rate);
    learning_rate_value_ = learning_rate;
  }
  double learning_rate() const { return learning_rate_value_; }

  std::vector<float> weights() { return exec_.download(weights_, args_.features); }
  float bias() { return exec_.download(bias_, 1)[0]; }
  const float* weights_data() const { return weights_.data(); }
  const float* bias_data() const { return bias_.data(); }
  // The model after `steps_done` steps is the averages (from the step --average names).
  bool averaging_begun(int64_t steps_done) const {
    return rule_.average_from >= 0 && steps_done > rule_.average_from;
  }
  // Averaging is asked for, begun or not.
  bool averages() const { return rule_.average_from >= 0; }
  // The model's parameters after `steps_done` steps: the averages once averaging has begun,
  // else the iterate. The bias is at [features] of the averages.
  const float* model_weights_data(int64_t steps_done) const {
    return averaging_begun(steps_done) ? average_.data() : weights_.data();
  }
  const float* model_bias_data(int64_t steps_done) const {
    return averaging_begun(steps_done) ? average_.data() + args_.features : bias_.data();
  }
  const StepRule& rule() const { return rule_; }
  int64_t chunk_steps() const { return chunk_steps_; }

 private:
  // Epoch (or sequential) sampling that walks an order of the rows: all of it but whole-data
  // batches, which read every row each step.
  bool walks_an_order() const { return rule_.epoch_sampling && !rule_.whole_data; }
  // Epoch sampling that draws a permutation every epoch.
  bool permutes() const { return walks_an_order() && shuffles_; }

  // Steps per chunk (see rng_plan::steps_per_chunk). Local SGD draws K B indices a step, and
  // averages every N = sync_every steps: when N fits in a chunk, its chunks hold a multiple of N
  // steps and the averagings come inside them (chunks start at multiples of their length).
  static int64_t chunk_steps_for(const TrainConfig& config, int64_t evaluation_interval,
                                 const DataShard* shard) {
    if (shard == nullptr || !shard->local_steps()) {
      return rng_plan::steps_per_chunk(config.batch_size, config.steps, evaluation_interval);
    }
    const int64_t chunk = rng_plan::steps_per_chunk(config.batch_size * shard->processes,
                                                    config.steps, evaluation_interval);
    const int64_t every = shard->sync_every;
    return every <= chunk ? chunk - chunk % every : chunk;
  }

  // A period longer than a chunk at whose every multiple a chunk must end (0: none): local
  // SGD's averaging interval N, else the evaluation interval (evaluations come after a chunk).
  // A local SGD run's evaluation interval is a multiple of N, so ending chunks at N's multiples
  // ends them at its multiples too; and when N fits in a chunk, the chunks hold multiples of N,
  // so those counted from the evaluations' multiples still start at multiples of N.
  static int64_t chunk_period_for(int64_t chunk_steps, int64_t evaluation_interval,
                                  const DataShard* shard) {
    const int64_t averaging = shard != nullptr && shard->local_steps() ? shard->sync_every : 0;
    if (averaging > chunk_steps) return averaging;
    return evaluation_interval > chunk_steps ? evaluation_interval : 0;
  }

  // Where the chunk that starts at step `first` ends: at the next multiple of chunk_steps_ (a
  // resumed run's first chunk is shorter, so a run evaluates and hands out states at the same
  // steps however it was resumed), or at the run's end. With a chunk period P (averagings or
  // evaluations less often than a chunk's steps) the chunks are counted from each multiple of P
  // instead, so that one ends at every multiple of P: chunks of chunk_steps_ and P mod
  // chunk_steps_. (How the steps are cut into chunks changes no draw: see rng_plan.hpp.)
  int64_t chunk_end(int64_t first) const {
    int64_t end = first + chunk_steps_ - first % chunk_steps_;
    if (chunk_period_ > 0) {
      const int64_t into_period = first % chunk_period_;
      end = first - into_period +
            std::min(chunk_period_, (into_period / chunk_steps_ + 1) * chunk_steps_);
    }
    return std::min(end, steps_);
  }

  // The lengths chunk_end's chunks take from the start of a run to its end (the graphs to
  // prepare): a resumed run's first chunk is prepared by resume().
  std::set<int64_t> chunk_lengths() const {
    const int64_t period = chunk_period_;
    std::set<int64_t> lengths = period > 0 ? std::set<int64_t>{chunk_steps_, period % chunk_steps_,
                                                               steps_ % period % chunk_steps_}
                                           : std::set<int64_t>{chunk_steps_, steps_ % chunk_steps_};
    lengths.erase(0);
    return lengths;
  }

  // Floats a data-parallel exchange packs: local SGD's weights and bias, or a step's gradient
  // and per-row terms.
  int64_t exchanged_floats(int64_t features, int64_t batch) const {
    if (shard_ == nullptr) return 0;
    if (local_steps_) return features + 1;
    return features + (rule_.plain_data ? 1 : 3) * batch;
  }

  // 0, 1, ..., rows - 1, repeated up to `count` entries.
  static std::vector<uint32_t> rows_in_order(int64_t count, int64_t rows) {
    std::vector<uint32_t> in_order(static_cast<size_t>(count));
    for (size_t i = 0; i < in_order.size(); ++i) {
      in_order[i] = static_cast<uint32_t>(i % static_cast<size_t>(rows));
    }
    return in_order;
  }

  // The rows of steps [first, first + count): drawn with replacement (one cuRAND call, mapped
  // to rows on the device), or walked from the epochs' permutations (whole-data batches: set
  // once by the constructor).
  void sample_rows(int64_t first, int64_t count) {
    if (rule_.whole_data) return;
    const int64_t B = args_.batch;
    if (local_steps_) {
      // Process k's rows: the k-th B of the K B draws of each step (step s's are [s K B,
      // (s + 1) K B) of the chunk's, so how the steps are split into chunks changes nothing),
      // mapped into its own rows.
      const int64_t K = shard_->processes;
      generator_.uniform_bits(local_draws_.data(), count * K * B);
      exec_.copy_strided(sampled_rows_.data(), local_draws_.data() + shard_->index * B, count, B,
                         K * B);
      exec_.rows_from_draws(sampled_rows_.data(), count * B, shard_->rows, shard_->first_row);
      return;
    }
    if (!rule_.epoch_sampling) {
      generator_.uniform_bits(sampled_rows_.data(), count * B);
      exec_.rows_from_draws(sampled_rows_.data(), count * B, args_.rows);
      return;
    }
    // Consecutive steps of one epoch take consecutive rows of its order, and their slots are
    // consecutive too: the full batches of an epoch in this chunk are one copy, not one a step
    // (a device copy costs microseconds, as much as a fused step).
    for (int64_t t = first; t < first + count;) {
      const int64_t position = t % rule_.steps_per_epoch;
      if (position == 0 && shuffles_) new_epoch_order();
      uint32_t* slot = sampled_rows_.data() + (t - first) * B;
      int64_t full = 0;  // full batches from step t, within the chunk and the epoch
      while (t + full < first + count && position + full < rule_.steps_per_epoch &&
             batch_rows_at(rule_, t + full, args_.rows, B) == B) {
        ++full;
      }
      if (full > 0) {
        exec_.copy(slot, epoch_order_.data() + position * B, full * B);
        t += full;
        continue;
      }
      // The epoch's short last batch, padded with its first row, which its step gives weight 0:
      // one copy of it, then copies of the padding doubling it (log2 copies, not one a slot).
      const int64_t taken = batch_rows_at(rule_, t, args_.rows, B);
      exec_.copy(slot, epoch_order_.data() + position * B, taken);
      exec_.copy(slot + taken, slot, 1);
      for (int64_t padded = 1; taken + padded < B; padded *= 2) {
        exec_.copy(slot + taken + padded, slot + taken, std::min(padded, B - taken - padded));
      }
      ++t;
    }
  }

  // The draws of steps [0, step), made again in the same calls and discarded, and the order of
  // the epoch in progress at `step` rebuilt: the generator then stands where an uninterrupted
  // run's does before `step` (rng_plan.hpp). The training generator's first draws, the initial
  // weights, were made by the constructor.
  void redraw_before(int64_t step) {
    if (rule_.whole_data) return;
    const int64_t B = args_.batch;
    if (!rule_.epoch_sampling) {
      for (int64_t first = 0; first < step; first += chunk_steps_) {
        generator_.uniform_bits(sampled_rows_.data(), std::min(chunk_steps_, step - first) * B);
      }
      return;
    }
    if (!shuffles_) return;  // sequential: the rows in order, nothing drawn
    const int64_t per_epoch = rule_.steps_per_epoch;
    const int64_t epochs_begun = (step + per_epoch - 1) / per_epoch;
    for (int64_t epoch = 0; epoch < epochs_begun; ++epoch) {
      generator_.uniform_bits(epoch_keys_.data(), args_.rows);
    }
    if (step % per_epoch != 0) epoch_sorter_.order(epoch_keys_.data(), epoch_order_.data());
  }

  // A fresh permutation of the rows: a key per row, then the rows ordered by key.
  void new_epoch_order() {
    generator_.uniform_bits(epoch_keys_.data(), args_.rows);
    epoch_sorter_.order(epoch_keys_.data(), epoch_order_.data());
  }

  // The steps of one chunk; slot s reads its rows from sampled_rows[s * B, (s + 1) * B).
  void enqueue_steps(int64_t count) {
    if (engine_ == Engine::kFused) {
      exec_.fused_steps(fused_plan_, count, args_);
      return;
    }
    const StepArgs& a = args_;
    const float* coefficients = rule_.plain_data ? a.residual : a.derivative;
    // Whole-data batches read X in place: the gather writes only b - y.
    const float* batch_rows = rule_.whole_data ? a.X : a.X_batch;
    for (int64_t slot = 0; slot < count; ++slot) {
      exec_.gather_batch(a, slot);
      exec_.gemv(GemvOp::kTrans, a.features, a.batch, batch_rows, a.weights, 1.0f, a.residual);
      if (!rule_.plain_data) exec_.derive(a, slot);
      exec_.gemv(GemvOp::kNoTrans, a.features, a.batch, batch_rows, coefficients, 0.0f, a.gradient);
      if (shard_ != nullptr && !local_steps_) sum_step_terms();
      exec_.sgd_update(a);
      if (local_steps_ && shard_->sync_every <= chunk_steps_ &&
          (slot + 1) % shard_->sync_every == 0) {
        average_parameters();
      }
    }
  }

  // A data-parallel step's sums, in one exchange: the gradient and the per-row terms the update
  // reads, packed into one array. Each process's terms are 0 at the batch rows it does not
  // hold, so the sums are the one-process run's per-row terms exactly, and its gradient up to
  // the order of addition.
  void sum_step_terms() {
    const StepArgs& a = args_;
    const int64_t per_row = rule_.plain_data ? 0 : a.batch;
    exchange({{a.gradient, a.features},
              {a.residual, a.batch},
              {a.derivative, per_row},
              {a.loss_terms, per_row}},
             shard_->sum_floats);
  }

  // Local SGD's averaging of the processes' weights and biases, in one exchange.
  void average_parameters() {
    exchange({{args_.weights, args_.features}, {args_.bias, 1}}, shard_->average_floats);
  }

  // Packs the arrays into step_sums_, has `combine` sum or average them across the processes,
  // and unpacks the results.
  void exchange(std::initializer_list<std::pair<float*, int64_t>> parts,
                const std::function<void(float*, int64_t)>& combine) {
    // Parts of size 0 (the plain rule's per-row terms, never allocated) are left out: no copy
    // from a null pointer enters a captured step graph.
    float* packed = step_sums_.data();
    int64_t at = 0;
    for (const auto& [part, size] : parts) {
      if (size > 0) exec_.copy(packed + at, part, size), at += size;
    }
    combine(packed, at);
    at = 0;
    for (const auto& [part, size] : parts) {
      if (size > 0) exec_.copy(part, packed + at, size), at += size;
    }
  }

  // The losses of steps [first, last), at most loss_capacity_ of them, out of the ring: step t
  // is at t % loss_capacity_.
  std::vector<float> losses_since(int64_t first, int64_t last) {
    const int64_t start = first % loss_capacity_;
    const int64_t count = last - first;
    const int64_t before_wrap = std::min(count, loss_capacity_ - start);
    std::vector<float> losses = exec_.download_range(loss_ring_, start, before_wrap);
    if (before_wrap < count) {
      const std::vector<float> wrapped = exec_.download_range(loss_ring_, 0, count - before_wrap);
      losses.insert(losses.end(), wrapped.begin(), wrapped.end());
    }
    return losses;
  }

  // Throws when a loss is NaN or infinite: the parameters have diverged, or, at the first step
  // (whose loss is that of the starting parameters, before any update), the scale of the data
  // or of the starting weights overflows float: no step size helps then.
  void check_finite(const std::vector<float>& losses, int64_t first_step) const {
    for (size_t i = 0; i < losses.size(); ++i) {
      if (std::isfinite(losses[i])) continue;
      const std::string loss = number_text(losses[i]);
      const int64_t step = first_step + static_cast<int64_t>(i) + 1;
      if (step == 1) {
        throw InputError("the batch loss of step 1, before any update, is " + loss +
                         ": the starting model's loss on the data overflows float; scale the "
                         "target down (divide it by a power of 10), " +
                         (standardized_ ? "" : "or --standardize the features, ") +
                         "or start from smaller weights (--sigma)");
      }
      throw Error("training diverged: the batch loss became " + loss + " at step " +
                  std::to_string(step) + " of " + std::to_string(steps_) + "; " +
                  divergence_advice_);
    }
  }

  template <class T>
  using Buffer = typename Exec::template Buffer<T>;

  Exec& exec_;
  Engine engine_;
  int64_t steps_;
  int64_t chunk_steps_;
  int64_t evaluation_interval_;  // > 0: stop_after evaluates at its multiples
  int64_t start_step_ = 0;       // where run() begins: 0, or a resumed state's step
  FusedPlan fused_plan_;
  RandomGenerator generator_;
  StepRule rule_;
  Buffer<float> weights_;
  Buffer<float> bias_;
  Buffer<float> velocity_;
  Buffer<float> average_;
  Buffer<double> learning_rate_;
  double learning_rate_value_ = 0.0;
  const DataShard* shard_;  // a data-parallel run's sums and averages, or none
  bool local_steps_;        // the shard's processes step alone between averagings
  int64_t chunk_period_;    // see chunk_period_for
  Buffer<uint32_t> sampled_rows_;
  Buffer<uint32_t> local_draws_;  // local SGD: a chunk's draws for every process
  bool shuffles_;  // a fresh permutation each epoch (epoch sampling), not the rows in order
  Buffer<uint32_t> epoch_keys_;
  Buffer<uint32_t> epoch_order_;
  typename Exec::KeySorter epoch_sorter_;
  Buffer<float> X_batch_;
  Buffer<float> residual_;
  Buffer<float> derivative_;
  Buffer<float> loss_terms_;
  Buffer<float> gradient_;
  int64_t loss_capacity_;  // steps the ring holds: more than any two checkpoints are apart
  Buffer<float> loss_ring_;
  Buffer<int64_t> step_counter_;
  Buffer<unsigned> blocks_done_;
  Buffer<float> fused_partials_;
  // Every pointer and scalar a step reads: the buffers above and the data's, set once (buffers
  // do not move), so captured graphs and the fused kernel see the same values on every chunk.
  StepArgs args_;
  Buffer<float> step_sums_;  // a data-parallel exchange's floats, packed
  typename Exec::StepReplayer replayer_;
  std::string divergence_advice_;  // the end of the error a diverged run throws
  bool standardized_;              // the features were standardized (advice: not --standardize)
};

}  // namespace linsgd
