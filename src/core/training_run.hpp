// One training run over either execution policy: plan the engine, put the data where training
// runs (generate the synthetic problem there, or make a dataset resident), train, time the step
// loop, and collect what the trainer reports.
#pragma once

#include <chrono>

#include "core/engine_choice.hpp"
#include "core/resident_data.hpp"
#include "core/sgd_loop.hpp"
#include "linsgd/trainer.hpp"

namespace linsgd {

template <class Exec>
TrainResult train_with(Exec& exec, const TrainConfig& requested, const Dataset* dataset,
                       DeviceKind backend, const TrainHooks& hooks) {
  TrainConfig config = requested;
  config.device = backend;
  const int64_t features = dataset != nullptr ? dataset->features : requested.features;
  // Planned once, here: the engine is chosen from this plan and the loop runs it.
  const FusedPlan fused_plan =
      exec.plan_fused(features, requested.batch_size, requested.fused_blocks);
  config.engine = choose_engine(requested.engine, fused_plan, requested.fused_blocks);
  ResidentData<Exec> data;
  ResidentTruth<Exec> truth;
  if (dataset != nullptr) {
    make_resident(exec, dataset->X, dataset->y, dataset->rows, dataset->features, data);
  } else {
    generate_synthetic(exec, config.rows, config.features, config.seed, data, truth);
  }
  SgdLoop<Exec> loop(exec, data, config, fused_plan);
  exec.synchronize();

  const auto start = std::chrono::steady_clock::now();
  const auto seconds_since_start = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  TrainResult result;
  const int64_t steps_done = loop.run(
      [&](int64_t first_step, const std::vector<float>& losses) {
        const int64_t done = first_step + static_cast<int64_t>(losses.size());
        result.last_batch_loss = losses.back();
        if (hooks.on_losses) {
          hooks.on_losses(first_step, losses);
        } else {
          result.loss_history.insert(result.loss_history.end(), losses.begin(), losses.end());
        }
        if (hooks.progress) {
          hooks.progress({done, config.steps, seconds_since_start(), losses.back()});
        }
      },
      [&] { return hooks.stop_requested && hooks.stop_requested(); });
  exec.synchronize();
  const double train_seconds = seconds_since_start();

  result.backend = backend;
  result.device = exec.description();
  result.config = config;
  result.rows = data.rows;
  result.features = data.features;
  result.steps_done = steps_done;
  result.interrupted = steps_done < config.steps;
  result.train_seconds = train_seconds;
  result.weights = loop.weights();
  result.bias = loop.bias();
  result.full_loss = full_dataset_loss(exec, data, loop.weights_data(), loop.bias_data());
  if (dataset == nullptr) {
    result.truth = SyntheticTruth{exec.download(truth.weights, data.features),
                                  exec.download(truth.bias, 1)[0]};
  }
  return result;
}

}  // namespace linsgd
