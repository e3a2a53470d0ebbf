// parse_error_message (CLI11's wording of the common mistakes, matched and rephrased) and
// refuse_empty_values.
#include "cli/parse_errors.hpp"

#include <regex>
#include <sstream>

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

std::string parse_error_message(const std::string& what) {
  static const std::regex kTwice(R"(^(-[^:\s]+): At Most 1 required but received (\d+)$)");
  static const std::regex kNoValue(R"(^(-[^:\s]+): \d+ required \S+ missing$)");
  static const std::regex kUnexpected(
      R"(^The following arguments? (was|were) not expected: (.*)$)");
  std::smatch match;
  if (std::regex_match(what, match, kTwice)) {
    return match[1].str() + " given " + match[2].str() + " times: give it once";
  }
  if (std::regex_match(what, match, kNoValue)) return match[1].str() + " needs a value";
  if (std::regex_match(what, match, kUnexpected)) {
    // CLI11 lists them last first: the first option among them on the command line, if any.
    std::istringstream listed(match[2].str());
    std::string argument, option;
    while (listed >> argument) {
      if (argument.size() > 1 && argument[0] == '-') option = argument;
    }
    if (!option.empty()) return "unknown option " + option + " (--help lists the options)";
    return std::string(match[1].str() == "were" ? "unexpected arguments "
                                                : "unexpected argument ") +
           match[2].str() + " (--help lists the options)";
  }
  return what;
}

}  // namespace linsgd::cli
