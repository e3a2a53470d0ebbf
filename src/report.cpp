// format_summary and format_metrics_json: one place that decides which figures a run reports.
#include "report.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>

namespace linsgd {

std::string format_summary(const TrainResult& result) {
  const TrainConfig& c = result.config;
  std::string text;
  char line[512];
  const auto add = [&](const char* format, auto... values) {
    std::snprintf(line, sizeof(line), format, values...);
    text += line;
  };
  add("device              %s\n", result.device.c_str());
  add("problem             %lld rows x %lld features, batch %lld, lr %g, %lld steps, seed %llu\n",
      static_cast<long long>(result.rows), static_cast<long long>(result.features),
      static_cast<long long>(c.batch_size), c.learning_rate, static_cast<long long>(c.steps),
      static_cast<unsigned long long>(c.seed));
  add("training loop       %.4f s (%.0f steps/s)\n", result.train_seconds,
      result.steps_per_second());
  add("final batch loss    %.6f\n", static_cast<double>(result.final_batch_loss()));
  add("full-dataset loss   %.6f\n", result.full_loss);
  if (result.truth) {
    add("||w - w*|| / ||w*|| %.6f\n", result.weight_relative_error());
    add("|b - b*|            %.6f  (b = %.6f, b* = %.6f)\n", result.bias_absolute_error(),
        static_cast<double>(result.bias), static_cast<double>(result.truth->bias));
  }
  return text;
}

std::string format_metrics_json(const TrainResult& result) {
  const TrainConfig& c = result.config;
  nlohmann::ordered_json json;
  json["device"] = result.device;
  json["backend"] = to_string(result.backend);
  json["rows"] = result.rows;
  json["features"] = result.features;
  json["batch_size"] = c.batch_size;
  json["learning_rate"] = c.learning_rate;
  json["steps"] = c.steps;
  json["sigma"] = c.sigma;
  json["seed"] = c.seed;
  json["train_seconds"] = result.train_seconds;
  json["steps_per_second"] = result.steps_per_second();
  json["final_batch_loss"] = result.final_batch_loss();
  json["full_loss"] = result.full_loss;
  if (result.truth) {
    json["weight_rel_error"] = result.weight_relative_error();
    json["bias_abs_error"] = result.bias_absolute_error();
  }
  return json.dump(2) + "\n";
}

}  // namespace linsgd
