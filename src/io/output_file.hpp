// Where linsgd writes its outputs (model, metrics, losses, predictions, the report), by one set
// of rules that never destroy what is not ours:
//   "-"                      standard output;
//   a descriptor of this process (/dev/stdout, /dev/stderr, /dev/fd/N, /proc/self/fd/N, or a
//   link to one)             written into where it stands, as "-" is standard output (it may
//                            be a file opened for appending, a pipe, a terminal): never reopened
//                            or replaced;
//   a symbolic link          followed (link by link) to its final target, which is written;
//   a regular file, or none  written atomically: a temporary file beside the final target, then
//                            renamed over it (readers see the old file or the whole new one);
//   a character device, FIFO or socket
//                            written straight into (opened for writing, never replaced);
//   a directory              refused.
// Every write and its close are checked; a failed write throws Error naming the output, and a
// write to a closed pipe throws BrokenPipe. Temporary files are registered with
// temporary_files.hpp, so a signal handler can remove them.
#pragma once

#include <sys/types.h>

#include <string>

#include "linsgd/errors.hpp"

namespace linsgd {

// A write into a pipe (or socket) whose reader has gone: the command ends quietly, non-zero.
class BrokenPipe : public Error {
 public:
  using Error::Error;
};

// The file an output or input is, to tell when two paths name the same file (device and inode,
// so links and other spellings of one file compare equal). `exists` is false when there is no
// file at the path (yet). An input's "-" is what standard input has open.
struct FileIdentity {
  bool exists = false;
  dev_t device = 0;
  ino_t inode = 0;
  bool regular = false;
  bool character_device = false;  // a terminal, /dev/null: may take several outputs
  bool operator==(const FileIdentity& other) const {
    return exists && other.exists && device == other.device && inode == other.inode;
  }
};
struct OutputTarget {
  enum class Kind { kDescriptor, kReplaceFile, kStream };
  Kind kind = Kind::kDescriptor;
  std::string option;      // the option that named it: "--model-out"
  std::string path;        // as the option gave it: "m.json", "-", "/dev/stdout"
  std::string label;       // what to call it in messages: "--model-out m.json", "standard output"
  std::string final_path;  // symbolic links resolved; empty for a descriptor
  int descriptor = 1;      // kDescriptor: the open descriptor written to (1: standard output)
  FileIdentity descriptor_file;  // kDescriptor: what it has open (a file, pipe, terminal)

  bool is_descriptor(int fd) const { return kind == Kind::kDescriptor && descriptor == fd; }
};

// Decides where `path` goes, before anything is written: follows symbolic links, and throws
// UsageError naming `option` and the path when the output cannot be written there: a
// directory, a missing or unwritable parent directory, an unwritable file, a loop of links, or a
// descriptor that is not open for writing.
OutputTarget plan_output(const std::string& path, const std::string& option);

// Throws UsageError when `output` is a descriptor the command opened itself (close-on-exec, as
// no descriptor it was started with can be: the GPU driver's, a socket's), for the command
// line, whose descriptors are given by the shell. (A library caller may pass its own.)
void refuse_own_descriptor(const OutputTarget& output);

FileIdentity identify_file(const std::string& path);
// What descriptor `fd` has open (not `exists` when it is not open).
FileIdentity identify_descriptor(int fd);

// Throws UsageError when `output` would replace or write into the input file `path` (given by
// `option`): "--out d.csv is the input --data d.csv; write the output elsewhere". An empty path
// is none; "-" is standard input's file when `dash_is_standard_input` (the data readers'),
// else a file named "-".
void refuse_input_as_output(const OutputTarget& output, const std::string& option,
                            const std::string& path, bool dash_is_standard_input = false);

// True when two planned outputs would write the same file: the same existing regular file, the
// same new name in the same directory, or a descriptor's file (or pipe, or terminal) that the
// other writes too (two outputs in one stream would be read as one). Devices and FIFOs opened by
// name may take several.
bool same_destination(const OutputTarget& a, const OutputTarget& b);

// An output being written: text is appended as it comes, and the output appears (the rename of
// a kReplaceFile target) only at commit(). finish() alone ends the writing (a file's data synced
// to disk and closed, where a full disk shows), so that several outputs can all be finished
// before any is committed: a failure then replaces none. Destroyed without a commit, it removes
// its temporary file and leaves the target as it was.
class OutputWriter {
 public:
  explicit OutputWriter(const OutputTarget& target);
  ~OutputWriter();
  OutputWriter(const OutputWriter&) = delete;
  OutputWriter& operator=(const OutputWriter&) = delete;

  void write(const std::string& text);
  void finish();  // no more writes: synced and closed (throws as write does)
  void commit();  // finish(), then the output appears

 private:
  [[noreturn]] void fail(int error);
  void abandon() noexcept;

  OutputTarget target_;
  int fd_ = -1;
  std::string temporary_;  // kReplaceFile: the file renamed to the target at commit
  int registration_ = -1;  // its entry in the temporary-file registry
  bool finished_ = false;
  bool committed_ = false;
};

// The whole of `content` written to `target` and committed.
void write_output(const OutputTarget& target, const std::string& content);

// Writes `text` to standard output now (no buffering): throws Error ("cannot write standard
// output: ...") or BrokenPipe.
void write_standard_output(const std::string& text);

}  // namespace linsgd
