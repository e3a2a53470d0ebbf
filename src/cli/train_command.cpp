// `linsgd train`: option definitions (defaults from TrainConfig, i.e. the post's problem),
// device resolution with the fallback notice, the summary and --metrics-out.
#include "train_command.hpp"

#include <cstdio>

#include "../atomic_file.hpp"
#include "../report.hpp"
#include "linsgd/trainer.hpp"

namespace linsgd::cli {

TrainCommand::TrainCommand(CLI::App& app)
    : command_(app.add_subcommand("train", "train on the reference post's synthetic problem")) {
  CLI::App& c = *command_;
  c.add_option("--rows", config_.rows, "rows n of the synthetic data")->capture_default_str();
  c.add_option("--features", config_.features, "features d of the synthetic data")
      ->capture_default_str();
  c.add_option("--batch-size", config_.batch_size, "rows per step, drawn with replacement")
      ->capture_default_str();
  c.add_option("--lr", config_.learning_rate, "learning rate")->capture_default_str();
  c.add_option("--steps", config_.steps, "SGD steps (the post's epochs)")->capture_default_str();
  c.add_option("--sigma", config_.sigma, "standard deviation of the initial weights")
      ->capture_default_str();
  c.add_option("--seed", config_.seed, "seed of the data and the batch draws")
      ->capture_default_str();
  c.add_option("--device", device_, "auto, cuda or cpu")->capture_default_str();
  c.add_option("--threads", config_.threads,
               "CPU backend threads (0: one for small steps, all cores for large)")
      ->capture_default_str();
  c.add_option("--metrics-out", metrics_out_, "write the run's figures as JSON to this file");
  c.add_flag("--quiet", quiet_, "print nothing but errors");
}

int TrainCommand::run() {
  config_.device = parse_device_kind(device_);
  validate(config_);
  const DeviceChoice choice = resolve_device(config_.device);
  if (!choice.notice.empty()) std::fprintf(stderr, "linsgd: %s\n", choice.notice.c_str());
  TrainConfig config = config_;
  config.device = choice.kind;
  const TrainResult result = train_synthetic(config);
  if (!quiet_) std::fputs(format_summary(result).c_str(), stdout);
  if (!metrics_out_.empty()) write_file_atomically(metrics_out_, format_metrics_json(result));
  return 0;
}

}  // namespace linsgd::cli
