// End-to-end tests of what linsgd writes, run through the binary: outputs never replace what is
// not theirs (links, devices, FIFOs, directories, inputs), every write is checked (standard
// output too, and a closed pipe), every output is checked before training, SIGINT and SIGTERM
// stop a run and write what it trained, and a model file depends on nothing but its inputs.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <string>
#include <thread>
#include <tuple>

#include "cli_runner.hpp"

namespace linsgd {
namespace {

namespace fs = std::filesystem;
using testing::read_text;
using testing::run_cli;
using testing::ScratchDir;
using testing::shell_quoted;
using testing::temporary_files_in;

// A small synthetic run on the CPU (a fraction of a second) and one that would run for hours
// (to be stopped, or to show that a refusal came before any training).
const std::string kShortRun = "train --device cpu --rows 200 --features 5 --steps 100 ";
const std::string kEndlessRun = "train --device cpu --rows 2000 --features 20 --steps 1000000000 ";
const std::string kEndlessDataRun = "train --device cpu --steps 1000000000 --data ";

bool is_regular(const fs::path& path) {
  return fs::is_regular_file(fs::symlink_status(path));
}

void expect_refusal(const testing::CliRun& run, int exit_code, const std::string& message) {
  EXPECT_EQ(run.exit_code, exit_code) << run.err;
  EXPECT_EQ(run.err, "linsgd: error: " + message + "\n");
  EXPECT_EQ(run.out, "") << "it trained before refusing";
}

// A model of two features and a CSV of `rows` rows for predict and evaluate.
struct PredictionInputs {
  std::string model, data;
};
PredictionInputs prediction_inputs(const ScratchDir& scratch, int rows) {
  std::string csv = "a,b,y\n";
  for (int i = 0; i < rows; ++i) {
    csv += std::to_string(i % 7) + "," + std::to_string(i % 5) + "," +
           std::to_string(2 * (i % 7) - (i % 5) + 1) + "\n";
  }
  PredictionInputs inputs{(scratch.path() / "model.json").string(), scratch.file("d.csv", csv)};
  const auto run =
      run_cli("train --device cpu --lr 0.02 --steps 200 --quiet --data " +
                  shell_quoted(inputs.data) + " --model-out " + shell_quoted(inputs.model),
              scratch);
  EXPECT_EQ(run.exit_code, 0) << run.err;
  return inputs;
}

TEST(OutputRules, ASymbolicLinkIsWrittenThroughNotReplaced) {
  ScratchDir scratch;
  fs::create_directory(scratch.path() / "models");
  fs::create_symlink("models/current.json", scratch.path() / "link.json");
  const auto run =
      run_cli(kShortRun + "--model-out " + shell_quoted(scratch.path() / "link.json"), scratch);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_TRUE(fs::is_symlink(scratch.path() / "link.json"));
  EXPECT_NE(read_text(scratch.path() / "models/current.json").find("\"linsgd-model\""),
            std::string::npos);
  EXPECT_EQ(temporary_files_in(scratch.path()) + temporary_files_in(scratch.path() / "models"), 0);
}

TEST(OutputRules, ADeviceIsWrittenIntoNotReplaced) {
  ScratchDir scratch;
  // A full device of our own where we may make one (as root, the old rename replaced the node);
  // the system's otherwise.
  fs::path full = scratch.path() / "full";
  if (::mknod(full.c_str(), S_IFCHR | 0666, makedev(1, 7)) != 0) full = "/dev/full";
  const auto run = run_cli(kShortRun + "--model-out " + shell_quoted(full), scratch);
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(run.err, "linsgd: error: cannot write --model-out " + full.string() +
                         ": No space left on device\n");
  EXPECT_TRUE(fs::is_character_file(full));
  EXPECT_EQ(temporary_files_in(scratch.path()), 0);
}

// The files of a run are all replaced, or none: an output that cannot be written (a full device
// here; a full disk alike) leaves the model, losses and curve files of the run before as they
// were, not a new model beside old metrics.
TEST(OutputRules, ARunWhoseOutputFailsReplacesNoneOfItsFiles) {
  ScratchDir scratch;
  fs::path full = scratch.path() / "full";
  if (::mknod(full.c_str(), S_IFCHR | 0666, makedev(1, 7)) != 0) full = "/dev/full";
  const std::string model = scratch.file("m.json", "the earlier model\n");
  const std::string losses = scratch.file("l.csv", "the earlier losses\n");
  const std::string curve = scratch.file("c.csv", "the earlier curve\n");
  const auto run = run_cli(kShortRun + "--model-out " + shell_quoted(model) + " --loss-out " +
                               shell_quoted(losses) + " --curve-out " + shell_quoted(curve) +
                               " --metrics-out " + shell_quoted(full),
                           scratch);
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(run.err, "linsgd: error: cannot write --metrics-out " + full.string() +
                         ": No space left on device\n");
  EXPECT_EQ(read_text(model), "the earlier model\n");
  EXPECT_EQ(read_text(losses), "the earlier losses\n");
  EXPECT_EQ(read_text(curve), "the earlier curve\n");
  EXPECT_EQ(temporary_files_in(scratch.path()), 0);
  // Written, all three are replaced.
  const auto written = run_cli(kShortRun + "--model-out " + shell_quoted(model) + " --loss-out " +
                                   shell_quoted(losses) + " --curve-out " + shell_quoted(curve),
                               scratch);
  ASSERT_EQ(written.exit_code, 0) << written.err;
  EXPECT_NE(read_text(model).find("\"linsgd-model\""), std::string::npos);
  EXPECT_EQ(read_text(losses).rfind("step,batch_loss\n", 0), 0u);
  EXPECT_EQ(read_text(curve).rfind("step,seconds,objective", 0), 0u);
}

// A checkpoint is replaced as the run goes and read back: a FIFO (which would block the run
// until read) or a device is refused before training.
TEST(OutputRules, ACheckpointIsAFile) {
  ScratchDir scratch;
  const fs::path fifo = scratch.path() / "c.fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  for (const std::string& path : {fifo.string(), std::string("/dev/null")}) {
    expect_refusal(
        run_cli(kEndlessRun + "--checkpoint " + shell_quoted(path), scratch), 2,
        "--checkpoint " + path + ": a checkpoint is replaced as the run goes; name a file");
  }
}

TEST(OutputRules, AFifoIsWrittenIntoNotReplaced) {
  ScratchDir scratch;
  const PredictionInputs inputs = prediction_inputs(scratch, 10);
  const fs::path fifo = scratch.path() / "predictions.fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  std::string received;
  std::thread reader([&] { received = read_text(fifo); });
  const auto run = run_cli("predict --model " + shell_quoted(inputs.model) + " --data " +
                               shell_quoted(inputs.data) + " --out " + shell_quoted(fifo),
                           scratch);
  reader.join();
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(received.rfind("prediction\n", 0), 0u) << received;
  EXPECT_EQ(std::count(received.begin(), received.end(), '\n'), 11);
  EXPECT_TRUE(fs::is_fifo(fifo));
}

TEST(OutputRules, ADirectoryIsRefused) {
  ScratchDir scratch;
  fs::create_directory(scratch.path() / "out");
  const auto run =
      run_cli(kEndlessRun + "--loss-out " + shell_quoted(scratch.path() / "out"), scratch);
  expect_refusal(run, 2, "--loss-out " + (scratch.path() / "out").string() + ": is a directory");
}

// Runs a bash script in `scratch`; returns its exit code.
int run_bash(const ScratchDir& scratch, const std::string& script) {
  const std::string path = scratch.file("script.sh", script);
  return testing::exit_code_of(std::system(("bash " + shell_quoted(path)).c_str()));
}

TEST(OutputRules, FailedWritesToStandardOutputFail) {
  ScratchDir scratch;
  const PredictionInputs inputs = prediction_inputs(scratch, 10);
  const std::string cli = shell_quoted(LINSGD_CLI_PATH) + " ";
  const std::string model_and_data =
      " --model " + shell_quoted(inputs.model) + " --data " + shell_quoted(inputs.data);
  const fs::path err = scratch.path() / "err.txt";
  for (const std::string& command :
       {"predict" + model_and_data, "evaluate" + model_and_data, kShortRun,
        std::string("--version"), std::string("train --help"), std::string("--help")}) {
    EXPECT_EQ(run_bash(scratch, cli + command + " > /dev/full 2> " + shell_quoted(err)), 1)
        << command;
    EXPECT_EQ(read_text(err),
              "linsgd: error: cannot write standard output: No space left on device\n")
        << command;
  }
}

// A run that diverges at its first check writes nothing into a stream output, not even the
// loss CSV's header.
TEST(OutputRules, ADivergedRunWritesNothingIntoAStream) {
  ScratchDir scratch;
  const PredictionInputs inputs = prediction_inputs(scratch, 10);
  const fs::path losses = scratch.path() / "losses.txt", curve = scratch.path() / "curve.txt";
  testing::write_text(losses, "kept\n");
  testing::write_text(curve, "kept\n");
  EXPECT_EQ(
      run_bash(scratch, shell_quoted(LINSGD_CLI_PATH) + " train --device cpu -q --lr 10 " +
                            "--steps 300 --data " + shell_quoted(inputs.data) +
                            " --loss-out /dev/fd/3 --curve-out /dev/fd/4 3>> " +
                            shell_quoted(losses) + " 4>> " + shell_quoted(curve) + " 2> /dev/null"),
      1);
  EXPECT_EQ(read_text(losses), "kept\n");
  EXPECT_EQ(read_text(curve), "kept\n");
}

TEST(OutputRules, AClosedPipeEndsQuietlyButNotWithSuccess) {
  ScratchDir scratch;
  const PredictionInputs inputs = prediction_inputs(scratch, 50000);  // ~1 MB of predictions
  // SIGPIPE ignored, as some shells and services run their children: the write fails with
  // EPIPE once `head` has gone.
  const fs::path status = scratch.path() / "status.txt", err = scratch.path() / "err.txt";
  ASSERT_EQ(run_bash(scratch, "trap '' PIPE\n" + shell_quoted(LINSGD_CLI_PATH) +
                                  " predict --model " + shell_quoted(inputs.model) + " --data " +
                                  shell_quoted(inputs.data) + " 2> " + shell_quoted(err) +
                                  " | head -c 10 > /dev/null\necho ${PIPESTATUS[0]} > " +
                                  shell_quoted(status) + "\n"),
            0);
  EXPECT_EQ(read_text(status), "141\n");
  EXPECT_EQ(read_text(err), "");
}

// A path naming one of the process's descriptors (/dev/stdout, /dev/fd/N) is written where the
// descriptor stands, as "-" is standard output: a file opened for appending keeps what it held,
// the lines around it in a redirected group stay, a pipe is written. A descriptor that is closed
// or read-only, or two outputs into one, are refused before training; with an output on
// standard output, the summary goes to stderr.
TEST(OutputRules, ADescriptorIsWrittenWhereItStands) {
  ScratchDir scratch;
  const PredictionInputs inputs = prediction_inputs(scratch, 10);
  const std::string predict = shell_quoted(LINSGD_CLI_PATH) + " predict --model " +
                              shell_quoted(inputs.model) + " --data " + shell_quoted(inputs.data);
  const fs::path log = scratch.path() / "log.txt", group = scratch.path() / "group.txt",
                 third = scratch.path() / "third.txt", piped = scratch.path() / "piped.txt";
  ASSERT_EQ(run_bash(scratch, "set -e\nprintf 'kept\\n' > " + shell_quoted(log) + "\n" + predict +
                                  " --out /dev/stdout >> " + shell_quoted(log) + "\n" +
                                  "{ echo before; " + predict +
                                  " --out /dev/fd/1; echo after; } > " + shell_quoted(group) +
                                  "\nexec 3> " + shell_quoted(third) + "\necho before >&3\n" +
                                  predict + " --out /proc/self/fd/3\necho after >&3\n" + predict +
                                  " --out >(cat > " + shell_quoted(piped) + ")\nwait\n"),
            0);
  const std::string predictions = run_cli("predict --model " + shell_quoted(inputs.model) +
                                              " --data " + shell_quoted(inputs.data),
                                          scratch)
                                      .out;
  ASSERT_EQ(predictions.rfind("prediction\n", 0), 0u) << predictions;
  EXPECT_EQ(read_text(log), "kept\n" + predictions);
  EXPECT_EQ(read_text(group), "before\n" + predictions + "after\n");
  EXPECT_EQ(read_text(third), "before\n" + predictions + "after\n");
  for (int wait = 0; wait < 100 && read_text(piped).size() < predictions.size(); ++wait) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // cat may finish after bash
  }
  EXPECT_EQ(read_text(piped), predictions);
  expect_refusal(run_cli(kEndlessRun + "--model-out /dev/fd/987", scratch), 2,
                 "--model-out /dev/fd/987: descriptor 987 is not open");
  expect_refusal(run_cli(kEndlessRun + "--model-out /dev/stdin", scratch), 2,
                 "--model-out /dev/stdin: descriptor 0 is open for reading only");
  expect_refusal(run_cli(kEndlessRun + "--model-out - --loss-out /dev/stdout", scratch), 2,
                 "--model-out and --loss-out both write to standard output");
  const auto run = run_cli(kShortRun + "--model-out -", scratch);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out.rfind("{", 0), 0u) << run.out;  // the model file alone
  EXPECT_NE(run.err.find("full-dataset loss"), std::string::npos) << run.err;
}

