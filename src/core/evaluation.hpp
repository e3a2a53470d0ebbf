// Evaluations of a model over a whole resident dataset, on either policy: the objective F
// (core/objective.hpp) and the post's full-dataset loss. Each synchronizes: they run at the
// loop's checkpoints and after it, never inside the steps.
#pragma once

#include <utility>

#include "core/resident_data.hpp"
#include "linsgd/config.hpp"
#include "linsgd/trainer.hpp"

namespace linsgd {

// (1 / sum s) sum_i s_i L(p_i + b - y_i) of the `predictions` p (x_i . w), in double; with a
// `shard`, over every process's rows.
template <class Exec>
double mean_loss(Exec& exec, const ResidentData<Exec>& data, const TrainConfig& config,
                 const double* predictions, const float* bias, const DataShard* shard) {
  double data_sum = exec.weighted_loss_sum(data.held_rows(), predictions, bias, data.y,
                                           data.sample_weights, config.loss, config.epsilon);
  if (shard != nullptr) shard->sum_doubles(&data_sum, 1);
  return data_sum / data.weight_sum;
}

// F(w, b) = (1 / sum s) sum_i s_i L(x_i . w + b - y_i) + alpha [(1 - rho) / 2 |w|^2 + rho |w|_1],
// in double, the dot products x_i . w included (predict_in_double: in float, F near its optimum
// would be off by about 1e-4 of itself, as coarse as the targets a fit is measured by);
// `predictions` holds data.rows doubles of scratch. With a `shard`, the sum over the rows is
// every process's (the data being this process's rows).
template <class Exec>
double objective_value(Exec& exec, const ResidentData<Exec>& data, const TrainConfig& config,
                       const float* weights, const float* bias,
                       typename Exec::template Buffer<double>& predictions,
                       const DataShard* shard = nullptr) {
  exec.predict_in_double(data.held_rows(), data.features, data.X, weights, predictions.data());
  const auto [squares, absolutes] = exec.norm_sums(weights, data.features);
  return mean_loss(exec, data, config, predictions.data(), bias, shard) +
         0.5 * config.l2_strength() * squares + config.l1_strength() * absolutes;
}

// F of the model whose weights and bias are all 0 (no penalty then): the mean loss of
// predicting 0, a scale of the data's targets that no run's start or stop changes.
template <class Exec>
double zero_model_objective(Exec& exec, const ResidentData<Exec>& data, const TrainConfig& config,
                            typename Exec::template Buffer<double>& predictions,
                            const DataShard* shard = nullptr) {
  auto zero_bias = exec.template allocate<float>(1);
  exec.zero(zero_bias);
  exec.zero(predictions);
  return mean_loss(exec, data, config, predictions.data(), zero_bias.data(), shard);
}

// 0.5 * mean((X w + b - y)^2) over the whole dataset (every process's rows, with a `shard`), in
// double, as objective_value.
template <class Exec>
double full_dataset_loss(Exec& exec, const ResidentData<Exec>& data, const float* weights,
                         const float* bias, typename Exec::template Buffer<double>& predictions,
                         const DataShard* shard = nullptr) {
  exec.predict_in_double(data.held_rows(), data.features, data.X, weights, predictions.data());
  double square_sum = exec.residual_square_sum(data.held_rows(), predictions.data(), bias, data.y);
  if (shard != nullptr) shard->sum_doubles(&square_sum, 1);
  return 0.5 * square_sum / static_cast<double>(data.rows);
}

}  // namespace linsgd
