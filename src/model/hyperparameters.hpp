// A run's hyperparameters as JSON, the one description the model file and the metrics JSON
// share: every option of TrainConfig that shapes the trained model, by its option's name
// (batch_size, learning_rate, loss, penalty, ...), enums by their option values.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "linsgd/config.hpp"

namespace linsgd {

nlohmann::ordered_json hyperparameters_json(const TrainConfig& config);

// Reads what hyperparameters_json wrote back into `config` (absent keys keep its values, so
// older files read). Throws InputError naming `source` and the key for a value of the wrong
// kind or an unknown name.
void read_hyperparameters(const nlohmann::ordered_json& json, const std::string& source,
                          TrainConfig& config);

}  // namespace linsgd
