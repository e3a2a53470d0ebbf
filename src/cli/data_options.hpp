// The options that say how to read a data file, shared by train, evaluate and predict:
// --data, --target, --labels, --header / --no-header, --delimiter.
#pragma once

#include <CLI/CLI.hpp>

#include <string>

#include "linsgd/dataset.hpp"

namespace linsgd::cli {

struct DataOptions {
  std::string data;
  std::string target;
  std::string labels;
  bool header = false;
  bool no_header = false;
  std::string delimiter = ",";

  // Adds the options to `command`; --data is required when `data_required`.
  void add_to(CLI::App& command, bool data_required);
  // Throws UsageError for a delimiter that is not one character (or "tab"), and for the CSV
  // options (--header, --no-header, --delimiter) given with .npy data.
  ReadOptions read_options() const;

 private:
  CLI::App* command_ = nullptr;
};

}  // namespace linsgd::cli
