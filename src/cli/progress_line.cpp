// ProgressLine: isatty check, throttled redraw with '\r'.
#include "cli/progress_line.hpp"

#include <unistd.h>

#include <cstdio>

namespace linsgd::cli {
namespace {

constexpr double kQuietSeconds = 1.0;    // runs shorter than this show nothing
constexpr double kRedrawSeconds = 0.25;  // at most four redraws a second

}  // namespace

ProgressLine::ProgressLine(bool quiet) : enabled_(!quiet && ::isatty(STDERR_FILENO) == 1) {}

ProgressLine::~ProgressLine() {
  if (drawn_) std::fputc('\n', stderr);
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
  std::fprintf(stderr, "\rstep %lld/%lld  %.0f steps/s  loss %.6g  ETA %.0f s   ",
               static_cast<long long>(progress.step), static_cast<long long>(progress.total_steps),
               rate, static_cast<double>(progress.latest_loss), eta);
  std::fflush(stderr);
  drawn_ = true;
  last_draw_seconds_ = progress.seconds;
}

}  // namespace linsgd::cli
