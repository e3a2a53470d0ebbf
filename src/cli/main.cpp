// The linsgd command line: git-style subcommands (CLI11). Maps errors to exit codes:
// 0 success, 2 bad usage or bad input, 1 any other failure, 130 / 143 a run stopped by SIGINT /
// SIGTERM (after writing what it trained), 141 standard output closed by its reader (quietly);
// each error is one stderr line starting "linsgd: error:".
#include <CLI/CLI.hpp>

#include <cstdio>
#include <exception>
#include <new>
#include <sstream>

#include "cli/evaluate_command.hpp"
#include "cli/interrupts.hpp"
#include "cli/parse_errors.hpp"
#include "cli/plot_command.hpp"
#include "cli/predict_command.hpp"
#include "cli/train_command.hpp"
#include "comm/mpi_session.hpp"
#include "io/output_file.hpp"
#include "linsgd/errors.hpp"
#include "linsgd/version.hpp"

namespace {

constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;
constexpr int kExitBrokenPipe = 128 + 13;  // as if killed by SIGPIPE

// Prints the error; in a data-parallel run it then ends every process of the run (the others
// would wait forever on this one's sums).
int report_error(const char* message, int exit_code) {
  std::fprintf(stderr, "linsgd: error: %s\n", message);
  std::fflush(stderr);
  linsgd::MpiSession::abort_all_if_open(exit_code);
  return exit_code;
}

}  // namespace

int main(int argc, char** argv) {
  linsgd::restart_on_the_cpus_blas_kernels(argv);
  linsgd::cli::install_interrupt_handlers();
  CLI::App app{"linsgd: linear regression by mini-batch SGD on NVIDIA GPUs and on the CPU"};
  app.require_subcommand(1);
  app.set_version_flag("-V,--version", [] {
    return std::string("linsgd ") + linsgd::version() + "\n" + linsgd::cuda_versions() + "\n" +
           linsgd::cpu_blas_description();
  });
  linsgd::cli::TrainCommand train(app);
  linsgd::cli::EvaluateCommand evaluate(app);
  linsgd::cli::PredictCommand predict(app);
  linsgd::cli::PlotCommand plot(app);
  const auto known = [&](const std::string& name) {
    return !app.get_subcommands([&](const CLI::App* command) { return command->check_name(name); })
                .empty();
  };
  if (argc > 1 && argv[1][0] != '-' && !known(argv[1])) {
    return report_error(("unknown command '" + std::string(argv[1]) +
                         "'; the commands are train, evaluate, predict and plot (linsgd --help)")
                            .c_str(),
                        kExitUsage);
  }
  // --help and --version: CLI11's text, written as every output is (a full disk or a closed
  // pipe is an error, not a silent exit 0).
  const auto print = [&](const CLI::ParseError& request) {
    std::ostringstream text;
    const int exit_code = app.exit(request, text, text);
    try {
      linsgd::write_standard_output(text.str());
    } catch (const linsgd::BrokenPipe&) {
      return kExitBrokenPipe;
    } catch (const linsgd::Error& error) {
      return report_error(error.what(), kExitFailure);
    }
    return exit_code;
  };
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForVersion& version) {
    return print(version);
  } catch (const CLI::CallForHelp& help) {
    return print(help);
  } catch (const CLI::CallForAllHelp& help) {
    return print(help);
  } catch (const CLI::ParseError& error) {
    return report_error(linsgd::cli::parse_error_message(error.what()).c_str(), kExitUsage);
  }
  try {
    linsgd::cli::refuse_empty_values(app);
    if (train.parsed()) return train.run();
    if (evaluate.parsed()) return evaluate.run();
    if (predict.parsed()) return predict.run();
    if (plot.parsed()) return plot.run();
    return report_error("no subcommand given (try --help)", kExitUsage);
  } catch (const linsgd::BrokenPipe&) {
    return kExitBrokenPipe;
  } catch (const linsgd::UsageError& error) {
    return report_error(error.what(), kExitUsage);
  } catch (const linsgd::InputError& error) {
    return report_error(error.what(), kExitUsage);
  } catch (const std::bad_alloc&) {
    return report_error("out of memory: use fewer rows or features", kExitFailure);
  } catch (const std::exception& error) {
    return report_error(error.what(), kExitFailure);
  }
}
