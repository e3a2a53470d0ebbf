// `linsgd evaluate` and `linsgd predict`: load the model, read the data with the model's
// feature count in mind, predict in double precision.
#include "evaluate_command.hpp"

#include <cstdio>

#include "../atomic_file.hpp"
#include "../report.hpp"
#include "linsgd/errors.hpp"
#include "linsgd/metrics.hpp"
#include "linsgd/model.hpp"

namespace linsgd::cli {

EvaluateCommand::EvaluateCommand(CLI::App& app)
    : command_(app.add_subcommand("evaluate", "MSE, RMSE, MAE and R2 of a model on a data file")) {
  command_->add_option("--model", model_, "model file written by train --model-out")->required();
  data_.add_to(*command_, true);
  command_->add_flag("--json", json_, "print the metrics as a JSON object");
}

int EvaluateCommand::run() {
  const ReadOptions options = data_.read_options();
  const Model model = load_model(model_);
  const Dataset data = read_dataset(data_.data, options);
  if (!data.has_target()) throw InputError(data_.data + ": no target column to evaluate against");
  const RegressionMetrics metrics = regression_metrics(predict(model, data), data.y);
  std::fputs((json_ ? format_metrics_json(metrics) : format_metrics_text(metrics)).c_str(), stdout);
  return 0;
}

PredictCommand::PredictCommand(CLI::App& app)
    : command_(app.add_subcommand("predict", "one prediction per row of a data file (CSV)")) {
  command_->add_option("--model", model_, "model file written by train --model-out")->required();
  data_.add_to(*command_, true);
  command_->add_option("--out", out_, "write the predictions here (default: standard output)");
}

int PredictCommand::run() {
  ReadOptions options = data_.read_options();
  const Model model = load_model(model_);
  // The target column may be present or absent: a file with exactly the model's feature count
  // has none.
  options.features_if_no_target = model.features();
  const Dataset data = read_dataset(data_.data, options);
  const std::vector<double> predictions = predict(model, data);
  std::string text = "prediction\n";
  text.reserve(text.size() + predictions.size() * 24);
  char line[32];
  for (double p : predictions) {
    std::snprintf(line, sizeof(line), "%.17g\n", p);
    text += line;
  }
  if (out_.empty()) {
    std::fputs(text.c_str(), stdout);
  } else {
    write_file_atomically(out_, text);
  }
  return 0;
}

}  // namespace linsgd::cli
