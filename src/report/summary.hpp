// What linsgd reports: the human summary of a training run, the same figures as the JSON of
// --metrics-out, the loss history as CSV, and evaluation metrics as text or JSON.
#pragma once

#include <optional>
#include <string>

#include "linsgd/metrics.hpp"
#include "linsgd/trainer.hpp"

namespace linsgd {

std::string format_summary(const TrainResult& result,
                           const std::optional<RegressionMetrics>& validation);
struct ReportData;

// `report`, when given, is embedded as the "report" object (what `linsgd plot` redraws from).
std::string format_metrics_json(const TrainResult& result,
                                const std::optional<RegressionMetrics>& validation,
                                const ReportData* report = nullptr);
std::string format_loss_csv(const TrainResult& result);  // "step,batch_loss", steps from 1

std::string format_metrics_text(const RegressionMetrics& metrics);
std::string format_metrics_json(const RegressionMetrics& metrics);

}  // namespace linsgd
