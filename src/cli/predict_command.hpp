// `linsgd predict`: one prediction per row of a data file, as CSV.
#pragma once

#include <CLI/CLI.hpp>

#include <string>

#include "cli/data_options.hpp"

namespace linsgd::cli {

class PredictCommand {
 public:
  explicit PredictCommand(CLI::App& app);
  bool parsed() const { return command_->parsed(); }
  int run();

 private:
  CLI::App* command_;
  std::string model_;
  DataOptions data_;
  std::string out_;
};

}  // namespace linsgd::cli