// A descriptor is the file (or pipe) it has open: checked against the other outputs and the
// inputs as that file, refused for a checkpoint (replaced as the run goes), and with outputs on
// both standard output and stderr the summary and notes go nowhere.
TEST(OutputRules, ADescriptorIsCheckedAsTheFileItHasOpen) {
  ScratchDir scratch;
  const PredictionInputs inputs = prediction_inputs(scratch, 10);
  const std::string cli = shell_quoted(LINSGD_CLI_PATH) + " ";
  const fs::path metrics = scratch.path() / "m.json", err = scratch.path() / "err.txt",
                 model = scratch.path() / "model-out.json", losses = scratch.path() / "l.csv";
  const std::string before = read_text(inputs.data);
  const std::string script =
      cli + kShortRun + "--model-out /dev/stdout --metrics-out " + shell_quoted(metrics) + " > " +
      shell_quoted(metrics) + " 2> " + shell_quoted(err) + "\necho $? >> " + shell_quoted(err) +
      "\n" + cli + "predict --model " + shell_quoted(inputs.model) + " --data " +
      shell_quoted(inputs.data) + " --out /dev/stdout >> " + shell_quoted(inputs.data) + " 2>> " +
      shell_quoted(err) + "\necho $? >> " + shell_quoted(err) + "\n" + cli + kShortRun +
      "--checkpoint /dev/fd/3 3> " + shell_quoted(scratch.path() / "c.json") + " 2>> " +
      shell_quoted(err) + "\necho $? >> " + shell_quoted(err) + "\n" + cli +
      "train --rows 200 --features 5 --steps 100 --model-out /dev/stdout --loss-out /dev/stderr "
      "> " +
      shell_quoted(model) + " 2> " + shell_quoted(losses) + "\n" +
      // Standard input's file is an input too; a PNG in a descriptor has no files beside it.
      cli + "predict --model " + shell_quoted(inputs.model) + " --data - < " +
      shell_quoted(inputs.data) + " >> " + shell_quoted(inputs.data) + " 2>> " + shell_quoted(err) +
      "\necho $? >> " + shell_quoted(err) + "\n" + cli + kShortRun + "--plot /dev/fd/3 3> " +
      shell_quoted(scratch.path() / "p.png") + " 2>> " + shell_quoted(err) + "\necho $? >> " +
      shell_quoted(err) + "\n";
  ASSERT_EQ(run_bash(scratch, script), 0);
  EXPECT_EQ(read_text(err),
            "linsgd: error: --model-out /dev/stdout and --metrics-out " + metrics.string() +
                " are the same file\n2\nlinsgd: error: --out /dev/stdout is the input --data " +
                inputs.data +
                "; write the output elsewhere\n2\nlinsgd: error: --checkpoint /dev/fd/3: a "
                "checkpoint is replaced as the run goes; name a file\n2\nlinsgd: error: standard "
                "output is the input --data -; write the output elsewhere\n2\nlinsgd: error: "
                "--plot /dev/fd/3: the report's data files go beside a PNG file; name one, or "
                "give --metrics-out and --loss-out\n2\n");
  EXPECT_EQ(read_text(inputs.data), before);
  // No summary in the model, no device notice (no --device: auto) in the losses.
  EXPECT_EQ(read_text(model).rfind("{", 0), 0u);
  const std::string loss_csv = read_text(losses);
  EXPECT_EQ(loss_csv.rfind("step,batch_loss\n1,", 0), 0u) << loss_csv;
  EXPECT_EQ(std::count(loss_csv.begin(), loss_csv.end(), '\n'), 101);
  // A device behind two descriptors (/dev/null here, a terminal alike) takes both; a checkpoint
  // named "-" is a file, not standard input's.
  const fs::path dash = scratch.path() / "-";
  const std::string longer = cli + "train --device cpu --rows 200 --features 5 --steps 2000 -q ";
  ASSERT_EQ(run_bash(scratch, "cd " + shell_quoted(scratch.path()) + "\n" + cli + kShortRun +
                                  "--model-out /dev/stdout --metrics-out /dev/stderr > /dev/null "
                                  "2> /dev/null\n" +
                                  longer +
                                  "--checkpoint ./- --checkpoint-every 1000 --max-seconds 1e-9\n" +
                                  longer + "--resume - --model-out " + shell_quoted(model) + " < " +
                                  shell_quoted(model) + "\n"),
            0);
  EXPECT_TRUE(fs::is_regular_file(dash));
}

