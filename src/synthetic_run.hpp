// One training run on the post's synthetic problem, over either execution policy: generate the
// data where training runs, train, time the step loop, and collect what the trainer reports.
#pragma once

#include <chrono>

#include "linsgd/trainer.hpp"
#include "sgd_engine.hpp"

namespace linsgd {

template <class Exec>
TrainResult train_synthetic_with(Exec& exec, const TrainConfig& config, DeviceKind backend) {
  ResidentData<Exec> data;
  ResidentTruth<Exec> truth;
  generate_synthetic(exec, config.rows, config.features, config.seed, data, truth);
  SgdLoop<Exec> loop(exec, data, config);
  exec.synchronize();

  const auto start = std::chrono::steady_clock::now();
  loop.run();
  exec.synchronize();
  const auto stop = std::chrono::steady_clock::now();

  TrainResult result;
  result.backend = backend;
  result.device = exec.description();
  result.config = config;
  result.config.device = backend;
  result.rows = data.rows;
  result.features = data.features;
  result.train_seconds = std::chrono::duration<double>(stop - start).count();
  result.loss_history = loop.loss_history();
  result.weights = loop.weights();
  result.bias = loop.bias();
  result.full_loss = full_dataset_loss(exec, data, loop.weights_data(), loop.bias_data());
  result.truth =
      SyntheticTruth{exec.download(truth.weights, data.features), exec.download(truth.bias, 1)[0]};
  return result;
}

}  // namespace linsgd
