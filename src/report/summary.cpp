// The report formats: one place that decides which figures a run reports and how.
#include "report/summary.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>

#include "report/report_data.hpp"

namespace linsgd {
namespace {

// printf-style append.
template <class... Values>
void append(std::string& text, const char* format, Values... values) {
  char line[512];
  std::snprintf(line, sizeof(line), format, values...);
  text += line;
}

nlohmann::ordered_json metrics_object(const RegressionMetrics& metrics) {
  return {{"rows", metrics.rows},
          {"mse", metrics.mse},
          {"rmse", metrics.rmse},
          {"mae", metrics.mae},
          {"r2", metrics.r2}};
}

}  // namespace

std::string format_summary(const TrainResult& result,
                           const std::optional<RegressionMetrics>& validation) {
  const TrainConfig& c = result.config;
  std::string text;
  append(text, "device              %s, %s engine\n", result.device.c_str(), to_string(c.engine));
  append(text,
         "problem             %lld rows x %lld features, batch %lld, lr %g, %lld steps, "
         "seed %llu\n",
         static_cast<long long>(result.rows), static_cast<long long>(result.features),
         static_cast<long long>(c.batch_size), c.learning_rate, static_cast<long long>(c.steps),
         static_cast<unsigned long long>(c.seed));
  append(text, "training loop       %.4f s (%.0f steps/s)\n", result.train_seconds,
         result.steps_per_second());
  if (result.interrupted) {
    append(text, "interrupted         after step %lld of %lld\n",
           static_cast<long long>(result.steps_done), static_cast<long long>(c.steps));
  }
  append(text, "final batch loss    %.6f\n", static_cast<double>(result.final_batch_loss()));
  append(text, "full-dataset loss   %.6f\n", result.full_loss);
  if (result.truth) {
    append(text, "||w - w*|| / ||w*|| %.6f\n", result.weight_relative_error());
    append(text, "|b - b*|            %.6f  (b = %.6f, b* = %.6f)\n", result.bias_absolute_error(),
           static_cast<double>(result.bias), static_cast<double>(result.truth->bias));
  }
  if (validation) {
    append(text, "validation          %lld rows: MSE %.6g, RMSE %.6g, MAE %.6g, R2 %.6f\n",
           static_cast<long long>(validation->rows), validation->mse, validation->rmse,
           validation->mae, validation->r2);
  }
  return text;
}

std::string format_metrics_json(const TrainResult& result,
                                const std::optional<RegressionMetrics>& validation,
                                const ReportData* report) {
  const TrainConfig& c = result.config;
  nlohmann::ordered_json json;
  json["device"] = result.device;
  json["backend"] = to_string(result.backend);
  json["engine"] = to_string(c.engine);
  json["rows"] = result.rows;
  json["features"] = result.features;
  json["batch_size"] = c.batch_size;
  json["learning_rate"] = c.learning_rate;
  json["steps"] = c.steps;
  json["sigma"] = c.sigma;
  json["seed"] = c.seed;
  if (result.interrupted) json["interrupted_at_step"] = result.steps_done;
  json["train_seconds"] = result.train_seconds;
  json["steps_per_second"] = result.steps_per_second();
  json["final_batch_loss"] = result.final_batch_loss();
  json["full_loss"] = result.full_loss;
  if (result.truth) {
    json["weight_rel_error"] = result.weight_relative_error();
    json["bias_abs_error"] = result.bias_absolute_error();
    json["bias"] = result.bias;
    json["true_bias"] = result.truth->bias;
  }
  if (validation) json["validation"] = metrics_object(*validation);
  if (report != nullptr) json["report"] = report_json(*report);
  return json.dump(2) + "\n";
}

std::string loss_csv_rows(int64_t first_step, const std::vector<float>& losses) {
  std::string text;
  text.reserve(losses.size() * 20);
  for (size_t i = 0; i < losses.size(); ++i) {
    append(text, "%lld,%.9g\n", static_cast<long long>(first_step) + static_cast<long long>(i) + 1,
           static_cast<double>(losses[i]));
  }
  return text;
}

std::string format_metrics_text(const RegressionMetrics& metrics) {
  std::string text;
  append(text, "rows  %lld\nMSE   %.9g\nRMSE  %.9g\nMAE   %.9g\nR2    %.9g\n",
         static_cast<long long>(metrics.rows), metrics.mse, metrics.rmse, metrics.mae, metrics.r2);
  return text;
}

std::string format_metrics_json(const RegressionMetrics& metrics) {
  return metrics_object(metrics).dump(2) + "\n";
}

}  // namespace linsgd
