// The mini-batch SGD loop of the reference post, written once over an execution policy
// (HostExec for the CPU, CudaExec for the GPU). Every random draw follows rng_plan.hpp, so for
// one seed both policies draw the same batches and run the same calls in the same order: a CPU
// run differs from a GPU run of the same engine only by float rounding (summation orders).
//
// One step of the gemv engine, for a chunk slot s (draws for the whole chunk are made before
// the chunk runs; the fused engine computes the same step without the gathered copy):
//   gather   X_b[k, :] = X[i_k, :],  r[k] = b - y[i_k]        (i_k from draws[s * B + k])
//   gemv     r += X_b w                                        (r = X_b w + b - y_b)
//   gemv     g  = X_b^T r
//   update   w -= (lr / B) g;  b -= (lr / B) sum(r);  loss[t] = 0.5 mean(r^2);  ++t
// All buffers are allocated by the constructor; between checkpoints (see run) the loop
// allocates nothing, copies nothing between host and device and never waits on the device.
// The losses live in a ring that holds the steps between two checkpoints, so memory does not
// grow with the steps: each checkpoint hands its losses to the caller.
#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "core/checkpoints.hpp"
#include "core/engine_choice.hpp"
#include "core/fused_plan.hpp"
#include "core/gemv_op.hpp"
#include "core/random_generator.hpp"
#include "core/resident_data.hpp"
#include "core/rng_plan.hpp"
#include "core/step_args.hpp"
#include "linsgd/config.hpp"
#include "linsgd/errors.hpp"

namespace linsgd {

template <class Exec>
class SgdLoop {
 public:
  // config.engine must be resolved (kGemv or kFused; see choose_engine), and `fused` is the
  // plan it was chosen with (exec.plan_fused of this shape): the loop prepares and runs that
  // plan, it does not make another.
  SgdLoop(Exec& exec, const ResidentData<Exec>& data, const TrainConfig& config,
          const FusedPlan& fused)
      : exec_(exec),
        engine_(config.engine),
        steps_(config.steps),
        chunk_steps_(rng_plan::steps_per_chunk(config.batch_size, config.steps)),
        fused_plan_(fused),
        generator_(exec.make_generator(rng_plan::training_seed(config.seed))),
        weights_(exec.template allocate<float>(rng_plan::even_count(data.features))),
        bias_(exec.template allocate<float>(1)),
        draws_(exec.template allocate<uint32_t>(chunk_steps_ * config.batch_size)),
        X_batch_(exec.template allocate<float>(
            engine_ == Engine::kGemv ? config.batch_size * data.features : 0)),
        residual_(exec.template allocate<float>(config.batch_size)),
        gradient_(exec.template allocate<float>(data.features)),
        loss_capacity_(loss_ring_capacity(config.batch_size, config.steps)),
        loss_ring_(exec.template allocate<float>(loss_capacity_)),
        step_counter_(exec.template allocate<int64_t>(1)),
        fused_partials_(exec.template allocate<float>(
            engine_ == Engine::kFused ? fused_plan_.partial_floats : 0)),
        fused_barrier_(exec.template allocate<unsigned>(engine_ == Engine::kFused ? 1 : 0)),
        replayer_(exec.make_step_replayer()) {
    if (engine_ != Engine::kGemv && engine_ != Engine::kFused) {
      throw Error("SgdLoop needs a resolved engine (gemv or fused)");
    }
    args_.rows = data.rows;
    args_.features = data.features;
    args_.batch = config.batch_size;
    args_.scale = static_cast<float>(config.learning_rate / static_cast<double>(config.batch_size));
    args_.draws = draws_.data();
    args_.X = data.X;
    args_.y = data.y;
    args_.weights = weights_.data();
    args_.bias = bias_.data();
    args_.loss_history = loss_ring_.data();
    args_.loss_capacity = loss_capacity_;
    args_.step_counter = step_counter_.data();
    args_.residual = residual_.data();
    args_.gradient = gradient_.data();
    args_.X_batch = X_batch_.data();
    args_.partials = fused_partials_.data();
    args_.barrier = fused_barrier_.data();

    generator_.normal(weights_.data(), rng_plan::even_count(data.features), 0.0f,
                      static_cast<float>(config.sigma));
    exec_.zero(bias_);
    if (engine_ == Engine::kFused) {  // one kernel per chunk: no graph
      require_fused_available(fused_plan_);
      exec_.prepare_fused(fused_plan_, args_);
    } else {
      const auto enqueue = [this](int64_t count) { enqueue_steps(count); };
      replayer_.prepare(chunk_steps_, enqueue);
      if (steps_ % chunk_steps_ != 0) replayer_.prepare(steps_ % chunk_steps_, enqueue);
    }
  }
  SgdLoop(const SgdLoop&) = delete;
  SgdLoop& operator=(const SgdLoop&) = delete;

