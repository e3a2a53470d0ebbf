// parse_error_message (CLI11's wording of the common mistakes, recognized and rephrased) and
// refuse_empty_values.
#include "cli/parse_errors.hpp"

#include <optional>
#include <sstream>
#include <utility>

#include "linsgd/errors.hpp"

namespace linsgd::cli {

void refuse_empty_values(const CLI::App& app) {
  for (const CLI::App* command : app.get_subcommands()) {
    for (const CLI::Option* option : command->get_options()) {
      // Flags, options whose value may be left out (--average), and options not given.
      if (option->get_type_size() == 0 || option->get_expected_min() == 0 || option->count() == 0) {
        continue;
      }
      for (const std::string& value : option->results()) {
        if (value.empty()) {
          throw UsageError(option->get_name() +
                           ": an empty value (give one, or leave the option "
                           "out)");
        }
      }
    }
  }
}

namespace {

bool starts_with(const std::string& text, const std::string& prefix) {
  return text.rfind(prefix, 0) == 0;
}

// CLI11's "OPTION: <rest>", with OPTION an option's name (no space in it), else nothing.
std::optional<std::pair<std::string, std::string>> option_and_rest(const std::string& what) {
  const size_t colon = what.find(": ");
  if (colon == std::string::npos || what[0] != '-' || what.find(' ') < colon) {
    return std::nullopt;
  }
  return std::make_pair(what.substr(0, colon), what.substr(colon + 2));
}

}  // namespace

std::string parse_error_message(const std::string& what) {
  if (const auto option = option_and_rest(what)) {
    const auto& [name, rest] = *option;
    const std::string twice = "At Most 1 required but received ";
    if (starts_with(rest, twice)) {
      return name + " given " + rest.substr(twice.size()) + " times: give it once";
    }
    // "1 required TYPE missing": the option, given last, without its value.
    std::istringstream words(rest);
    int count = 0;
    std::string required, type, missing, extra;
    if (words >> count >> required >> type >> missing && required == "required" &&
        missing == "missing" && !(words >> extra)) {
      return name + " needs a value";
    }
  }
  for (const char* const prefix : {"The following argument was not expected: ",
                                   "The following arguments were not expected: "}) {
    if (!starts_with(what, prefix)) continue;
    const std::string arguments = what.substr(std::string(prefix).size());
    // CLI11 lists them last first: the first option among them on the command line, if any.
    std::istringstream listed(arguments);
    std::string argument, first_option;
    while (listed >> argument) {
      if (argument.size() > 1 && argument[0] == '-') first_option = argument;
    }
    if (!first_option.empty()) {
      return "unknown option " + first_option + " (--help lists the options)";
    }
    return std::string(arguments.find(' ') != std::string::npos ? "unexpected arguments "
                                                                : "unexpected argument ") +
           arguments + " (--help lists the options)";
  }
  return what;
}

}  // namespace linsgd::cli
