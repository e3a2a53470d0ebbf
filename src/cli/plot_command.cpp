// `linsgd plot`: read the run's files, draw; a missing gnuplot is an error here.
#include "cli/plot_command.hpp"

#include "io/output_file.hpp"
#include "linsgd/errors.hpp"
#include "report/gnuplot_report.hpp"
#include "report/report_data.hpp"

namespace linsgd::cli {

PlotCommand::PlotCommand(CLI::App& app)
    : command_(app.add_subcommand("plot", "draw the training report of a finished run")) {
  command_
      ->add_option("--metrics", metrics_,
                   "metrics JSON written by train --plot (- = standard input)")
      ->required();
  command_
      ->add_option("--loss", loss_,
                   "loss CSV written by train --plot or --loss-out (- = standard input)")
      ->required();
  command_->add_option("-o,--output", output_, "the PNG to write")->required();
}

int PlotCommand::run() {
  const OutputTarget output = plan_output(output_, "--output");
  refuse_own_descriptor(output);
  if (metrics_ == "-" && loss_ == "-") {
    throw UsageError(
        "--metrics - and --loss -: standard input can be read once; name a file for one of them");
  }
  refuse_input_as_output(output, "--metrics", metrics_, /*dash_is_standard_input=*/true);
  refuse_input_as_output(output, "--loss", loss_, /*dash_is_standard_input=*/true);
  const ReportData report = report_from_files(metrics_, loss_);
  std::string problem;
  const std::optional<std::string> png = render_png(report, &problem);
  if (!png) throw Error(problem);
  write_output(output, *png);
  return 0;
}

}  // namespace linsgd::cli
