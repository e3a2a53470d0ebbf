// Checkpoint files: the data's fingerprint, the JSON written and read, the resumption check.
#include "model/checkpoint_file.hpp"

#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>

#include "linsgd/errors.hpp"
#include "model/digest.hpp"
#include "model/hyperparameters.hpp"

namespace linsgd {
namespace {

constexpr const char* kFormatName = "linsgd-checkpoint";
// 2: the losses in a file beside the checkpoint (1 held them inline).
constexpr int64_t kFormatVersion = 2;

void add_dataset(Digest& digest, const Dataset& data) {
  digest.add_floats(data.X);
  digest.add_floats(data.y);
  digest.add_floats(data.sample_weights);
}

Json evaluation_json(const Evaluation& e) {
  Json json;
  json["step"] = e.step;
  json["seconds"] = e.seconds;
  json["objective"] = e.objective;
  json["validation_objective"] =
      e.validation_objective ? Json(*e.validation_objective) : Json(nullptr);
  return json;
}

class CheckpointReader : public JsonFields {
 public:
  using JsonFields::JsonFields;

  Checkpoint read(const Json& json) const {
    if (!json.is_object() || !json.contains("format") || json["format"] != kFormatName) {
      fail("not a linsgd checkpoint (no \"format\": \"linsgd-checkpoint\")");
    }
    const Json& version = field(json, "version");
    if (!version.is_number_integer() || version.get<int64_t>() != kFormatVersion) {
      fail("checkpoint format version " + version.dump() + " is not supported (this linsgd " +
           "reads version " + std::to_string(kFormatVersion) + ")");
    }
    Checkpoint checkpoint;
    checkpoint.hyperparameters = field(json, "hyperparameters");
    if (!checkpoint.hyperparameters.is_object()) fail("'hyperparameters' is not an object");
    const Json& data = field(json, "data");
    checkpoint.data.rows = integer(data, "rows", 1);
    checkpoint.data.features = integer(data, "features", 1);
    const Json& digest = field(data, "digest");
    if (!digest.is_string() || digest.get<std::string>().size() != 16) {
      fail("'digest' is not 16 hex digits");
    }
    checkpoint.data.digest = digest.get<std::string>();
    if (data.contains("with_validation")) {
      if (!data["with_validation"].is_boolean()) fail("'with_validation' is not true or false");
      checkpoint.data.with_validation = data["with_validation"].get<bool>();
    }
    checkpoint.state = read_state(field(json, "state"), checkpoint.data.features);
    const Json& losses = field(field(json, "state"), "losses");
    if (!losses.is_null()) checkpoint.losses = read_loss_file(losses, checkpoint.state.steps_done);
    return checkpoint;
  }

 private:
  TrainingState read_state(const Json& json, int64_t features) const {
    TrainingState state;
    state.steps_done = integer(json, "steps_done", 1);
    state.weights = float_vector(json, "weights", features);
    state.bias = finite_float(field(json, "bias"), "bias");
    state.velocity = optional_parameters(json, "velocity", features);
    state.average = optional_parameters(json, "average", features);
    state.learning_rate = positive(json, "learning_rate");
    state.first_learning_rate = positive(json, "first_learning_rate");
    const Json& best = field(json, "best_objective");
    state.best_objective = best.is_null() ? std::numeric_limits<double>::infinity()
                                          : finite_double(best, "best_objective");
    state.evaluations_without_improvement = integer(json, "evaluations_without_improvement", 0);
    state.seconds = finite_double(field(json, "seconds"), "seconds");
    if (state.seconds < 0.0) fail("'seconds' is negative");
    // (A checkpoint of an earlier version does not say.)
    if (json.contains("stepped_on")) {
      if (!json["stepped_on"].is_string()) fail("'stepped_on' is not a string");
      state.stepped_on = json["stepped_on"].get<std::string>();
    }
    const Json& evaluations = field(json, "evaluations");
    if (!evaluations.is_array()) fail("'evaluations' is not an array");
    for (const Json& e : evaluations) {
      Evaluation evaluation;
      evaluation.step = integer(e, "step", 1);
      evaluation.seconds = finite_double(field(e, "seconds"), "an evaluation's seconds");
      evaluation.objective = finite_double(field(e, "objective"), "an evaluation's objective");
      const Json& validation = field(e, "validation_objective");
      if (!validation.is_null()) {
        evaluation.validation_objective =
            finite_double(validation, "an evaluation's validation_objective");
      }
      state.evaluations.push_back(evaluation);
    }
    return state;
  }

