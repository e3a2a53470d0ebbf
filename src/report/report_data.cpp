// ReportData: building it from a run, decimation, and its round trip through the metrics JSON
// and the loss CSV.
#include "report/report_data.hpp"

#include <cmath>
#include <cstdio>

#include "io/input_bytes.hpp"
#include "linsgd/dataset.hpp"
#include "linsgd/errors.hpp"
#include "model/json_fields.hpp"

namespace linsgd {
namespace {

std::string run_title(const TrainResult& result) {
  char text[512];
  std::snprintf(text, sizeof(text),
                "%s | %lld x %lld | %lld steps | final batch loss %.4g | %.3g s",
                result.device.c_str(), static_cast<long long>(result.rows),
                static_cast<long long>(result.features), static_cast<long long>(result.steps_done),
                static_cast<double>(result.final_batch_loss()), result.train_seconds);
  return text;
}

ReportData with_loss_curve(const TrainResult& result, const LossCurve& curve) {
  ReportData report;
  report.title = run_title(result);
  report.final_loss = result.final_batch_loss();
  report.loss_steps = curve.steps();
  report.losses = curve.losses();
  return report;
}

// A value of the report as a float, or InputError naming the field: not a number, or beyond
// float's range (gnuplot would get inf).
float report_float(const Json& value, const std::string& field, const std::string& path) {
  if (!value.is_number()) throw InputError(path + ": report." + field + " holds a non-number");
  const auto number = value.get<float>();
  if (!std::isfinite(number)) {
    throw InputError(path + ": report." + field + " holds " + value.dump() +
                     ", beyond float's range");
  }
  return number;
}

float finite_float(const Json& json, const char* key, const std::string& path) {
  if (!json.contains(key)) throw InputError(path + ": report." + key + " is missing");
  return report_float(json[key], key, path);
}

std::vector<float> float_array(const Json& json, const char* key, const std::string& path) {
  if (!json.contains(key) || !json[key].is_array()) {
    throw InputError(path + ": report." + key + " is missing or not an array");
  }
  std::vector<float> values;
  for (const auto& v : json[key]) values.push_back(report_float(v, key, path));
  return values;
}

std::string number_text(float value) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.9g", static_cast<double>(value));
  return text;
}

// Throws InputError unless `steps` (the loss CSV's first column, read as floats) count up by one
// from a whole step >= 1 (the first of a run's, or of its resumed part's) and end at the
// metrics' `steps_run`, when the metrics name it: a loss file of another run, or one edited,
// is named, not drawn. (Compared as the reader rounds: float of the whole number.)
void require_the_runs_steps(const std::vector<float>& steps, const Json& metrics,
                            const std::string& loss_path, const std::string& metrics_path) {
  const float first = steps.front();
  if (!(first >= 1.0f && first == static_cast<float>(static_cast<int64_t>(first)))) {
    throw InputError(loss_path + ": line 2: step " + number_text(first) +
                     " is not a whole number >= 1");
  }
  const auto first_step = static_cast<int64_t>(first);
  for (size_t i = 1; i < steps.size(); ++i) {
    const int64_t expected = first_step + static_cast<int64_t>(i);
    if (steps[i] != static_cast<float>(expected)) {
      throw InputError(loss_path + ": line " + std::to_string(i + 2) + ": step " +
                       number_text(steps[i]) + " where step " + std::to_string(expected) +
                       " was expected (the steps count up by one)");
    }
  }
  const int64_t last_step = first_step + static_cast<int64_t>(steps.size()) - 1;
  if (metrics.contains("steps_run") && !metrics["steps_run"].is_number_integer()) {
    throw InputError(metrics_path + ": steps_run is " + metrics["steps_run"].dump() +
                     " (must be a whole number)");
  }
  if (metrics.contains("steps_run") && metrics["steps_run"].get<int64_t>() != last_step) {
    throw InputError(loss_path + " ends at step " + std::to_string(last_step) + ", but " +
                     metrics_path + " is of a run of " +
                     std::to_string(metrics["steps_run"].get<int64_t>()) +
                     " steps: the files of two runs?");
  }
}

}  // namespace

std::vector<size_t> decimated_indices(size_t count, size_t limit) {
  std::vector<size_t> indices;
  if (count == 0) return indices;
  const size_t stride = (count + limit - 1) / limit;
  for (size_t i = 0; i < count; i += stride) indices.push_back(i);
  if (indices.back() != count - 1) {
    if (indices.size() == limit) indices.pop_back();
    indices.push_back(count - 1);
  }
  return indices;
}

ReportData synthetic_report(const TrainResult& result, const LossCurve& curve) {
  ReportData report = with_loss_curve(result, curve);
  report.synthetic = true;
  for (size_t j : decimated_indices(result.weights.size())) {
    report.scatter_x.push_back(result.truth->weights[j]);
    report.scatter_y.push_back(result.weights[j]);
  }
  report.true_bias = result.truth->bias;
  report.learned_bias = result.bias;
  return report;
}

