// What a training run reports: the human summary printed by `linsgd train` and the same figures
// as the JSON object written by --metrics-out.
#pragma once

#include <string>

#include "linsgd/trainer.hpp"

namespace linsgd {

std::string format_summary(const TrainResult& result);
std::string format_metrics_json(const TrainResult& result);

}  // namespace linsgd
