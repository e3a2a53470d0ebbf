// hyperparameters_json and read_hyperparameters.
#include "model/hyperparameters.hpp"

#include <limits>
#include <optional>
#include <string>
#include <type_traits>

#include "linsgd/errors.hpp"

namespace linsgd {
namespace {

using Json = nlohmann::ordered_json;

Json optional_number(const std::optional<double>& value) {
  return value ? Json(*value) : Json(nullptr);
}

// json[key] as an integer of T, or the problem with it: a float, or an integer out of T's range,
// would go through nlohmann's unchecked cast (undefined behaviour); both are the file's fault.
template <class T>
std::optional<std::string> integer_at(const Json& json, const char* key, T& target) {
  const Json& value = json[key];
  if (value.is_number_unsigned()) {
    const auto number = value.get<uint64_t>();
    if (number > static_cast<uint64_t>(std::numeric_limits<T>::max())) return "out of range";
    target = static_cast<T>(number);
    return std::nullopt;
  }
  if (value.is_number_integer()) {
    const auto number = value.get<int64_t>();
    if (number < 0 && std::is_unsigned_v<T>) return "out of range";
    if (number < static_cast<int64_t>(std::numeric_limits<T>::min())) return "out of range";
    target = static_cast<T>(number);
    return std::nullopt;
  }
  return "not an integer";
}

}  // namespace

Json hyperparameters_json(const TrainConfig& c) {
  Json json;
  json["batch_size"] = c.batch_size;
  json["learning_rate"] = c.learning_rate;
  json["learning_rate_auto"] = c.learning_rate_auto;
  json["steps"] = c.steps;
  // A run resolves its epochs into steps (resolve_for_rows); a model file keeps the passes asked
  // for besides, so that a model trained by epochs is trained again by as many.
  if (c.epochs > 0) json["epochs"] = c.epochs;
  json["sigma"] = c.sigma;
  json["seed"] = c.seed;
  json["device"] = to_string(c.device);
  json["loss"] = to_string(c.loss);
  json["epsilon"] = c.epsilon;
  json["penalty"] = to_string(c.penalty);
  json["alpha"] = c.alpha;
  // The elastic net's rho as the run used it: l1 is rho 1 and l2 rho 0 (--l1-ratio applies to
  // elasticnet alone), so that the file states the objective trained; without a penalty, the
  // ratio given (which acts on nothing).
  json["l1_ratio"] = c.penalty == Penalty::kL1 ? 1.0 : c.penalty == Penalty::kL2 ? 0.0 : c.l1_ratio;
  // Written only when false, so that the files and checkpoints of runs with an intercept read and
  // resume as they did before the option.
  if (!c.fit_intercept) json["fit_intercept"] = false;
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
  // An integer, when the key is there (and, for the optional ones, not null).
  const auto integer = [&](const char* key, auto& target) {
    if (!json.contains(key) || json[key].is_null()) return;
    if (const auto problem = integer_at(json, key, target)) fail(key, *problem);
  };
  integer("batch_size", c.batch_size);
  integer("steps", c.steps);
  integer("epochs", c.epochs);  // a model file's: the passes asked for besides the steps
  integer("seed", c.seed);
  integer("warmup", c.warmup);
  integer("eval_every", c.eval_every);
  integer("n_iter_no_change", c.n_iter_no_change);
  if (json.contains("average_from") && !json["average_from"].is_null()) {
    int64_t average_from = 0;
    integer("average_from", average_from);
    c.average_from = average_from;
  }
  try {
    c.learning_rate = json.value("learning_rate", c.learning_rate);
    c.learning_rate_auto = json.value("learning_rate_auto", c.learning_rate_auto);
    c.sigma = json.value("sigma", c.sigma);
    c.epsilon = json.value("epsilon", c.epsilon);
    c.alpha = json.value("alpha", c.alpha);
    c.l1_ratio = json.value("l1_ratio", c.l1_ratio);
    c.fit_intercept = json.value("fit_intercept", c.fit_intercept);
    c.power_t = json.value("power_t", c.power_t);
    c.momentum = json.value("momentum", c.momentum);
    c.nesterov = json.value("nesterov", c.nesterov);
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
