// model_json, save_model, load_model and parse_model: the JSON model file, and the check that a
// model is one such a file can hold (require_consistent_model).
#include "model/model_file.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "io/column_plan.hpp"
#include "io/output_file.hpp"
#include "io/quoted_text.hpp"
#include "linsgd/errors.hpp"
#include "linsgd/model.hpp"
#include "model/hyperparameters.hpp"
#include "model/json_fields.hpp"

namespace linsgd {
namespace {

// A name that `names` holds twice, if any: data are matched to a model's features by name, as a
// header's, so each is one column.
std::optional<std::string> repeated_name(const std::vector<std::string>& names) {
  std::set<std::string> seen;
  for (const std::string& name : names) {
    if (!seen.insert(name).second) return name;
  }
  return std::nullopt;
}

constexpr const char* kFormatName = "linsgd-model";

class ModelReader : public JsonFields {
 public:
  ModelReader(const Json& json, const std::string& path) : JsonFields(path), json_(json) {}

  Model read() const {
    if (!json_.is_object() || !json_.contains("format") || json_["format"] != kFormatName) {
      fail("not a linsgd model file (no \"format\": \"linsgd-model\")");
    }
    const Json& version = field(json_, "version");
    if (!version.is_number_integer() || version.get<int64_t>() != Model::kFormatVersion) {
      fail("model format version " + version.dump() + " is not supported (this linsgd reads " +
           "version " + std::to_string(Model::kFormatVersion) + ")");
    }
    Model model;
    const Json& n_features = field(json_, "n_features");
    if (!n_features.is_number_integer() || n_features.get<int64_t>() < 1) {
      fail("'n_features' must be a positive integer");
    }
    const int64_t d = n_features.get<int64_t>();
    model.weights = float_vector(json_, "weights", d);
    model.bias = finite_float(field(json_, "bias"), "bias");
    const Json& names = field(json_, "feature_names");
    if (!names.is_array() || static_cast<int64_t>(names.size()) != d) {
      fail("'feature_names' must list " + std::to_string(d) + " names");
    }
    for (const Json& name : names) {
      if (!name.is_string()) fail("'feature_names' must hold strings");
      model.feature_names.push_back(name.get<std::string>());
    }
    if (const auto repeated = repeated_name(model.feature_names)) {
      fail("'feature_names' holds " + quoted_text(*repeated) + " twice");
    }
    const Json& target = field(json_, "target");
    if (!target.is_string()) fail("'target' must be a string");
    model.target_name = target.get<std::string>();
    // Files written before these fields: names other than x0, x1, ... came from the data, and
    // the target was the last column.
    if (json_.contains("named_features")) {
      const Json& named = json_["named_features"];
      if (!named.is_boolean()) fail("'named_features' must be true or false");
      model.named_features = named.get<bool>();
    } else {
      model.named_features = !are_default_feature_names(model.feature_names);
    }
    if (json_.contains("target_column") && !json_["target_column"].is_null()) {
      const int64_t column = integer(json_, "target_column", 0);
      if (column > d) fail("'target_column' must be 0 to " + std::to_string(d));
      model.target_column = column;
    }
    if (json_.contains("weight_column") && !json_["weight_column"].is_null()) {
      // Of a file of the features, the target and the weights.
      const int64_t column = integer(json_, "weight_column", 0);
      if (column > d + 1) fail("'weight_column' must be 0 to " + std::to_string(d + 1));
      model.weight_column = column;
    }
    const Json& statistics = field(json_, "standardization");
    if (!statistics.is_null()) {
      Standardization s;
      s.mean = float_vector(statistics, "mean", d);
      s.scale = float_vector(statistics, "scale", d);
      for (size_t j = 0; j < s.scale.size(); ++j) {
        // (A positive value below float's smallest rounds to 0: named as written, not as <= 0.)
        if (!(s.scale[j] > 0.0f)) {
          fail("standardization scale[" + std::to_string(j) + "] is " +
               statistics["scale"][j].dump() + " (must be a positive number within float's range)");
        }
      }
      model.standardization = std::move(s);
    }
    read_hyperparameters(field(json_, "hyperparameters"), source(), model.hyperparameters);
    if (json_.contains("validation_fraction") && !json_["validation_fraction"].is_null()) {
      const Json& fraction = json_["validation_fraction"];
      if (!fraction.is_number() ||
          !(fraction.get<double>() > 0.0 && fraction.get<double>() < 1.0)) {
        fail("'validation_fraction' must be a number between 0 and 1");
      }
      model.validation_fraction = fraction.get<double>();
    }
    const Json& metrics = field(json_, "metrics");
    if (metrics.is_object()) {
      for (const auto& [key, value] : metrics.items()) {
        if (value.is_number()) model.metrics[key] = value.get<double>();
      }
    }
    return model;
  }

