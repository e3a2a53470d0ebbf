// gnuplot_script and render_png.
#include "report/gnuplot_report.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string_view>

#include "io/temporary_files.hpp"

namespace linsgd {
namespace {

// A gnuplot single-quoted string of `text`, which stays one string whatever it holds: a control
// character (a line break would end the command, and the text after it would run as gnuplot's:
// `system "..."` from a title in a metrics file) becomes a space, and a quote the typographic
// one, U+2019 (gnuplot 5.4 reads a doubled quote only after another character: '''' is two
// strings).
std::string gnuplot_string(std::string_view text) {
  std::string result = "'";
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '\'') {
      result += "\u2019";
    } else {
      result += byte < 0x20 || byte == 0x7F ? ' ' : c;
    }
  }
  return result + "'";
}

std::string number(double value) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.9g", value);
  return text;
}

// An inline data block: $NAME << EOD ... EOD.
template <class Columns>
std::string data_block(const char* name, size_t rows, Columns&& columns) {
  std::string text = std::string("$") + name + " << EOD\n";
  for (size_t i = 0; i < rows; ++i) text += columns(i) + "\n";
  return text + "EOD\n";
}

bool find_in_path(const char* program) {
  const char* path = std::getenv("PATH");
  if (path == nullptr) return false;
  std::string_view rest(path);
  while (!rest.empty()) {
    const size_t colon = rest.find(':');
    const std::string directory(rest.substr(0, colon));
    if (::access((directory + "/" + program).c_str(), X_OK) == 0) return true;
    if (colon == std::string_view::npos) break;
    rest.remove_prefix(colon + 1);
  }
  return false;
}

}  // namespace

std::string gnuplot_script(const ReportData& r, const std::string& png_path) {
  std::string s;
  s += data_block("loss", r.losses.size(), [&](size_t i) {
    return std::to_string(r.loss_steps[i]) + " " + number(r.losses[i]);
  });
  s += data_block("scatter", r.scatter_x.size(),
                  [&](size_t i) { return number(r.scatter_x[i]) + " " + number(r.scatter_y[i]); });
  if (r.synthetic) {
    s += "$bias << EOD\n\"True bias\" " + number(r.true_bias) + " 0x1f77b4\n\"Learned bias\" " +
         number(r.learned_bias) + " 0xff7f0e\nEOD\n";
  } else {
    s += data_block("residuals", r.residuals.size(),
                    [&](size_t i) { return number(r.residuals[i]); });
  }
  s += "set terminal pngcairo size " + std::to_string(kReportWidth) + "," +
       std::to_string(kReportHeight) + " noenhanced font 'DejaVu Sans,11'\n";
  // (A name beginning with '|' would be a command to pipe the PNG into: a relative path is
  // written from ./, as TMPDIR's may be.)
  s += "set output " + gnuplot_string(png_path.rfind('/', 0) == 0 ? png_path : "./" + png_path) +
       "\n";
  s += "set multiplot layout 1,3 title " + gnuplot_string(r.title) + " font ',13'\n";
  s += "set grid\nset key top right\n";

  // Panel 1: the loss on a log scale, the final loss dashed (the post's first panel); on a linear
  // one where a loss is 0 (an epsilon-insensitive run within its epsilon), which a log scale
  // cannot place (every point of 0: no plot at all).
  const bool log_scale = r.final_loss > 0.0f && std::all_of(r.losses.begin(), r.losses.end(),
                                                            [](float loss) { return loss > 0.0f; });
  s += std::string(
           "set title 'Training loss over time'\nset xlabel 'step'\nset ylabel 'batch "
           "loss") +
       (log_scale ? " (log scale)'\nset logscale y\n" : "'\n");
  s += "plot $loss using 1:2 with lines lw 1.5 lc rgb '#1f77b4' title 'batch loss', " +
       number(r.final_loss) + " with lines dt 2 lw 1.5 lc rgb 'red' title 'final loss'\n";
  s += "unset logscale y\n";

  // Panel 2: a scatter against the y = x line.
  if (r.synthetic) {
    s += "set title 'True vs learned weights'\nset xlabel 'true weight'\n"
         "set ylabel 'learned weight'\n";
  } else {
    s += "set title " + gnuplot_string("Predictions vs targets (" + r.scatter_subject + ")") +
         "\nset xlabel 'target'\nset ylabel 'prediction'\n";
  }
  s += "plot $scatter using 1:2 with points pt 7 ps 0.5 lc rgb '#1f77b4' title '" +
       std::string(r.synthetic ? "weights" : "rows") +
       "', x with lines dt 2 lw 1.5 lc rgb 'red' title 'y = x'\n";

  // Panel 3: the two biases as labelled bars, or a histogram of the residuals.
  if (r.synthetic) {
    s += "set title 'True vs learned bias'\nset xlabel ''\nset ylabel 'bias'\n"
         "set style fill solid 0.7\nset boxwidth 0.6\nset yrange [0:*]\nset xrange [-0.7:1.7]\n"
         "unset key\n";
    s += "plot $bias using 0:2:3:xtic(1) with boxes lc rgb variable, "
         "'' using 0:2:(sprintf('%.2f', $2)) with labels offset 0,1\n";
  } else {
    const auto counted = static_cast<int64_t>(r.residuals.size());
    s += "set title 'Residuals (prediction - target)'\nset xlabel 'residual'\n"
         "set ylabel '" +
         (r.residual_rows > counted ? "rows (an even sample: " + std::to_string(counted) + " of " +
                                          std::to_string(r.residual_rows) + ")"
                                    : std::string("rows")) +
         "'\nset style fill solid 0.7\nunset key\n";
    s += "stats $residuals using 1 nooutput\n";
    s += "width = (STATS_max - STATS_min) / 40.0\nif (width <= 0) width = 1\n";
    s += "set boxwidth width * 0.9 absolute\n";
    s += "plot $residuals using (width * floor($1 / width) + width / 2):(1.0) smooth freq "
         "with boxes lc rgb '#1f77b4'\n";
  }
  s += "unset multiplot\nset output\n";
  return s;
}

