// The options of `linsgd train` that make its TrainConfig: the problem's size, the steps and
// their rate, the objective (--loss, --penalty, ...), the sampling and schedule, momentum and
// averaging, the stopping rules, the solver and the device. Named values are parsed, and an
// option that does not apply to the run (--alpha without a --penalty, --power-t without the
// invscaling schedule, ...) is refused with one line.
#pragma once

#include <CLI/CLI.hpp>

#include <string>

#include "linsgd/config.hpp"

namespace linsgd::cli {

class TrainOptions {
 public:
  void add_to(CLI::App& command);
  // The configuration the options ask for. Throws UsageError for a named value that does not
  // parse, or an option that does not apply; validate() checks the values themselves.
  TrainConfig config() const;
  const std::string& curve_out() const { return curve_out_; }
  void clear_curve_out() { curve_out_.clear(); }

 private:
  bool given(const char* option) const { return command_->count(option) > 0; }
  void refuse_unless(bool applies, const char* option, const std::string& why) const;

  CLI::App* command_ = nullptr;
  TrainConfig config_;
  std::string learning_rate_ = "0.01";
  std::string device_ = "auto";
  std::string engine_ = "auto";
  std::string loss_ = "squared";
  std::string penalty_ = "none";
  std::string sampling_ = "replacement";
  std::string schedule_ = "constant";
  std::string solver_ = "sgd";
  std::string average_;
  bool no_intercept_ = false;
  double tol_ = 0.0;
  double target_objective_ = 0.0;
  std::string curve_out_;
};

}  // namespace linsgd::cli