TEST(OutputRules, OutputPathsAreCheckedBeforeTraining) {
  ScratchDir scratch;
  const fs::path missing = scratch.path() / "missing" / "m.json";
  expect_refusal(run_cli(kEndlessRun + "--model-out " + shell_quoted(missing), scratch), 2,
                 "--model-out " + missing.string() + ": directory " +
                     (scratch.path() / "missing").string() + " does not exist");
  const fs::path plot = scratch.path() / "nowhere" / "report.png";
  expect_refusal(run_cli(kEndlessRun + "--plot " + shell_quoted(plot), scratch), 2,
                 "--plot " + plot.string() + ": directory " +
                     (scratch.path() / "nowhere").string() + " does not exist");
}

TEST(OutputRules, AReadOnlyDirectoryIsRefusedBeforeTraining) {
  ScratchDir scratch;
  fs::permissions(scratch.path(), fs::perms::owner_all | fs::perms::group_read |
                                      fs::perms::group_exec | fs::perms::others_read |
                                      fs::perms::others_exec);
  const fs::path locked = scratch.path() / "locked";
  fs::create_directory(locked);
  fs::permissions(locked, fs::perms::owner_read | fs::perms::owner_exec | fs::perms::group_read |
                              fs::perms::group_exec | fs::perms::others_read |
                              fs::perms::others_exec);
  // As an unprivileged user: root may write anywhere.
  const auto run = run_cli(kEndlessRun + "--model-out " + shell_quoted(locked / "m.json"), scratch,
                           testing::unprivileged_prefix());
  expect_refusal(run, 2,
                 "--model-out " + (locked / "m.json").string() + ": directory " + locked.string() +
                     " is not writable");
}