  // The loss file's name (beside the checkpoint: no directory), its count (the steps done) and
  // digest.
  CheckpointLossFile read_loss_file(const Json& json, int64_t steps_done) const {
    if (!json.is_object()) fail("'losses' is neither null nor an object");
    CheckpointLossFile file;
    const Json& name = field(json, "file");
    if (!name.is_string() || name.get<std::string>().empty() ||
        name.get<std::string>().find('/') != std::string::npos || name.get<std::string>() == "." ||
        name.get<std::string>() == "..") {
      fail("'losses.file' is not a file name");
    }
    file.name = name.get<std::string>();
    file.count = integer(json, "count", 1);
    if (file.count != steps_done) {
      fail("'losses.count' is " + std::to_string(file.count) + ", expected " +
           std::to_string(steps_done) + " (the steps done)");
    }
    const Json& digest = field(json, "digest");
    if (!digest.is_string() || digest.get<std::string>().size() != 16) {
      fail("'losses.digest' is not 16 hex digits");
    }
    file.digest = digest.get<std::string>();
    return file;
  }

  // Momentum or averages: none, or features + 1 floats.
  std::vector<float> optional_parameters(const Json& json, const char* key,
                                         int64_t features) const {
    std::vector<float> values = float_vector(json, key, -1);
    if (!values.empty() && static_cast<int64_t>(values.size()) != features + 1) {
      fail(std::string("'") + key + "' has " + std::to_string(values.size()) +
           " values, expected 0 or " + std::to_string(features + 1));
    }
    return values;
  }

