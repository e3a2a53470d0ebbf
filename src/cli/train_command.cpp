// `linsgd train`: option definitions (defaults from TrainConfig, i.e. the post's problem),
// data loading, standardization and the validation split, then the summary and output files.
#include "cli/train_command.hpp"

#include <chrono>
#include <cstdio>

#include "cli/progress_line.hpp"
#include "io/atomic_file.hpp"
#include "linsgd/errors.hpp"
#include "model/preprocessing.hpp"
#include "report/gnuplot_report.hpp"
#include "report/summary.hpp"

namespace linsgd::cli {
namespace {

std::string format_data_line(const Dataset& data, double seconds) {
  char counts[160];
  std::snprintf(counts, sizeof(counts),
                ": %lld rows x %lld features, target '%s', read in %.2f s\n",
                static_cast<long long>(data.rows), static_cast<long long>(data.features),
                data.target_name.c_str(), seconds);
  return "data                " + data.source + counts;
}

}  // namespace

TrainCommand::TrainCommand(CLI::App& app)
    : command_(app.add_subcommand(
          "train", "train on a data file, or on the reference post's synthetic problem")) {
  CLI::App& c = *command_;
  data_.add_to(c, false);
  c.add_option("--rows", config_.rows, "synthetic data: rows n")->capture_default_str();
  c.add_option("--features", config_.features, "synthetic data: features d")->capture_default_str();
  c.add_option("--batch-size", config_.batch_size, "rows per step, drawn with replacement")
      ->capture_default_str();
  c.add_option("--lr", config_.learning_rate, "learning rate")->capture_default_str();
  c.add_option("--steps", config_.steps, "SGD steps (the post's epochs)")->capture_default_str();
  c.add_option("--sigma", config_.sigma, "standard deviation of the initial weights")
      ->capture_default_str();
  c.add_option("--seed", config_.seed, "seed of the data, the batch draws and the split")
      ->check([](const std::string& text) {
        // CLI11 would wrap "-1" around to 2^64 - 1.
        return text.rfind('-', 0) == 0 ? "invalid value " + text + " (must be 0 or more)"
                                       : std::string();
      })
      ->capture_default_str();
  c.add_option("--device", device_, "auto, cuda or cpu")->capture_default_str();
  c.add_option("--engine", engine_,
               "gemv (gather + two GEMVs), fused (no gathered copy; one persistent kernel per "
               "chunk on the GPU) or auto")
      ->capture_default_str();
  c.add_option("--threads", config_.threads,
               "CPU backend threads (0: one for small steps, all cores for large)")
      ->capture_default_str();
  c.add_option("--fused-blocks", config_.fused_blocks,
               "GPU fused engine: about this many thread blocks, each owning a slice of the "
               "features (0: sqrt(features) / 2; more when the batch needs their shared memory)")
      ->capture_default_str();
  c.add_flag("--standardize", standardize_,
             "scale each feature to mean 0, deviation 1 (statistics of the training rows, "
             "stored in the model)");
  c.add_option("--val-fraction", val_fraction_, "hold out this fraction of rows for validation");
  c.add_option("--val-data", val_data_, "validation data file (same format as --data)");
  c.add_option("--model-out", model_out_, "write the trained model (JSON) to this file");
  c.add_option("--metrics-out", metrics_out_, "write the run's figures as JSON to this file");
  c.add_option("--loss-out", loss_out_, "write the batch loss of every step as CSV");
  c.add_option("--plot", plot_,
               "draw the training report (PNG, with gnuplot); its data goes to --metrics-out and "
               "--loss-out, or beside the PNG");
  c.add_flag("--quiet", quiet_, "print nothing but errors");
}

void TrainCommand::check_option_combinations() const {
  const bool has_data = !data_.data.empty();
  if (has_data) {
    for (const char* option : {"--rows", "--features"}) {
      if (command_->count(option) > 0) {
        throw UsageError(std::string(option) +
                         " sizes the synthetic problem; with --data the file gives the shape");
      }
    }
  } else {
    if (standardize_) throw UsageError("--standardize needs --data");
    if (command_->count("--val-fraction") > 0) throw UsageError("--val-fraction needs --data");
    if (!val_data_.empty()) throw UsageError("--val-data needs --data");
    if (!data_.target.empty() || !data_.labels.empty()) {
      throw UsageError("--target and --labels need --data");
    }
  }
  if (command_->count("--val-fraction") > 0) {
    validate_validation_fraction(val_fraction_);
    if (!val_data_.empty()) throw UsageError("use --val-fraction or --val-data, not both");
  }
  if (!val_data_.empty() && !data_.labels.empty()) {
    throw UsageError("--val-data cannot be combined with --labels; use --val-fraction");
  }
}

int TrainCommand::run() {
  config_.device = parse_device_kind(device_);
  config_.engine = parse_engine(engine_);
  validate(config_);
  check_option_combinations();
  const ReadOptions read_options = data_.read_options();
  const DeviceChoice choice = resolve_device(config_.device);
  TrainConfig config = config_;
  config.device = choice.kind;
  require_options_apply(choice.kind, config);
  if (!choice.notice.empty()) std::fprintf(stderr, "linsgd: %s\n", choice.notice.c_str());

  Outcome outcome;
  {
    ProgressLine progress(quiet_);
    if (data_.data.empty()) {
      outcome.result = train_synthetic(config, progress.callback());
      outcome.model = model_from_run(outcome.result, {}, "y", std::nullopt);
      if (!plot_.empty()) outcome.report = synthetic_report(outcome.result);
    } else {
      outcome = train_on_file(config, read_options, progress.callback());
    }
  }
  if (!quiet_) {
    std::fputs((outcome.data_line + format_summary(outcome.result, outcome.validation)).c_str(),
               stdout);
  }
  write_outputs(outcome);
  return 0;
}

TrainCommand::Outcome TrainCommand::train_on_file(const TrainConfig& config,
                                                  const ReadOptions& read_options,
                                                  const ProgressCallback& progress) const {
  Outcome outcome;
  const auto read_start = std::chrono::steady_clock::now();
  Dataset training = read_dataset(data_.data, read_options);
  if (!training.has_target()) throw InputError(data_.data + ": no target column");
  outcome.data_line = format_data_line(
      training,
      std::chrono::duration<double>(std::chrono::steady_clock::now() - read_start).count());
  std::optional<Dataset> held_out;
  if (command_->count("--val-fraction") > 0) {
    auto [kept, split_off] = split_validation(training, val_fraction_, config.seed);
    training = std::move(kept);
    held_out = std::move(split_off);
  } else if (!val_data_.empty()) {
    held_out = read_dataset(val_data_, read_options);
  }
  std::optional<Standardization> statistics;
  if (standardize_) {
    statistics = fit_standardization(training);
    standardize(*statistics, training);
  }
  outcome.result = train_on_data(config, training, progress);
  Model& model = outcome.model;
  model = model_from_run(outcome.result, training.feature_names, training.target_name, statistics);
  if (held_out) {
    const std::vector<double> predictions = predict(model, *held_out);
    outcome.validation = regression_metrics(predictions, held_out->y);
    model.metrics["validation_rows"] = static_cast<double>(outcome.validation->rows);
    model.metrics["validation_mse"] = outcome.validation->mse;
    model.metrics["validation_r2"] = outcome.validation->r2;
    if (!plot_.empty()) {
      outcome.report =
          real_data_report(outcome.result, predictions, held_out->y, "validation rows");
    }
  } else if (!plot_.empty()) {
    Model as_trained = model;  // `training` is already standardized
    as_trained.standardization.reset();
    outcome.report = real_data_report(outcome.result, predict(as_trained, training), training.y,
                                      "training rows");
  }
  return outcome;
}

void TrainCommand::write_outputs(const Outcome& outcome) const {
  const auto& [result, model, validation, report, data_line] = outcome;
  if (!model_out_.empty()) save_model(model, model_out_);
  // A report needs its data files: the ones asked for, or ones beside the PNG.
  const std::string stem = plot_.size() > 4 && plot_.compare(plot_.size() - 4, 4, ".png") == 0
                               ? plot_.substr(0, plot_.size() - 4)
                               : plot_;
  const std::string metrics_path = !metrics_out_.empty() ? metrics_out_
                                   : plot_.empty()       ? ""
                                                         : stem + ".metrics.json";
  const std::string loss_path = !loss_out_.empty() ? loss_out_
                                : plot_.empty()    ? ""
                                                   : stem + ".loss.csv";
  if (!metrics_path.empty()) {
    write_file_atomically(metrics_path,
                          format_metrics_json(result, validation, report ? &*report : nullptr));
  }
  if (!loss_path.empty()) write_file_atomically(loss_path, format_loss_csv(result));
  if (report) {
    std::string problem;
    if (!render_report(*report, plot_, &problem)) {
      std::fprintf(stderr, "linsgd: warning: %s; the report data is in %s and %s\n",
                   problem.c_str(), metrics_path.c_str(), loss_path.c_str());
    }
  }
}

}  // namespace linsgd::cli
