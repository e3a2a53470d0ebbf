// Draws a ReportData as one PNG of three panels with gnuplot's pngcairo terminal (Debian's
// gnuplot-nox). The data goes to gnuplot inline, in the script; gnuplot draws into a private
// temporary file, and the PNG comes back as bytes for the caller to write where it belongs.
#pragma once

#include <optional>
#include <string>

#include "report/report_data.hpp"

namespace linsgd {

inline constexpr int kReportWidth = 1800;
inline constexpr int kReportHeight = 560;

// The gnuplot script that draws `report` into `png_path`.
std::string gnuplot_script(const ReportData& report, const std::string& png_path);

// The PNG's bytes; nullopt, with the reason in `problem`, when gnuplot is not installed or
// fails: the caller decides whether that is a warning (train --plot) or an error (linsgd plot).
std::optional<std::string> render_png(const ReportData& report, std::string* problem);

// The one-line advice printed when gnuplot is missing.
inline constexpr const char* kInstallGnuplot =
    "install gnuplot to draw reports (Debian: apt-get install gnuplot-nox)";

}  // namespace linsgd
