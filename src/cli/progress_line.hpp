// The progress line of long runs: on stderr, only when stderr is a terminal and not --quiet,
// only once a run has lasted a second, redrawn in place (step, steps/s, latest loss, ETA).
#pragma once

#include "linsgd/trainer.hpp"

namespace linsgd::cli {

class ProgressLine {
 public:
  explicit ProgressLine(bool quiet);
  ~ProgressLine();  // ends the line if one was drawn
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

  ProgressCallback callback();

 private:
  void draw(const Progress& progress);

  bool enabled_;
  bool drawn_ = false;
  double last_draw_seconds_ = 0.0;
};

}  // namespace linsgd::cli