std::optional<std::string> render_png(const ReportData& report, std::string* problem) {
  if (!find_in_path("gnuplot")) {
    *problem = std::string("gnuplot not found; ") + kInstallGnuplot;
    return std::nullopt;
  }
  // gnuplot draws into a private temporary file, read back whole: the caller writes the PNG to
  // its output by the output rules (io/output_file.hpp), whatever that output is.
  const char* tmpdir = std::getenv("TMPDIR");
  std::string pattern = std::string(tmpdir != nullptr && *tmpdir != '\0' ? tmpdir : "/tmp") +
                        "/linsgd-report-XXXXXX.png";
  const int fd = ::mkstemps(pattern.data(), 4);
  if (fd < 0) {
    *problem =
        std::string("cannot create a temporary file for the report: ") + std::strerror(errno);
    return std::nullopt;
  }
  ::close(fd);
  const int registration = register_temporary_file(pattern);
  const auto cleanup = [&] {
    ::unlink(pattern.c_str());
    unregister_temporary_file(registration);
  };
  FILE* gnuplot = ::popen("gnuplot > /dev/null 2>&1", "w");
  if (gnuplot == nullptr) {
    cleanup();
    *problem = "cannot start gnuplot";
    return std::nullopt;
  }
  const std::string script = gnuplot_script(report, pattern);
  const bool written = std::fwrite(script.data(), 1, script.size(), gnuplot) == script.size();
  const int status = ::pclose(gnuplot);
  std::ifstream file(pattern, std::ios::binary);
  std::string png((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  cleanup();
  if (!written || status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0 || png.empty()) {
    *problem = "gnuplot failed to draw the report";
    return std::nullopt;
  }
  return png;
}

}  // namespace linsgd
