// The report formats: one place that decides which figures a run reports and how.
#include "report/summary.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>

#include "model/hyperparameters.hpp"
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
  if (c.solver == Solver::kExact) {
    append(text, "device              %s, exact solver\n", result.device.c_str());
  } else {
    append(text, "device              %s, %s engine\n", result.device.c_str(), to_string(c.engine));
  }
  const char* intercept = c.fit_intercept ? "" : " (no intercept)";
  if (c.solver == Solver::kExact) {
    append(text, "problem             %lld rows x %lld features%s, the normal equations\n",
           static_cast<long long>(result.rows), static_cast<long long>(result.features), intercept);
    append(text, "exact solve         %.4f s (normal equations %.4f s, Cholesky %.4f s)\n",
           result.train_seconds, result.normal_equations_seconds, result.factorization_seconds);
  } else {
    // Sampled without replacement, a batch holds at most every row: a larger --batch-size is
    // full-batch descent on them (step_scalars).
    std::string batch = std::to_string(c.batch_size);
    if (c.sampling != Sampling::kReplacement && result.rows < c.batch_size) {
      batch = std::to_string(result.rows) + " (every row; --batch-size " + batch + ")";
    }
    append(text,
           "problem             %lld rows x %lld features%s, batch %s, lr %g%s, %lld steps, "
           "seed %llu\n",
           static_cast<long long>(result.rows), static_cast<long long>(result.features), intercept,
           batch.c_str(), c.learning_rate, c.learning_rate_auto ? " (auto)" : "",
           static_cast<long long>(c.steps), static_cast<unsigned long long>(c.seed));
    append(text, "training loop       %.4f s (%.0f steps/s)\n", result.train_seconds,
           result.steps_per_second());
  }
  if (result.interrupted) {
    append(text, "interrupted         after step %lld of %lld\n",
           static_cast<long long>(result.steps_done), static_cast<long long>(c.steps));
  } else if (result.stopped_by != "steps" && result.stopped_by != "exact") {
    append(text, "stopped             by %s after step %lld of %lld (%.3g epochs)\n",
           result.stopped_by.c_str(), static_cast<long long>(result.steps_done),
           static_cast<long long>(c.steps), result.epochs_run());
  }
  if (c.solver != Solver::kExact) {
    append(text, "final batch loss    %.6f\n", static_cast<double>(result.final_batch_loss()));
  }
  // full_loss is the post's loss, 0.5 x the unweighted MSE over the training rows: beside a
  // batch loss of another loss function, or of weighted rows, it is named for what it is.
  const bool post_loss = c.loss == Loss::kSquared && !result.weighted;
  append(text, "%s%.6f%s\n", post_loss ? "full-dataset loss   " : "0.5 x MSE           ",
         result.full_loss, validation ? " (training rows)" : "");
  if (c.loss != Loss::kSquared || c.penalty != Penalty::kNone || result.weighted) {
    append(text, "objective           %.9g (%s loss%s%s)\n", result.objective, to_string(c.loss),
           c.penalty == Penalty::kNone ? "" : (std::string(", ") + to_string(c.penalty)).c_str(),
           result.weighted ? ", sample weights" : "");
  }
  if (result.truth) {
    append(text, "||w - w*|| / ||w*|| %.6f\n", result.weight_relative_error());
    // Without an intercept b is not trained: its distance is the price of leaving b* out.
    append(text, "|b - b*|            %.6f  (b = %.6f%s, b* = %.6f)\n",
           result.bias_absolute_error(), static_cast<double>(result.bias),
           c.fit_intercept ? "" : " fixed by --no-intercept",
           static_cast<double>(result.truth->bias));
  }
  if (validation) {
    append(text, "validation          %lld rows: MSE %.6g, RMSE %.6g, MAE %.6g, R2 %.6f\n",
           static_cast<long long>(validation->rows), validation->mse, validation->rmse,
           validation->mae, validation->r2);
  }
  return text;
}

namespace {

// An exact solve's metrics leave out what only SGD has (its engine, steps, rates, sampling,
// stopping rules, speed and batch losses), what only drew synthetic data (sigma; the seed, unless
// it drew a validation split), so that no field reads as a setting the solve used.
void drop_fields_the_exact_solver_has_not(bool synthetic, bool seed_drew_split, bool penalized,
                                          nlohmann::ordered_json& json) {
  for (const char* key :
       {"engine",  "batch_size",       "learning_rate",    "learning_rate_auto", "steps",
        "epsilon", "l1_ratio",         "sampling",         "schedule",           "power_t",
        "warmup",  "momentum",         "nesterov",         "average_from",       "eval_every",
        "tol",     "n_iter_no_change", "target_objective", "max_seconds",        "steps_run",
        "epochs",  "prepare_seconds",  "steps_per_second", "final_batch_loss"}) {
    json.erase(key);
  }
  if (!synthetic) json.erase("sigma");
  if (!synthetic && !seed_drew_split) json.erase("seed");
  if (!penalized) json.erase("alpha");
}

// The run's figures beyond the hyperparameters.
void add_run_figures(const TrainResult& result, nlohmann::ordered_json& json) {
  json["steps_run"] = result.steps_done;
  json["epochs"] = result.epochs_run();
  json["stopped_by"] = result.stopped_by;
  json["objective"] = result.objective;
}

}  // namespace

std::string format_metrics_json(const TrainResult& result,
                                const std::optional<RegressionMetrics>& validation,
                                const ReportData* report, bool seed_drew_split) {
  const TrainConfig& c = result.config;
  nlohmann::ordered_json json;
  json["device"] = result.device;
  json["backend"] = to_string(result.backend);
  json["engine"] = to_string(c.engine);
  json["rows"] = result.rows;
  json["features"] = result.features;
  const nlohmann::ordered_json hyperparameters = hyperparameters_json(c);
  for (const auto& [key, value] : hyperparameters.items()) {
    if (key != "device") json[key] = value;  // "device" here is the device run on
  }
  add_run_figures(result, json);
  if (result.interrupted) json["interrupted_at_step"] = result.steps_done;
  json["train_seconds"] = result.train_seconds;
  json["prepare_seconds"] = result.prepare_seconds;
  if (c.solver == Solver::kExact) {
    json["normal_equations_seconds"] = result.normal_equations_seconds;
    json["factorization_seconds"] = result.factorization_seconds;
  }
  json["steps_per_second"] = result.steps_per_second();
  json["final_batch_loss"] = result.final_batch_loss();
  json["full_loss"] = result.full_loss;
  if (result.truth) {
    json["weight_rel_error"] = result.weight_relative_error();
    json["bias_abs_error"] = result.bias_absolute_error();
    json["bias"] = result.bias;
    json["true_bias"] = result.truth->bias;
  }
  if (validation) {
    json["validation"] = metrics_object(*validation);
    if (result.validation_objective) {
      json["validation"]["objective"] = *result.validation_objective;
    }
  }
  if (report != nullptr) json["report"] = report_json(*report);
  if (c.solver == Solver::kExact) {
    drop_fields_the_exact_solver_has_not(result.truth.has_value(), seed_drew_split,
                                         c.penalty != Penalty::kNone, json);
  }
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

std::string curve_csv_row(const Evaluation& evaluation) {
  std::string text;
  append(text, "%lld,%.6f,%.17g", static_cast<long long>(evaluation.step), evaluation.seconds,
         evaluation.objective);
  if (evaluation.validation_objective) append(text, ",%.17g", *evaluation.validation_objective);
  return text + "\n";
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