TEST(OutputRules, ValidationDataOfAnotherShapeIsRefusedBeforeTraining) {
  ScratchDir scratch;
  const fs::path model = scratch.path() / "m.json";
  // With headers, the columns are matched by name: a missing one is named.
  const std::string train = scratch.file("train.csv", "a,b,c,y\n1,2,3,4\n2,3,4,5\n3,4,5,6\n");
  const std::string validation = scratch.file("val.csv", "a,b,y\n1,2,4\n2,3,5\n");
  expect_refusal(run_cli(kEndlessDataRun + shell_quoted(train) + " --val-data " +
                             shell_quoted(validation) + " --model-out " + shell_quoted(model),
                         scratch),
                 2,
                 validation + ": the header has no column 'c' (the model's features, matched " +
                     "by name: a, b, c)");
  // Without, by position: the counts must agree.
  const auto refused_validation = [&](const std::string& training, const std::string& options,
                                      const std::string& held_out, const std::string& message) {
    expect_refusal(run_cli(kEndlessDataRun + shell_quoted(training) + options + " --val-data " +
                               shell_quoted(held_out) + " --model-out " + shell_quoted(model),
                           scratch),
                   2, message);
  };
  const std::string bare_train = scratch.file("train2.csv", "1,2,3,4\n2,3,4,5\n3,4,5,6\n");
  const std::string bare_validation = scratch.file("val2.csv", "1,2,4\n2,3,5\n");
  refused_validation(bare_train, "", bare_validation,
                     bare_validation + " has 2 feature columns and a target but " + bare_train +
                         " has 3 features: one column is missing (the target, if these are the "
                         "features: it goes last)");
  // The target named by the training header, not last: where it goes is not said.
  const std::string named_train =
      scratch.file("train3.csv", "t,a,b,c\n4,1,2,3\n5,2,3,4\n6,3,4,5\n");
  refused_validation(named_train, " --target t", bare_validation,
                     bare_validation + " has 2 feature columns and a target but " + named_train +
                         " has 3 features: one column is missing (the target, if these are the "
                         "features)");
  // Two short: counted as features.
  const std::string narrow = scratch.file("val3.csv", "1,4\n2,5\n");
  refused_validation(bare_train, "", narrow,
                     narrow + " has 1 feature column but " + bare_train + " has 3");
  EXPECT_FALSE(fs::exists(model));
}

