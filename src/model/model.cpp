// model_from_run (a trained model from a run's figures) and predict.
#include "linsgd/model.hpp"
#include "linsgd/errors.hpp"
#include "linsgd/trainer.hpp"
#include "model/preprocessing.hpp"

namespace linsgd {

Model model_from_run(const TrainResult& result, const std::vector<std::string>& feature_names,
                     const std::string& target_name,
                     const std::optional<Standardization>& standardization) {
  Model model;
  model.feature_names = feature_names;
  for (int64_t j = static_cast<int64_t>(model.feature_names.size()); j < result.features; ++j) {
    model.feature_names.push_back("x" + std::to_string(j));
  }
  model.target_name = target_name.empty() ? "y" : target_name;
  model.weights = result.weights;
  model.bias = result.bias;
  model.standardization = standardization;
  model.hyperparameters = result.config;
  model.hyperparameters.epochs = result.epochs_asked;  // a model trained by epochs keeps them
  model.metrics["final_batch_loss"] = result.final_batch_loss();
  model.metrics["full_loss"] = result.full_loss;
  model.metrics["objective"] = result.objective;
  model.metrics["steps_run"] = static_cast<double>(result.steps_done);
  if (result.validation_objective) {
    model.metrics["validation_objective"] = *result.validation_objective;
  }
  // The scale its sample weights were taken on (their mean, or the one given): data added to the
  // model later (Python's partial_fit after linsgd.load) weigh on it. Absent: 1.
  if (result.weight_mean != 1.0) model.metrics["sample_weight_mean"] = result.weight_mean;
  // No timings: a model file is the same, byte for byte, for the same seed, data and options.
  if (result.interrupted) {
    model.metrics["interrupted_at_step"] = static_cast<double>(result.steps_done);
  }
  return model;
}

std::vector<double> predict(const Model& model, const DataView& data) {
  require_consistent_model(model);
  if (data.memory != MemoryKind::kHost) {
    throw UsageError(data.source + ": prediction reads host arrays");
  }
  if (data.rows < 0 || (data.rows > 0 && data.features > 0 && data.X == nullptr)) {
    throw InputError(data.source + ": " + std::to_string(data.rows) + " rows and no X");
  }
  if (data.features != model.features()) {
    // (A file's column of training weights read as a feature is refused before, with advice:
    // plan_columns.)
    throw InputError(data.source + " has " + std::to_string(data.features) +
                     " feature columns but the model expects " + std::to_string(model.features()));
  }
  const int64_t d = data.features;
  std::vector<double> predictions(static_cast<size_t>(data.rows));
  for (int64_t i = 0; i < data.rows; ++i) {
    const float* x = data.X + i * d;
    double sum = model.bias;
    for (int64_t j = 0; j < d; ++j) {
      // In double: a standardized feature beyond float's range still predicts (a float would
      // make it infinite); the model's own rows, standardized, are floats read exactly.
      const double feature =
          model.standardization
              ? standardized(x[j], model.standardization->mean[j], model.standardization->scale[j])
              : static_cast<double>(x[j]);
      sum += feature * model.weights[j];
    }
    predictions[i] = sum;
  }
  return predictions;
}

std::vector<double> predict(const Model& model, const Dataset& data) {
  if (static_cast<int64_t>(data.X.size()) != data.rows * data.features) {
    throw InputError(data.source + ": X holds " + std::to_string(data.X.size()) +
                     " values, not rows x features = " + std::to_string(data.rows) + " x " +
                     std::to_string(data.features));
  }
  DataView features;  // no targets needed
  features.rows = data.rows;
  features.features = data.features;
  features.X = data.X.data();
  features.source = data.source;
  return predict(model, features);
}

}  // namespace linsgd
