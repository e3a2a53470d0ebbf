// `linsgd evaluate`: the metrics of a model on a data file.
#pragma once

#include <CLI/CLI.hpp>

#include <string>

#include "cli/data_options.hpp"

namespace linsgd::cli {

class EvaluateCommand {
 public:
  explicit EvaluateCommand(CLI::App& app);
  bool parsed() const { return command_->parsed(); }
  int run();

 private:
  CLI::App* command_;
  std::string model_;
  DataOptions data_;
  bool json_ = false;
};

}  // namespace linsgd::cli