 private:
  const Json& json_;
};

}  // namespace

namespace {

// Throws Error naming the first value of `values` that is not finite: JSON has no infinities or
// NaN, and a file holding null where a weight should be would be refused by every reader.
void require_finite(const std::vector<float>& values, const char* what) {
  for (size_t j = 0; j < values.size(); ++j) {
    if (!std::isfinite(values[j])) {
      throw Error(std::string("the model's ") + what + " " + std::to_string(j) + " is " +
                  std::to_string(values[j]) + ": not written");
    }
  }
}

}  // namespace

void require_consistent_model(const Model& model) {
  const auto d = static_cast<int64_t>(model.weights.size());
  const auto count = [](size_t n, const char* one) {
    return std::to_string(n) + " " + one + (n == 1 ? "" : "s");
  };
  if (d == 0) throw UsageError("the model has no weights");
  if (!model.feature_names.empty() && model.feature_names.size() != model.weights.size()) {
    throw UsageError("the model has " + count(model.weights.size(), "weight") + " and " +
                     count(model.feature_names.size(), "feature name") + ": one a weight");
  }
  if (!model.standardization) return;
  const Standardization& s = *model.standardization;
  if (s.mean.size() != model.weights.size() || s.scale.size() != model.weights.size()) {
    throw UsageError("the model's standardization has " + count(s.mean.size(), "mean") + " and " +
                     count(s.scale.size(), "scale") + " for its " +
                     count(model.weights.size(), "weight"));
  }
  for (size_t j = 0; j < s.scale.size(); ++j) {
    if (!(s.scale[j] > 0.0f)) {  // a prediction would divide by it
      throw UsageError("the model's standardization scale " + std::to_string(j) + " is " +
                       std::to_string(s.scale[j]) + ": it must be above 0");
    }
  }
}

std::string model_json(const Model& model) {
  require_finite(model.weights, "weight");
  if (!std::isfinite(model.bias)) {
    throw Error("the model's bias is " + std::to_string(model.bias) + ": not written");
  }
  if (const auto repeated = repeated_name(model.feature_names)) {
    throw UsageError("the model's feature names hold " + quoted_text(*repeated) +
                     " twice: not written");
  }
  if (model.standardization) {
    require_finite(model.standardization->mean, "feature mean");
    require_finite(model.standardization->scale, "feature scale");
  }
  require_consistent_model(model);  // sizes and scales a reader takes
  Json json;
  json["format"] = kFormatName;
  json["version"] = Model::kFormatVersion;
  json["n_features"] = model.features();
  if (model.feature_names.empty()) {  // a model without names: those of data without a header
    std::vector<std::string> names;
    for (int64_t j = 0; j < model.features(); ++j) names.push_back("x" + std::to_string(j));
    json["feature_names"] = names;
  } else {
    json["feature_names"] = model.feature_names;
  }
  json["target"] = model.target_name;
  json["named_features"] = model.named_features;
  if (model.target_column) json["target_column"] = *model.target_column;
  if (model.weight_column) json["weight_column"] = *model.weight_column;
  json["weights"] = float_array(model.weights);
  json["bias"] = static_cast<double>(model.bias);
  if (model.standardization) {
    json["standardization"] = {{"mean", float_array(model.standardization->mean)},
                               {"scale", float_array(model.standardization->scale)}};
  } else {
    json["standardization"] = nullptr;
  }
  json["hyperparameters"] = hyperparameters_json(model.hyperparameters);
  // A time budget is not the model's: a run resumed in slices under --max-seconds writes the
  // bytes of the run it continues.
  json["hyperparameters"].erase("max_seconds");
  if (model.validation_fraction) json["validation_fraction"] = *model.validation_fraction;
  // Counts as integers (the metrics JSON's spelling: "steps_run": 500), the rest as doubles.
  // (steps_total: the Python estimator's t_, every partial_fit call's steps; partial_fit_calls:
  // its calls since the last fit, which seed the next call's draws.)
  Json metrics = Json::object();
  for (const auto& [key, value] : model.metrics) {
    const bool count = (key == "steps_run" || key == "steps_total" || key == "partial_fit_calls" ||
                        key == "interrupted_at_step") &&
                       value == std::floor(value) && std::abs(value) < 0x1p53;
    metrics[key] = count ? Json(static_cast<int64_t>(value)) : Json(value);
  }
  json["metrics"] = metrics;
  return json.dump(1) + "\n";
}

void save_model(const Model& model, const std::string& path) {
  write_output(plan_output(path, "model file"), model_json(model));
}

Model load_model(const std::string& path) {
  return parse_model(read_json_file(path, "cannot open model " + path, path, "model file"), path);
}

Model parse_model(const std::string& text, const std::string& source) {
  const Json json = parse_json_text(text, source, "model file");
  try {
    return ModelReader(json, source).read();
  } catch (const nlohmann::json::exception& error) {
    throw InputError(source + ": malformed model file: " + error.what());
  }
}

}  // namespace linsgd
