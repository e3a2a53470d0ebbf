// Runs the linsgd binary as a user would, capturing its exit code, stdout and stderr; and
// scratch directories with the files a test writes.
#pragma once

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

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

// `arguments` is appended to the binary's path as shell text (quote what needs it);
// `environment` (e.g. "PATH=/nonexistent") is set for the binary alone.
inline CliRun run_cli(const std::string& arguments, const ScratchDir& scratch,
                      const std::string& environment = "") {
  const auto out = scratch.path() / "stdout.txt";
  const auto err = scratch.path() / "stderr.txt";
  const std::string command = environment + (environment.empty() ? "" : " ") + "'" +
                              LINSGD_CLI_PATH + "' " + arguments + " >'" + out.string() + "' 2>'" +
                              err.string() + "' </dev/null";
  const int status = std::system(command.c_str());
  CliRun run;
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  run.out = read_text(out);
  run.err = read_text(err);
  return run;
}

}  // namespace linsgd::testing