ReportData real_data_report(const TrainResult& result, const LossCurve& curve,
                            const std::vector<double>& predictions,
                            const std::vector<float>& targets, const std::string& subject) {
  ReportData report = with_loss_curve(result, curve);
  report.synthetic = false;
  report.scatter_subject = subject;
  for (size_t i : decimated_indices(targets.size())) {
    report.scatter_x.push_back(targets[i]);
    report.scatter_y.push_back(static_cast<float>(predictions[i]));
  }
  for (size_t i : decimated_indices(targets.size(), kMaxResiduals)) {
    report.residuals.push_back(static_cast<float>(predictions[i] - targets[i]));
  }
  report.residual_rows = static_cast<int64_t>(targets.size());
  return report;
}

nlohmann::ordered_json report_json(const ReportData& report) {
  nlohmann::ordered_json json;
  json["kind"] = report.synthetic ? "synthetic" : "real";
  json["title"] = report.title;
  json["final_loss"] = report.final_loss;
  json["scatter_x"] = report.scatter_x;
  json["scatter_y"] = report.scatter_y;
  if (report.synthetic) {
    json["true_bias"] = report.true_bias;
    json["learned_bias"] = report.learned_bias;
  } else {
    json["scatter_subject"] = report.scatter_subject;
    json["residuals"] = report.residuals;
    if (report.residual_rows > 0) json["residual_rows"] = report.residual_rows;  // 0: unknown
  }
  return json;
}

ReportData report_from_files(const std::string& metrics_file, const std::string& loss_file) {
  // "-" is standard input (for one of the two), named so in messages.
  const auto name = [](const std::string& path) { return path == "-" ? "standard input" : path; };
  const std::string metrics_path = name(metrics_file);
  const std::string loss_path = name(loss_file);
  // A file is refused from its first bytes unless a JSON object (a device never ends), standard
  // input read as --loss - reads it (from a pipe, a file or a socket alike); either with a key
  // repeated in an object, as model files are.
  std::string metrics_text;
  if (metrics_file == "-") {
    const InputBytes input("-");
    metrics_text.assign(input.data(), input.size());
    require_json_object_start(metrics_text, metrics_path, "metrics file");
  } else {
    metrics_text =
        read_json_file(metrics_file, "cannot open " + metrics_path, metrics_path, "metrics file");
  }
  Json metrics = parse_json_text(metrics_text, metrics_path, "metrics file");
  if (!metrics.contains("report") || !metrics["report"].is_object()) {
    throw InputError(metrics_path + ": no \"report\" object (write it with train --plot)");
  }
  const Json& json = metrics["report"];
  ReportData report;
  try {
    report.synthetic = json.at("kind") == "synthetic";
    report.title = json.at("title").get<std::string>();
    report.final_loss = finite_float(json, "final_loss", metrics_path);
    report.scatter_x = float_array(json, "scatter_x", metrics_path);
    report.scatter_y = float_array(json, "scatter_y", metrics_path);
    if (report.synthetic) {
      report.true_bias = finite_float(json, "true_bias", metrics_path);
      report.learned_bias = finite_float(json, "learned_bias", metrics_path);
    } else {
      report.scatter_subject = json.at("scatter_subject").get<std::string>();
      report.residuals = float_array(json, "residuals", metrics_path);
      // (A report of linsgd 0.1 has no count: its residuals are all it says.)
      if (json.contains("residual_rows")) {
        const Json& rows = json["residual_rows"];
        if (!rows.is_number_unsigned() || rows.get<uint64_t>() < report.residuals.size() ||
            rows.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) {
          throw InputError(metrics_path + ": report.residual_rows is " + rows.dump() +
                           " (must be a whole number, at least the residuals' count, " +
                           std::to_string(report.residuals.size()) + ")");
        }
        report.residual_rows = rows.get<int64_t>();
      }
    }
  } catch (const nlohmann::json::exception& error) {
    throw InputError(metrics_path + ": malformed report: " + error.what());
  }
  if (report.scatter_x.empty() || report.scatter_x.size() != report.scatter_y.size()) {
    throw InputError(metrics_path + ": report.scatter_x and report.scatter_y hold " +
                     std::to_string(report.scatter_x.size()) + " and " +
                     std::to_string(report.scatter_y.size()) +
                     " values (must be as many, at least one)");
  }
  if (!report.synthetic && report.residuals.empty()) {
    throw InputError(metrics_path + ": report.residuals is empty");
  }

  // The loss CSV is a table like any other: read it with the data reader.
  // (The last column as the target, then the names checked: a file of other columns is named
  // for what it lacks, not for an option of another command.)
  ReadOptions options;
  options.header = HeaderMode::kPresent;
  const Dataset loss = read_dataset(loss_file, options);
  if (loss.features != 1 || loss.feature_names[0] != "step" || loss.target_name != "batch_loss") {
    throw InputError(loss_path + ": expected the columns step,batch_loss");
  }
  const std::vector<float>& steps = loss.X;
  const std::vector<float>& losses = loss.y;
  require_the_runs_steps(steps, metrics, loss_path, metrics_path);
  for (size_t i : decimated_indices(steps.size())) {
    report.loss_steps.push_back(static_cast<int64_t>(steps[i]));
    report.losses.push_back(losses[i]);
  }
  return report;
}

}  // namespace linsgd
