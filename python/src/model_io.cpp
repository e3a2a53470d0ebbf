// predict, save_model and load_model: the library's own (linsgd/model.hpp), so a model file
// written from Python is the command line's, byte for byte, and predictions are computed as
// `linsgd predict` computes them.
#include "model_io.hpp"

#include <nanobind/stl/map.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "arrays.hpp"
#include "linsgd/errors.hpp"
#include "linsgd/model.hpp"
#include "model/hyperparameters.hpp"

namespace linsgd::python {
namespace {

using namespace nb::literals;

Model make_model(const Vector& weights, float bias, const std::optional<Vector>& mean,
                 const std::optional<Vector>& scale) {
  Model model;
  model.weights = to_vector(weights, "coef_");
  model.bias = bias;
  if (mean.has_value() != scale.has_value()) {
    throw UsageError("standardization needs both its mean and its scale");
  }
  if (mean) {
    model.standardization = Standardization{to_vector(*mean, "mean"), to_vector(*scale, "scale")};
    if (model.standardization->mean.size() != model.weights.size() ||
        model.standardization->scale.size() != model.weights.size()) {
      throw UsageError("the standardization's mean and scale must have one value a feature");
    }
  }
  return model;
}

nb::ndarray<nb::numpy, double, nb::ndim<1>> predict_rows(const Matrix& X, const Vector& weights,
                                                         float bias,
                                                         const std::optional<Vector>& mean,
                                                         const std::optional<Vector>& scale) {
  const Model model = make_model(weights, bias, mean, scale);
  DataView view;
  view.rows = static_cast<int64_t>(X.shape(0));
  view.features = static_cast<int64_t>(X.shape(1));
  view.X = X.data();
  view.memory = memory_of(X.device_type(), "X");
  view.source = "X";
  std::vector<double> predictions;
  {
    nb::gil_scoped_release release;
    predictions = predict(model, view);
  }
  return to_numpy(std::move(predictions));
}

void save(const std::string& path, const Vector& weights, float bias,
          const std::vector<std::string>& feature_names, bool named_features,
          const std::string& target_name, std::optional<int64_t> target_column,
          std::optional<int64_t> weight_column, const std::string& hyperparameters,
          std::optional<double> validation_fraction, const std::map<std::string, double>& metrics,
          const std::optional<Vector>& mean, const std::optional<Vector>& scale) {
  Model model = make_model(weights, bias, mean, scale);
  if (feature_names.size() != model.weights.size()) {
    throw UsageError("feature_names has " + std::to_string(feature_names.size()) +
                     " names but the model has " + std::to_string(model.weights.size()) +
                     " weights");
  }
  model.feature_names = feature_names;
  model.named_features = named_features;
  model.target_name = target_name;
  model.target_column = target_column;
  model.weight_column = weight_column;
  read_hyperparameters(nlohmann::ordered_json::parse(hyperparameters), "hyperparameters",
                       model.hyperparameters);
  model.validation_fraction = validation_fraction;
  model.metrics = metrics;
  save_model(model, path);
}

nb::dict load(const std::string& path) {
  Model model = load_model(path);
  nb::dict out;
  out["weights"] = to_numpy(std::move(model.weights));
  out["bias"] = model.bias;
  out["feature_names"] = model.feature_names;
  out["named_features"] = model.named_features;
  out["target_name"] = model.target_name;
  out["target_column"] = model.target_column ? nb::cast(*model.target_column) : nb::none();
  out["weight_column"] = model.weight_column ? nb::cast(*model.weight_column) : nb::none();
  out["hyperparameters"] = hyperparameters_json(model.hyperparameters).dump();
  out["validation_fraction"] =
      model.validation_fraction ? nb::cast(*model.validation_fraction) : nb::none();
  out["metrics"] = model.metrics;
  if (model.standardization) {
    out["mean"] = to_numpy(std::move(model.standardization->mean));
    out["scale"] = to_numpy(std::move(model.standardization->scale));
  } else {
    out["mean"] = nb::none();
    out["scale"] = nb::none();
  }
  return out;
}

}  // namespace

void bind_model_io(nb::module_& module) {
  module.def("predict", &predict_rows, "X"_a.noconvert(), "weights"_a.noconvert(), "bias"_a,
             "mean"_a.noconvert() = nb::none(), "scale"_a.noconvert() = nb::none(),
             "x . w + b for each row of X (float32, C-contiguous, host), in float64, after "
             "the standardization when one is given.");
  module.def("save_model", &save, "path"_a, "weights"_a.noconvert(), "bias"_a, "feature_names"_a,
             "named_features"_a, "target_name"_a, "target_column"_a.none(),
             "weight_column"_a.none(), "hyperparameters"_a, "validation_fraction"_a.none(),
             "metrics"_a, "mean"_a.noconvert() = nb::none(), "scale"_a.noconvert() = nb::none(),
             "Writes a model file as `linsgd train --model-out` does (atomically).");
  module.def("load_model", &load, "path"_a, "Reads a model file written by linsgd.");
}

}  // namespace linsgd::python
