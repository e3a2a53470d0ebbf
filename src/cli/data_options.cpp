// DataOptions: option definitions and their translation into ReadOptions.
#include "cli/data_options.hpp"

#include "linsgd/errors.hpp"

namespace linsgd::cli {

void DataOptions::add_to(CLI::App& command, bool data_required) {
  command_ = &command;
  auto* option = command.add_option("--data", data, "CSV file, or .npy array (float32/float64)");
  if (data_required) option->required();
  command.add_option("--target", target,
                     "target column: a header name, or an index (0-based; -1 = last); "
                     "default: the last column");
  command.add_option("--labels", labels, "targets as a 1-D .npy file (with --data X.npy)");
  auto* with_header = command.add_flag("--header", header, "the CSV's first row is a header");
  command.add_flag("--no-header", no_header, "the CSV has no header row")->excludes(with_header);
  command.add_option("--delimiter", delimiter, "CSV field delimiter (one character, or 'tab')")
      ->capture_default_str();
}

ReadOptions DataOptions::read_options() const {
  if (is_npy_path(data)) {
    for (const char* option : {"--header", "--no-header", "--delimiter"}) {
      if (command_->count(option) > 0) {
        throw UsageError(std::string(option) + " applies to CSV data, not to the .npy file " +
                         data);
      }
    }
  }
  ReadOptions options;
  options.target = target;
  options.labels = labels;
  options.header = header      ? HeaderMode::kPresent
                   : no_header ? HeaderMode::kAbsent
                               : HeaderMode::kAuto;
  if (delimiter == "tab" || delimiter == "\\t") {
    options.delimiter = '\t';
  } else if (delimiter.size() == 1 && delimiter != "\"" && delimiter != "\n") {
    options.delimiter = delimiter[0];
  } else {
    throw UsageError("invalid value for --delimiter: '" + delimiter +
                     "' (one character other than a quote, or 'tab')");
  }
  return options;
}

}  // namespace linsgd::cli
