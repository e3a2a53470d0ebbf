// hyperparameters_json and read_hyperparameters.
#include "model/hyperparameters.hpp"

#include "linsgd/errors.hpp"

namespace linsgd {
namespace {

using Json = nlohmann::ordered_json;

Json optional_number(const std::optional<double>& value) {
  return value ? Json(*value) : Json(nullptr);
}

}  // namespace

Json hyperparameters_json(const TrainConfig& c) {
  Json json;
  json["batch_size"] = c.batch_size;
  json["learning_rate"] = c.learning_rate;
  json["learning_rate_auto"] = c.learning_rate_auto;
  json["steps"] = c.steps;
  json["sigma"] = c.sigma;
  json["seed"] = c.seed;
  json["device"] = to_string(c.device);
  json["loss"] = to_string(c.loss);
  json["epsilon"] = c.epsilon;
  json["penalty"] = to_string(c.penalty);
  json["alpha"] = c.alpha;
  json["l1_ratio"] = c.l1_ratio;
  json["sampling"] = to_string(c.sampling);
  json["schedule"] = to_string(c.schedule);
  json["power_t"] = c.power_t;
  json["warmup"] = c.warmup;
  json["momentum"] = c.momentum;
  json["nesterov"] = c.nesterov;
  json["average_from"] = c.average_from ? Json(*c.average_from) : Json(nullptr);
  json["eval_every"] = c.eval_every;
  json["tol"] = optional_number(c.tol);
  json["n_iter_no_change"] = c.n_iter_no_change;
  json["target_objective"] = optional_number(c.target_objective);
  json["max_seconds"] = c.max_seconds > 0.0 ? Json(c.max_seconds) : Json(nullptr);  // 0: none
  json["solver"] = to_string(c.solver);
  return json;
}

void read_hyperparameters(const Json& json, const std::string& source, TrainConfig& c) {
  if (!json.is_object()) return;
  const auto fail = [&](const std::string& key, const std::string& problem) {
    throw InputError(source + ": hyperparameters." + key + ": " + problem);
  };
  // A named value: parsed by its option's parser, whose UsageError becomes the file's problem.
  const auto named = [&](const char* key, auto parse, auto& target) {
    if (!json.contains(key)) return;
    if (!json[key].is_string()) fail(key, "not a string");
    try {
      target = parse(json[key].get<std::string>());
    } catch (const UsageError& error) {
      fail(key, error.what());
    }
  };
  try {
    c.batch_size = json.value("batch_size", c.batch_size);
    c.learning_rate = json.value("learning_rate", c.learning_rate);
    c.learning_rate_auto = json.value("learning_rate_auto", c.learning_rate_auto);
    c.steps = json.value("steps", c.steps);
    c.epochs = json.value("epochs", c.epochs);  // not written (a run's are resolved to steps)
    c.sigma = json.value("sigma", c.sigma);
    c.seed = json.value("seed", c.seed);
    c.epsilon = json.value("epsilon", c.epsilon);
    c.alpha = json.value("alpha", c.alpha);
    c.l1_ratio = json.value("l1_ratio", c.l1_ratio);
    c.power_t = json.value("power_t", c.power_t);
    c.warmup = json.value("warmup", c.warmup);
    c.momentum = json.value("momentum", c.momentum);
    c.nesterov = json.value("nesterov", c.nesterov);
    c.eval_every = json.value("eval_every", c.eval_every);
    c.n_iter_no_change = json.value("n_iter_no_change", c.n_iter_no_change);
    if (json.contains("average_from") && !json["average_from"].is_null()) {
      c.average_from = json["average_from"].get<int64_t>();
    }
    if (json.contains("tol") && !json["tol"].is_null()) c.tol = json["tol"].get<double>();
    if (json.contains("target_objective") && !json["target_objective"].is_null()) {
      c.target_objective = json["target_objective"].get<double>();
    }
    if (json.contains("max_seconds") && !json["max_seconds"].is_null()) {
      c.max_seconds = json["max_seconds"].get<double>();
    }
  } catch (const nlohmann::json::exception& error) {
    throw InputError(source + ": hyperparameters: " + error.what());
  }
  named("device", parse_device_kind, c.device);
  named("loss", parse_loss, c.loss);
  named("penalty", parse_penalty, c.penalty);
  named("sampling", parse_sampling, c.sampling);
  named("schedule", parse_schedule, c.schedule);
  named("solver", parse_solver, c.solver);
}

}  // namespace linsgd
