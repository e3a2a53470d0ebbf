// Draws a ReportData as one PNG of three panels with gnuplot's pngcairo terminal (Debian's
// gnuplot-nox). The data goes to gnuplot inline, in the script, so nothing but the PNG is
// written; the PNG is written to a temporary name and renamed, so it appears whole or not at all.
#pragma once

#include <string>

#include "report/report_data.hpp"

namespace linsgd {

inline constexpr int kReportWidth = 1800;
inline constexpr int kReportHeight = 560;

// The gnuplot script that draws `report` into `png_path`.
std::string gnuplot_script(const ReportData& report, const std::string& png_path);

// Returns false, with the reason in `problem`, when gnuplot is not installed or fails; the
// caller decides whether that is a warning (train --plot) or an error (linsgd plot).
bool render_report(const ReportData& report, const std::string& png_path, std::string* problem);

// The one-line advice printed when gnuplot is missing.
inline constexpr const char* kInstallGnuplot =
    "install gnuplot to draw reports (Debian: apt-get install gnuplot-nox)";

}  // namespace linsgd