  // Runs the steps, from the current parameters (a second call trains further). At each
  // checkpoint (core/checkpoints.hpp) the losses since the last one are copied back, checked for
  // divergence (throws Error naming the first non-finite step) and passed to
  // `on_checkpoint(first_step, losses)`, first_step counting from 0. Between checkpoints nothing
  // waits on the device (the host enqueues far ahead of a GPU, so there the step count decides).
  // After every chunk `stop_requested()` is asked; true ends the run with a last checkpoint.
  // Returns the steps done.
  template <class OnCheckpoint, class StopRequested>
  int64_t run(OnCheckpoint&& on_checkpoint, StopRequested&& stop_requested) {
    const auto enqueue = [this](int64_t count) { enqueue_steps(count); };
    exec_.zero(step_counter_);
    int64_t checked = 0;
    auto last_checkpoint = std::chrono::steady_clock::now();
    for (int64_t first = 0; first < steps_; first += chunk_steps_) {
      const int64_t count = std::min(chunk_steps_, steps_ - first);
      generator_.uniform_bits(draws_.data(), count * args_.batch);
      if (engine_ == Engine::kFused) {
        enqueue_steps(count);
      } else {
        replayer_.run(count, enqueue);
      }
      const int64_t done = first + count;
      const bool stop = done < steps_ && stop_requested();
      const auto now = std::chrono::steady_clock::now();
      if (done - checked >= kCheckpointSteps || done == steps_ || stop ||
          now - last_checkpoint >= std::chrono::duration<double>(kCheckpointSeconds)) {
        const std::vector<float> losses = losses_since(checked, done);
        check_finite(losses, checked);
        on_checkpoint(checked, losses);
        checked = done;
        last_checkpoint = now;
      }
      if (stop) return done;
    }
    return steps_;
  }
  // Runs every step, with no stop.
  template <class OnCheckpoint>
  int64_t run(OnCheckpoint&& on_checkpoint) {
    return run(on_checkpoint, [] { return false; });
  }

  std::vector<float> weights() { return exec_.download(weights_, args_.features); }
  float bias() { return exec_.download(bias_, 1)[0]; }
  const float* weights_data() const { return weights_.data(); }
  const float* bias_data() const { return bias_.data(); }

 private:
  // The steps of one chunk; slot s reads its indices from draws[s * B, (s + 1) * B).
  void enqueue_steps(int64_t count) {
    if (engine_ == Engine::kFused) {
      exec_.fused_steps(fused_plan_, count, args_);
      return;
    }
    const StepArgs& a = args_;
    for (int64_t slot = 0; slot < count; ++slot) {
      exec_.gather_batch(a, slot);
      exec_.gemv(GemvOp::kTrans, a.features, a.batch, a.X_batch, a.weights, 1.0f, a.residual);
      exec_.gemv(GemvOp::kNoTrans, a.features, a.batch, a.X_batch, a.residual, 0.0f, a.gradient);
      exec_.sgd_update(a);
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

  // Throws when a loss is NaN or infinite: the parameters have diverged.
  void check_finite(const std::vector<float>& losses, int64_t first_step) const {
    for (size_t i = 0; i < losses.size(); ++i) {
      if (!std::isfinite(losses[i])) {
        throw Error("training diverged: the batch loss became " + std::to_string(losses[i]) +
                    " at step " + std::to_string(first_step + static_cast<int64_t>(i) + 1) +
                    " of " + std::to_string(steps_) +
                    "; try a smaller --lr, or --standardize the features");
      }
    }
  }

  template <class T>
  using Buffer = typename Exec::template Buffer<T>;

  Exec& exec_;
  Engine engine_;
  int64_t steps_;
  int64_t chunk_steps_;
  FusedPlan fused_plan_;
  RandomGenerator generator_;
  Buffer<float> weights_;
  Buffer<float> bias_;
  Buffer<uint32_t> draws_;
  Buffer<float> X_batch_;
  Buffer<float> residual_;
  Buffer<float> gradient_;
  int64_t loss_capacity_;  // steps the ring holds: more than any two checkpoints are apart
  Buffer<float> loss_ring_;
  Buffer<int64_t> step_counter_;
  Buffer<float> fused_partials_;
  Buffer<unsigned> fused_barrier_;
  // Every pointer and scalar a step reads: the buffers above and the data's, set once (buffers
  // do not move), so captured graphs and the fused kernel see the same values on every chunk.
  StepArgs args_;
  typename Exec::StepReplayer replayer_;
};

}  // namespace linsgd
