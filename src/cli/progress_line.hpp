// The progress line of long runs: on stderr, only when stderr is a terminal and not --quiet,
// only once a run has lasted a second, redrawn in place (step, steps/s, latest loss, ETA).
#pragma once

#include <cstdio>

#include "linsgd/trainer.hpp"

namespace linsgd::cli {

class ProgressLine {
 public:
  // Draws on stderr when it is a terminal and not `quiet`.
  explicit ProgressLine(bool quiet);
  // Draws on `out` when `enabled`.
  ProgressLine(bool enabled, std::FILE* out);
  ~ProgressLine();  // ends the line if one was drawn
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

  // Empty when disabled, so the trainer skips the calls.
  ProgressCallback callback();

  static constexpr double kQuietSeconds = 1.0;    // runs shorter than this show nothing
  static constexpr double kRedrawSeconds = 0.25;  // at most four redraws a second

 private:
  void draw(const Progress& progress);

  bool enabled_;
  std::FILE* out_;
  bool drawn_ = false;
  double last_draw_seconds_ = 0.0;
};

}  // namespace linsgd::cli