TEST(OutputRules, AnOutputThatIsAnInputIsRefused) {
  ScratchDir scratch;
  const PredictionInputs inputs = prediction_inputs(scratch, 10);
  const std::string data_before = read_text(inputs.data);
  expect_refusal(run_cli("predict --model " + shell_quoted(inputs.model) + " --data " +
                             shell_quoted(inputs.data) + " --out " + shell_quoted(inputs.data),
                         scratch),
                 2,
                 "--out " + inputs.data + " is the input --data " + inputs.data +
                     "; write the output elsewhere");
  // Another name for the same file: a link.
  fs::create_symlink(inputs.data, scratch.path() / "alias.csv");
  const std::string alias = (scratch.path() / "alias.csv").string();
  expect_refusal(run_cli("train --device cpu --data " + shell_quoted(inputs.data) + " --loss-out " +
                             shell_quoted(alias),
                         scratch),
                 2,
                 "--loss-out " + alias + " is the input --data " + inputs.data +
                     "; write the output elsewhere");
  expect_refusal(
      run_cli("train --device cpu --data " + shell_quoted(inputs.data) + " --model-out " +
                  shell_quoted(inputs.model) + " --metrics-out " + shell_quoted(inputs.model),
              scratch),
      2,
      "--model-out " + inputs.model + " and --metrics-out " + inputs.model + " are the same file");
  EXPECT_EQ(read_text(inputs.data), data_before);
}

