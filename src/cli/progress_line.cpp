// ProgressLine: the terminal check, and the throttled redraw with '\r'.
#include "cli/progress_line.hpp"

#include <unistd.h>

namespace linsgd::cli {

ProgressLine::ProgressLine(bool quiet)
    : ProgressLine(!quiet && ::isatty(STDERR_FILENO) == 1, stderr) {}

ProgressLine::ProgressLine(bool enabled, std::FILE* out) : enabled_(enabled), out_(out) {}

ProgressLine::~ProgressLine() {
  if (drawn_) std::fputc('\n', out_);
}

ProgressCallback ProgressLine::callback() {
  if (!enabled_) return {};
  return [this](const Progress& progress) { draw(progress); };
}

void ProgressLine::draw(const Progress& progress) {
  if (progress.seconds < kQuietSeconds) return;
  if (drawn_ && progress.seconds - last_draw_seconds_ < kRedrawSeconds &&
      progress.step != progress.total_steps) {
    return;
  }
  const double rate = static_cast<double>(progress.step) / progress.seconds;
  const double eta = static_cast<double>(progress.total_steps - progress.step) / rate;
  std::fprintf(out_, "\rstep %lld/%lld  %.0f steps/s  loss %.6g  ETA %.0f s   ",
               static_cast<long long>(progress.step), static_cast<long long>(progress.total_steps),
               rate, static_cast<double>(progress.latest_loss), eta);
  std::fflush(out_);
  drawn_ = true;
  last_draw_seconds_ = progress.seconds;
}

}  // namespace linsgd::cli
