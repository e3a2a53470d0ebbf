// SIGINT and SIGTERM. Outside training, either one removes the temporary files being written
// and exits at once, with 128 + the signal (130, 143). During training (while a TrainingWindow
// is alive) the first one asks the run to stop at the end of its chunk, so the command can
// write what was trained; a second one exits at once as above.
#pragma once

namespace linsgd::cli {

// Installs the handlers; call once, first thing.
void install_interrupt_handlers();

// The span of a training run, in which the first signal stops the run instead of the process.
class TrainingWindow {
 public:
  TrainingWindow();
  ~TrainingWindow();
  TrainingWindow(const TrainingWindow&) = delete;
  TrainingWindow& operator=(const TrainingWindow&) = delete;
};

// True once a signal has asked the run to stop.
bool stop_requested();

// 128 + the signal that asked the run to stop, or 0 when none did.
int interrupted_exit_code();

// "SIGINT", "SIGTERM", or "" when no signal came.
const char* interrupting_signal_name();

}  // namespace linsgd::cli
