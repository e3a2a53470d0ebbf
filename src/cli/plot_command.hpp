// `linsgd plot`: redraws the training report of a finished run from its metrics JSON (written
// by train --plot) and its loss CSV.
#pragma once

#include <CLI/CLI.hpp>

#include <string>

namespace linsgd::cli {

class PlotCommand {
 public:
  explicit PlotCommand(CLI::App& app);
  bool parsed() const { return command_->parsed(); }
  int run();

 private:
  CLI::App* command_;
  std::string metrics_;
  std::string loss_;
  std::string output_;
};

}  // namespace linsgd::cli
