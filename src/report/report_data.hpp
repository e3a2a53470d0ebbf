// What the training report (the post's three-panel figure) shows, independent of how it is
// drawn: the loss curve, a scatter with its y = x line (true vs learned weights on synthetic
// data; targets vs predictions on real data), and the biases or the residuals. Curves and
// scatters are decimated to a few thousand points, keeping the last.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "linsgd/trainer.hpp"
#include "report/loss_curve.hpp"

namespace linsgd {

struct ReportData {
  std::string title;  // device, rows x features, steps, final loss, time
  std::vector<int64_t> loss_steps;
  std::vector<float> losses;
  float final_loss = 0.0f;
  bool synthetic = true;
  std::vector<float> scatter_x;  // true weights, or targets
  std::vector<float> scatter_y;  // learned weights, or predictions
  std::string scatter_subject;   // "training rows" or "validation rows" (real data)
  float true_bias = 0.0f;        // synthetic
  float learned_bias = 0.0f;     // synthetic
  std::vector<float> residuals;  // real data: prediction - target
  int64_t residual_rows =
      0;  // real data: the rows the residuals are an even sample of (0: unknown)
};

inline constexpr size_t kMaxPlotPoints = 4000;
// The residuals' histogram counts at most this many rows, an even sample of more.
inline constexpr size_t kMaxResiduals = 4 * kMaxPlotPoints;

// Every k-th index of [0, count) so that at most `limit` remain, always keeping the last.
std::vector<size_t> decimated_indices(size_t count, size_t limit = kMaxPlotPoints);

// Synthetic run: its loss curve, true vs learned weights and biases.
ReportData synthetic_report(const TrainResult& result, const LossCurve& curve);
// Real data: its loss curve, `predictions` against `targets` of the rows named by `subject`.
ReportData real_data_report(const TrainResult& result, const LossCurve& curve,
                            const std::vector<double>& predictions,
                            const std::vector<float>& targets, const std::string& subject);

// The report's panels 2 and 3 as the "report" object of the metrics JSON, and back (with the
// loss curve read from the loss CSV). Throws InputError naming the file when it is malformed.
nlohmann::ordered_json report_json(const ReportData& report);
ReportData report_from_files(const std::string& metrics_path, const std::string& loss_path);

}  // namespace linsgd
