// What linsgd reports: the human summary of a training run, the same figures as the JSON of
// --metrics-out, the loss history as CSV rows, and evaluation metrics as text or JSON.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "linsgd/metrics.hpp"
#include "linsgd/trainer.hpp"

namespace linsgd {

std::string format_summary(const TrainResult& result,
                           const std::optional<RegressionMetrics>& validation);
struct ReportData;

// `report`, when given, is embedded as the "report" object (what `linsgd plot` redraws from).
// `seed_drew_split`: the seed drew a validation split (--val-fraction), so an exact solve's
// figures depend on it too.
std::string format_metrics_json(const TrainResult& result,
                                const std::optional<RegressionMetrics>& validation,
                                const ReportData* report = nullptr, bool seed_drew_split = false);
// The loss CSV: its header line, and the rows of steps [first_step, first_step + losses.size())
// (0-based), written with steps counted from 1.
inline constexpr const char* kLossCsvHeader = "step,batch_loss\n";
std::string loss_csv_rows(int64_t first_step, const std::vector<float>& losses);
// A row of the curve CSV: step,seconds,objective[,validation_objective].
std::string curve_csv_row(const Evaluation& evaluation);

std::string format_metrics_text(const RegressionMetrics& metrics);
std::string format_metrics_json(const RegressionMetrics& metrics);

}  // namespace linsgd
