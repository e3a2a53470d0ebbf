// `linsgd evaluate`: load the model, read the data, predict in double precision, print the
// metrics.
#include "cli/evaluate_command.hpp"

#include <string>

#include "io/output_file.hpp"
#include "linsgd/errors.hpp"
#include "linsgd/metrics.hpp"
#include "linsgd/model.hpp"
#include "report/summary.hpp"

namespace linsgd::cli {

EvaluateCommand::EvaluateCommand(CLI::App& app)
    : command_(app.add_subcommand("evaluate",
                                  "MSE, RMSE, MAE and R2 of a model on a data file (weighted by "
                                  "--sample-weight)")) {
  command_->add_option("--model", model_, "model file written by train --model-out")->required();
  data_.add_to(*command_, true);
  command_->add_flag("--json", json_, "print the metrics as a JSON object");
}

int EvaluateCommand::run() {
  ReadOptions options = data_.read_options();
  const Model model = load_model(model_);
  DataOptions::for_model(options, model.feature_names, model.target_name, /*reads_target=*/true,
                         model.target_column, model.weight_column);
  const Dataset data = read_dataset(data_.data, options);
  DataOptions::note_ignored_columns(data);
  DataOptions::note_taken_by_position(data, model.named_features);
  if (!data.has_target()) {
    throw InputError(data_.data + ": no target column ('" + model.target_name +
                     "', the model's) to evaluate against");
  }
  DataOptions::note_column_spreads(data);
  // The last column taken as the target left one feature too few: the file holds the model's
  // features alone (as predict's input may), and the targets are elsewhere.
  if (data.features + 1 == model.features() && options.target.empty() && options.labels.empty()) {
    throw InputError(data_.data + " has " + std::to_string(model.features()) +
                     " columns, the model's features, and no target after them to evaluate "
                     "against: add the target as the last column, or (with a .npy) pass it with "
                     "--labels");
  }
  // Weighted by --sample-weight's weights, when given.
  const RegressionMetrics metrics =
      regression_metrics(predict(model, data), data.y, data.sample_weights);
  write_standard_output(json_ ? format_metrics_json(metrics) : format_metrics_text(metrics));
  return 0;
}

}  // namespace linsgd::cli
