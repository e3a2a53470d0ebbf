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
                       DeviceKind backend, const ProgressCallback& progress) {
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
  loop.run([&](int64_t steps_done, float latest_loss) {
    if (progress) progress({steps_done, config.steps, seconds_since_start(), latest_loss});
  });
  exec.synchronize();
  const double train_seconds = seconds_since_start();

  TrainResult result;
  result.backend = backend;
  result.device = exec.description();
  result.config = config;
  result.rows = data.rows;
  result.features = data.features;
  result.train_seconds = train_seconds;
  result.loss_history = loop.loss_history();
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
