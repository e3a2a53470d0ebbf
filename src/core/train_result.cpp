// The figures TrainResult derives from a run: steps a second and the errors against the
// synthetic truth.
#include <cmath>

#include "linsgd/errors.hpp"
#include "linsgd/trainer.hpp"

namespace linsgd {

double TrainResult::steps_per_second() const {
  return train_seconds > 0.0 ? static_cast<double>(steps_done) / train_seconds : 0.0;
}

double TrainResult::epochs_run() const {
  return rows > 0 ? static_cast<double>(steps_done) * static_cast<double>(config.batch_size) /
                        static_cast<double>(rows)
                  : 0.0;
}

double TrainResult::weight_relative_error() const {
  if (!truth) throw Error("weight error needs the true weights of synthetic data");
  double difference = 0.0;
  double reference = 0.0;
  for (size_t j = 0; j < weights.size(); ++j) {
    const double delta = static_cast<double>(weights[j]) - truth->weights[j];
    difference += delta * delta;
    reference += static_cast<double>(truth->weights[j]) * truth->weights[j];
  }
  return std::sqrt(difference) / std::sqrt(reference);
}

double TrainResult::bias_absolute_error() const {
  if (!truth) throw Error("bias error needs the true bias of synthetic data");
  return std::abs(static_cast<double>(bias) - truth->bias);
}

}  // namespace linsgd
