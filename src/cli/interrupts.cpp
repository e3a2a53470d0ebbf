// The signal handlers: lock-free atomics for the state they share with the program, and only
// async-signal-safe calls (unlink through the temporary-file registry, write, _exit).
#include "cli/interrupts.hpp"

#include <unistd.h>

#include <atomic>
#include <csignal>

#include "io/temporary_files.hpp"

namespace linsgd::cli {
namespace {

std::atomic<bool> training{false};
std::atomic<int> stopping_signal{0};
static_assert(std::atomic<bool>::is_always_lock_free && std::atomic<int>::is_always_lock_free,
              "the signal handler shares these");

// Why the process stops, in one line (as --quiet too prints it): write(2) of a fixed text, with
// SIGPIPE blocked (sigprocmask is async-signal-safe), so that a closed stderr fails the write
// instead of ending the process by another signal.
void say_stopped(int signal) {
  static constexpr char kInterrupt[] =
      "linsgd: SIGINT: stopped at once (outside the training steps, or a second signal); the "
      "files being written are removed\n";
  static constexpr char kTerminate[] =
      "linsgd: SIGTERM: stopped at once (outside the training steps, or a second signal); the "
      "files being written are removed\n";
  sigset_t pipe;
  sigemptyset(&pipe);
  sigaddset(&pipe, SIGPIPE);
  sigprocmask(SIG_BLOCK, &pipe, nullptr);
  const bool interrupt = signal == SIGINT;
  const ssize_t written = ::write(STDERR_FILENO, interrupt ? kInterrupt : kTerminate,
                                  interrupt ? sizeof kInterrupt - 1 : sizeof kTerminate - 1);
  static_cast<void>(written);  // nothing to do about a failed write: the exit code says it
}

extern "C" void on_signal(int signal) {
  int none = 0;
  if (training.load() && stopping_signal.compare_exchange_strong(none, signal)) return;
  remove_registered_temporary_files();
  say_stopped(signal);
  ::_exit(128 + signal);
}

}  // namespace

void install_interrupt_handlers() {
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;  // reads and writes carry on after the first signal
  for (const int signal : {SIGINT, SIGTERM}) sigaction(signal, &action, nullptr);
}

TrainingWindow::TrainingWindow() {
  training.store(true);
}
TrainingWindow::~TrainingWindow() {
  training.store(false);
}

bool stop_requested() {
  return stopping_signal.load() != 0;
}

int interrupted_exit_code() {
  const int signal = stopping_signal.load();
  return signal == 0 ? 0 : 128 + signal;
}

const char* interrupting_signal_name() {
  switch (stopping_signal.load()) {
    case SIGINT:
      return "SIGINT";
    case SIGTERM:
      return "SIGTERM";
    default:
      return "";
  }
}

}  // namespace linsgd::cli
