// `linsgd predict`: load the model, read the data with the model's feature count in mind (the
// target column may be there or not), predict in double precision, write one line a row.
#include "cli/predict_command.hpp"

#include <cstdio>

#include "io/output_file.hpp"
#include "linsgd/model.hpp"

namespace linsgd::cli {

PredictCommand::PredictCommand(CLI::App& app)
    : command_(app.add_subcommand("predict", "one prediction per row of a data file (CSV)")) {
  command_->add_option("--model", model_, "model file written by train --model-out")->required();
  data_.add_to(*command_, true);
  // Defined for train and evaluate: here it is refused (run), so --help leaves it out.
  command_->get_option("--labels")->group("");
  command_->add_option("--out", out_, "write the predictions here (default: standard output)");
}

int PredictCommand::run() {
  if (!data_.labels.empty()) {
    throw UsageError("--labels: predict reads no targets; evaluate scores a model against them");
  }
  ReadOptions options = data_.read_options();
  const OutputTarget out = plan_output(out_.empty() ? "-" : out_, "--out");
  refuse_own_descriptor(out);
  refuse_input_as_output(out, "--data", data_.data, /*dash_is_standard_input=*/true);
  refuse_input_as_output(out, "--model", model_);
  refuse_input_as_output(out, "--sample-weight", data_.sample_weight);
  const Model model = load_model(model_);
  // By name where the file has a header (the target, if there, is ignored, unread: prediction
  // rows may have none); by position otherwise, where a file with exactly the model's feature
  // count has no target column.
  DataOptions::for_model(options, model.feature_names, model.target_name, /*reads_target=*/false,
                         model.target_column, model.weight_column);
  options.features_if_no_target = model.features();
  const Dataset data = read_dataset(data_.data, options);
  DataOptions::note_ignored_columns(data, model.target_name);
  DataOptions::note_taken_by_position(data, model.named_features);
  DataOptions::note_column_spreads(data);
  const std::vector<double> predictions = predict(model, data);
  std::string text = "prediction\n";
  text.reserve(text.size() + predictions.size() * 24);
  char line[32];
  for (double p : predictions) {
    std::snprintf(line, sizeof(line), "%.17g\n", p);
    text += line;
  }
  write_output(out, text);
  return 0;
}

}  // namespace linsgd::cli
