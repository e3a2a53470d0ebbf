// `linsgd train`: its options, and running it.
#pragma once

#include <CLI/CLI.hpp>

#include <string>

#include "linsgd/config.hpp"

namespace linsgd::cli {

class TrainCommand {
 public:
  explicit TrainCommand(CLI::App& app);
  bool parsed() const { return command_->parsed(); }
  // Trains, prints the summary, writes the requested files; returns the exit code.
  int run();

 private:
  CLI::App* command_;
  TrainConfig config_;
  std::string device_ = "auto";
  std::string metrics_out_;
  bool quiet_ = false;
};

}  // namespace linsgd::cli
