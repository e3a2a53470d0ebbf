// Runs the linsgd binary as a user would, capturing its exit code, stdout and stderr, in the
// foreground or in the background (to signal it); and scratch directories with the files a
// test writes.
#pragma once

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

namespace linsgd::testing {

struct CliRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

inline std::string read_text(const std::filesystem::path& path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

inline void write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream file(path, std::ios::binary);
  file << text;
}

// A fresh directory under the system temp dir, removed when the object goes away.
class ScratchDir {
 public:
  ScratchDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "linsgd-test-XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }
  ~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::filesystem::path& path() const { return path_; }
  // Writes `text` to a file of this directory and returns its path.
  std::string file(const std::string& name, const std::string& text) const {
    write_text(path_ / name, text);
    return (path_ / name).string();
  }

 private:
  std::filesystem::path path_;
};

// A path as one shell word, in single quotes (test paths hold none).
inline std::string shell_quoted(const std::filesystem::path& path) {
  return "'" + path.string() + "'";
}

// The exit code of a wait status: the process's own, or 128 + the signal that ended it.
inline int exit_code_of(int status) {
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// `arguments` is appended to the binary's path as shell text (quote what needs it);
// `prefix` goes before the binary: variables for it alone ("PATH=/nonexistent"), or a command
// that runs it (unprivileged_prefix()).
inline CliRun run_cli(const std::string& arguments, const ScratchDir& scratch,
                      const std::string& prefix = "") {
  const auto out = scratch.path() / "stdout.txt";
  const auto err = scratch.path() / "stderr.txt";
  const std::string command = prefix + (prefix.empty() ? "" : " ") + "'" + LINSGD_CLI_PATH + "' " +
                              arguments + " >'" + out.string() + "' 2>'" + err.string() +
                              "' </dev/null";
  const int status = std::system(command.c_str());
  CliRun run;
  run.exit_code = exit_code_of(status);
  run.out = read_text(out);
  run.err = read_text(err);
  return run;
}

// The prefix that runs a command as the unprivileged user "nobody" when the tests run as root,
// so permissions are enforced (root writes anywhere); empty otherwise.
inline std::string unprivileged_prefix() {
  return ::geteuid() == 0 ? "setpriv --reuid=65534 --regid=65534 --clear-groups " : "";
}

// The binary started in the background with its output captured, for tests that signal it.
// The destructor kills it if it is still running.
class CliProcess {
 public:
  CliProcess(const std::string& arguments, const ScratchDir& scratch)
      : out_(scratch.path() / "bg-stdout.txt"), err_(scratch.path() / "bg-stderr.txt") {
    // exec: the shell becomes linsgd, so a signal sent to the pid reaches linsgd itself.
    const std::string command = "exec '" + std::string(LINSGD_CLI_PATH) + "' " + arguments + " >'" +
                                out_.string() + "' 2>'" + err_.string() + "' </dev/null";
    const char* argv[] = {"/bin/sh", "-c", command.c_str(), nullptr};
    if (::posix_spawn(&pid_, "/bin/sh", nullptr, nullptr, const_cast<char* const*>(argv),
                      environ) != 0) {
      pid_ = -1;
    }
  }
  ~CliProcess() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  CliProcess(const CliProcess&) = delete;
  CliProcess& operator=(const CliProcess&) = delete;

  bool started() const { return pid_ > 0; }
  void signal(int number) const { ::kill(pid_, number); }
  // Waits for the exit; stdout and stderr as written.
  CliRun wait() {
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    CliRun run;
    run.exit_code = exit_code_of(status);
    run.out = read_text(out_);
    run.err = read_text(err_);
    return run;
  }

 private:
  pid_t pid_ = -1;
  std::filesystem::path out_, err_;
};

// The temporary files of linsgd's outputs in `directory` (".tmp." in their names): left behind,
// or being written (a run writing its streamed outputs is training).
inline int temporary_files_in(const std::filesystem::path& directory) {
  int count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(directory)) {
    count += entry.path().filename().string().find(".tmp.") != std::string::npos ? 1 : 0;
  }
  return count;
}

// Waits up to `seconds` for `ready()`; false when it never became true.
template <class Ready>
bool wait_until(Ready&& ready, double seconds = 60.0) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    if (ready()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

}  // namespace linsgd::testing