// Starts an endless run with its outputs in `scratch`, waits until it trains (its loss file is
// being written), then sends `signal`, and `second_signal` when given.
testing::CliRun stop_training(const ScratchDir& scratch, const std::string& outputs, int signal,
                              int second_signal = 0) {
  testing::CliProcess process(kEndlessRun + outputs, scratch);
  EXPECT_TRUE(process.started());
  EXPECT_TRUE(testing::wait_until([&] { return temporary_files_in(scratch.path()) > 0; }))
      << "the run never started writing its losses";
  process.signal(signal);
  if (second_signal != 0) {
    // The first signal's run now waits to open the model's FIFO, which nobody reads.
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    process.signal(second_signal);
  }
  return process.wait();
}

TEST(Signals, TheFirstStopsTrainingAndWritesWhatWasTrained) {
  for (const auto& [signal, exit_code, name] :
       {std::tuple{SIGINT, 130, "SIGINT"}, std::tuple{SIGTERM, 143, "SIGTERM"}}) {
    ScratchDir scratch;
    const fs::path model = scratch.path() / "m.json", losses = scratch.path() / "loss.csv";
    const auto run = stop_training(
        scratch, "--model-out " + shell_quoted(model) + " --loss-out " + shell_quoted(losses),
        signal);
    EXPECT_EQ(run.exit_code, exit_code) << run.err;
    EXPECT_EQ(run.err.rfind(std::string("linsgd: ") + name + ": stopped after step ", 0), 0u)
        << run.err;
    EXPECT_NE(run.out.find("interrupted         after step "), std::string::npos) << run.out;
    const std::string text = read_text(model);
    const size_t at = text.find("\"interrupted_at_step\": ");
    ASSERT_NE(at, std::string::npos) << text;
    const long long step = std::stoll(text.substr(at + 23));
    EXPECT_GT(step, 0);
    EXPECT_LT(step, 1000000000);
    // The loss file holds exactly the steps done.
    const std::string csv = read_text(losses);
    EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), step + 1);
    EXPECT_EQ(temporary_files_in(scratch.path()), 0);
  }
}