  double positive(const Json& json, const char* key) const {
    const double value = finite_double(field(json, key), key);
    if (!(value > 0.0)) fail(std::string("'") + key + "' is not positive");
    return value;
  }
};

// Adds `value` to `digest` as its content, not its text: each object's keys in sorted order,
// and every number as the double it is (0 and 0.0, 1e2 and 100 alike; -0.0 as 0). A tool that
// reorders keys, respaces the file or respells numbers (jq writes 0.0 as 0) leaves it alike.
void add_content(Digest& digest, const Json& value) {
  const auto tag = [&](char kind) { digest.add(&kind, 1); };
  if (value.is_object()) {
    tag('{');
    std::vector<std::string> keys;
    for (const auto& item : value.items()) keys.push_back(item.key());
    std::sort(keys.begin(), keys.end());
    for (const std::string& key : keys) {
      digest.add(key.data(), key.size());
      add_content(digest, value.at(key));
    }
  } else if (value.is_array()) {
    tag('[');
    const uint64_t size = value.size();
    digest.add(&size, sizeof size);
    for (const Json& element : value) add_content(digest, element);
  } else if (value.is_number()) {
    tag('#');
    double number = value.get<double>();
    if (number == 0.0) number = 0.0;  // -0.0 too
    digest.add(&number, sizeof number);
  } else if (value.is_string()) {
    tag('"');
    const auto& text = value.get_ref<const std::string&>();
    digest.add(text.data(), text.size());
  } else if (value.is_boolean()) {
    tag(value.get<bool>() ? 't' : 'f');
  } else {
    tag('0');  // null
  }
}

// The digest of a checkpoint's state, which the file keeps beside it.
std::string state_digest(const Json& state) {
  Digest digest;
  add_content(digest, state);
  return digest.hex();
}

}  // namespace

DataFingerprint fingerprint_of(const Dataset& data, const Dataset* validation) {
  Digest digest;
  add_dataset(digest, data);
  if (validation != nullptr) add_dataset(digest, *validation);
  return {data.rows, data.features, digest.hex(), validation != nullptr};
}

DataFingerprint fingerprint_of_synthetic(const TrainConfig& config) {
  Digest digest;
  const std::string description = "synthetic " + std::to_string(config.rows) + " x " +
                                  std::to_string(config.features) + " seed " +
                                  std::to_string(config.seed);
  digest.add(description.data(), description.size());
  return {config.rows, config.features, digest.hex(), false};
}

Json resumable_hyperparameters(const TrainConfig& config, int64_t rows, double first_rate) {
  TrainConfig as_run = resolve_for_rows(config, rows);
  as_run.learning_rate = first_rate;
  Json json = hyperparameters_json(as_run);
  json.erase("device");
  json.erase("max_seconds");
  return json;
}

std::string checkpoint_json(const Checkpoint& checkpoint) {
  const TrainingState& s = checkpoint.state;
  Json state;
  state["steps_done"] = s.steps_done;
  state["learning_rate"] = s.learning_rate;
  state["first_learning_rate"] = s.first_learning_rate;
  state["best_objective"] = std::isfinite(s.best_objective) ? Json(s.best_objective) : Json();
  state["evaluations_without_improvement"] = s.evaluations_without_improvement;
  state["seconds"] = s.seconds;
  if (!s.stepped_on.empty()) state["stepped_on"] = s.stepped_on;
  state["bias"] = static_cast<double>(s.bias);
  state["weights"] = float_array(s.weights);
  state["velocity"] = float_array(s.velocity);
  state["average"] = float_array(s.average);
  if (checkpoint.losses) {
    state["losses"] = {{"file", checkpoint.losses->name},
                       {"count", checkpoint.losses->count},
                       {"digest", checkpoint.losses->digest}};
  } else {
    state["losses"] = nullptr;
  }
  state["evaluations"] = Json::array();
  for (const Evaluation& e : s.evaluations) state["evaluations"].push_back(evaluation_json(e));
  Json json;
  json["format"] = kFormatName;
  json["version"] = kFormatVersion;
  json["hyperparameters"] = checkpoint.hyperparameters;
  json["data"] = {{"rows", checkpoint.data.rows},
                  {"features", checkpoint.data.features},
                  {"digest", checkpoint.data.digest}};
  if (checkpoint.data.with_validation) {
    json["data"]["with_validation"] = *checkpoint.data.with_validation;
  }
  json["state_digest"] = state_digest(state);
  json["state"] = std::move(state);
  return json.dump() + "\n";
}

Checkpoint parse_checkpoint(const std::string& text, const std::string& source) {
  const Json json = parse_json_text(text, source, "checkpoint");
  // (A checkpoint of an earlier version has no digest of its state.)
  if (json.is_object() && json.contains("state_digest") && json.contains("state") &&
      json["state_digest"] != state_digest(json["state"])) {
    throw InputError(source +
                     ": the checkpoint's state does not match its digest (edited or damaged)");
  }
  try {
    return CheckpointReader(source).read(json);
  } catch (const nlohmann::json::exception& error) {
    throw InputError(source + ": malformed checkpoint: " + error.what());
  }
}

Checkpoint read_checkpoint(const std::string& path, bool with_losses) {
  Checkpoint checkpoint = parse_checkpoint(
      read_json_file(path, "--resume " + path + ": cannot open the checkpoint", path, "checkpoint"),
      path);
  if (checkpoint.losses && with_losses) {
    checkpoint.state.loss_history = read_checkpoint_losses(path, *checkpoint.losses);
  }
  return checkpoint;
}

void require_resumable(const Checkpoint& checkpoint, const std::string& path,
                       const Json& hyperparameters, const DataFingerprint& data) {
  const std::string prefix = "--resume " + path + ": ";
  // The options first: one that changes the data as trained (--standardize) is named, not the
  // data's digest. Either side may hold a key the other lacks.
  // l1_ratio acts in an elastic net alone (a checkpoint of linsgd 0.1 holds the default 0.15
  // beside l1 and l2, where files now hold the rho the penalty used).
  const bool elastic_net = hyperparameters.value("penalty", "") == "elasticnet";
  for (const Json* side : {&hyperparameters, &checkpoint.hyperparameters}) {
    for (const auto& [key, value] : side->items()) {
      if (key == "l1_ratio" && !elastic_net) continue;
      if (!checkpoint.hyperparameters.contains(key) || !hyperparameters.contains(key) ||
          checkpoint.hyperparameters.at(key) != hyperparameters.at(key)) {
        throw InputError(prefix + "the checkpoint's run had " + key + " = " +
                         shown_value(checkpoint.hyperparameters, key) + "; this run has " +
                         shown_value(hyperparameters, key));
      }
    }
  }
  if (!(checkpoint.data == data)) {
    const auto validation = [](bool with) {
      return with ? std::string("a validation set (--val-data)") : std::string("none");
    };
    if (checkpoint.data.with_validation && data.with_validation &&
        *checkpoint.data.with_validation != *data.with_validation) {
      throw InputError(prefix + "the checkpoint's run had " +
                       validation(*checkpoint.data.with_validation) + "; this run has " +
                       validation(*data.with_validation));
    }
    throw InputError(prefix + "the checkpoint was written for other data (" +
                     std::to_string(checkpoint.data.rows) + " x " +
                     std::to_string(checkpoint.data.features) + ", digest " +
                     checkpoint.data.digest + "); this run's is " + std::to_string(data.rows) +
                     " x " + std::to_string(data.features) + ", digest " + data.digest +
                     (checkpoint.data.rows == data.rows && checkpoint.data.features == data.features
                          ? std::string(" (the same shape: some values or weights differ") +
                                (data.with_validation.value_or(false)
                                     ? ", of the training rows or of the validation rows)"
                                     : ")")
                          : std::string()));
  }
}

}  // namespace linsgd