TEST(Signals, ASecondExitsAtOnceAndRemovesTemporaryFiles) {
  ScratchDir scratch;
  const fs::path fifo = scratch.path() / "model.fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const auto run = stop_training(
      scratch,
      "--model-out " + shell_quoted(fifo) + " --loss-out " + shell_quoted(scratch.path() / "l.csv"),
      SIGTERM, SIGINT);
  EXPECT_EQ(run.exit_code, 130) << run.err;
  EXPECT_EQ(temporary_files_in(scratch.path()), 0);
  EXPECT_FALSE(fs::exists(scratch.path() / "l.csv"));
  EXPECT_TRUE(fs::is_fifo(fifo));
}

TEST(Models, TheSameSeedDataAndOptionsWriteTheSameBytes) {
  ScratchDir scratch;
  const fs::path a = scratch.path() / "a.json", b = scratch.path() / "b.json";
  ASSERT_EQ(run_cli(kShortRun + "--seed 3 --model-out " + shell_quoted(a), scratch).exit_code, 0);
  ASSERT_EQ(run_cli(kShortRun + "--seed 3 --model-out " + shell_quoted(b), scratch).exit_code, 0);
  EXPECT_EQ(read_text(a), read_text(b));
  EXPECT_TRUE(is_regular(a));
}

}  // namespace
}  // namespace linsgd
