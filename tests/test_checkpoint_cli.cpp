// `linsgd train --checkpoint / --checkpoint-every / --resume` as a user runs them: a run killed
// with SIGKILL and resumed from its last checkpoint writes the model and losses of the run that
// was never stopped, byte for byte; a checkpoint of other data or other options, or a damaged
// one, is refused with a one-line error.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <sstream>
#include <string>

#include "cli_runner.hpp"

namespace linsgd {
namespace {

using testing::CliProcess;
using testing::CliRun;
using testing::read_text;
using testing::run_cli;
using testing::ScratchDir;
using testing::shell_quoted;

// 600,000 steps with momentum, averaging and evaluations: about two seconds on one thread, the
// first checkpoint after a tenth of a second.
const std::string kLongRun =
    "train --device cpu --threads 1 --rows 2000 --features 100 --steps 600000 --batch-size 32 "
    "--momentum 0.5 --average 1000 --eval-every 500 --seed 3 --quiet";

// States are taken at chunks' ends. This run's chunks (256 steps, core/rng_plan.hpp) are
// counted from each multiple of --eval-every (500), so that one ends at each: 256 and 244 steps.
constexpr int64_t kEvalEvery = 500;

int64_t checkpoint_step(const std::filesystem::path& path) {
  return nlohmann::json::parse(read_text(path))["state"]["steps_done"].get<int64_t>();
}

// A curve's steps and objectives: its seconds column left out (they differ from run to run).
std::string without_seconds(const std::string& csv) {
  std::string kept;
  std::istringstream lines(csv);
  for (std::string line; std::getline(lines, line);) {
    const size_t first = line.find(','), second = line.find(',', first + 1);
    kept += line.substr(0, first) + line.substr(second) + "\n";
  }
  return kept;
}

// The loss file a checkpoint refers to, beside it.
std::string loss_file_of(const std::filesystem::path& checkpoint) {
  return (checkpoint.parent_path() /
          nlohmann::json::parse(read_text(checkpoint))["state"]["losses"]["file"]
              .get<std::string>())
      .string();
}

// The names of the checkpoints' loss files in `directory`, sorted.
std::vector<std::string> loss_files_in(const std::filesystem::path& directory) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(directory)) {
    const std::string name = entry.path().filename().string();
    if (name.size() > 7 && name.compare(name.size() - 7, 7, ".losses") == 0) names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

// kLongRun never stopped: its model, losses and curve in dir/whole.json, whole.csv and
// whole-curve.csv. Call it inside ASSERT_NO_FATAL_FAILURE.
void run_whole(const ScratchDir& dir) {
  const auto in = [&](const char* name) { return shell_quoted(dir.path() / name); };
  const CliRun whole = run_cli(kLongRun + " --model-out " + in("whole.json") + " --loss-out " +
                                   in("whole.csv") + " --curve-out " + in("whole-curve.csv"),
                               dir);
  ASSERT_EQ(whole.exit_code, 0) << whole.err;
}

TEST(Checkpoint, AKilledRunResumedEndsAsTheRunThatWasNeverStopped) {
  ScratchDir dir;
  const auto in = [&](const char* name) { return shell_quoted(dir.path() / name); };
  ASSERT_NO_FATAL_FAILURE(run_whole(dir));

  const auto checkpoint = dir.path() / "run.ckpt";
  const std::string outputs = " --model-out " + in("part.json") + " --loss-out " + in("part.csv") +
                              " --curve-out " + in("part-curve.csv") + " --checkpoint " +
                              shell_quoted(checkpoint);
  {
    CliProcess run(kLongRun + outputs + " --checkpoint-every 20000", dir);
    ASSERT_TRUE(run.started());
    ASSERT_TRUE(testing::wait_until([&] { return std::filesystem::exists(checkpoint); }));
    run.signal(SIGKILL);
    EXPECT_EQ(run.wait().exit_code, 128 + SIGKILL);
  }
  // Killed mid-run: no model, no losses; a whole checkpoint of an earlier step.
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "part.json"));
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "part.csv"));
  const int64_t step = checkpoint_step(checkpoint);
  EXPECT_GE(step, 20000);
  EXPECT_LT(step, 600000);
  EXPECT_EQ(step % 20000, 0);  // a multiple of 500: a chunk ends there

  const CliRun resumed = run_cli(
      kLongRun + outputs + " --checkpoint-every 20000 --resume " + shell_quoted(checkpoint), dir);
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(read_text(dir.path() / "part.json"), read_text(dir.path() / "whole.json"));
  EXPECT_EQ(read_text(dir.path() / "part.csv"), read_text(dir.path() / "whole.csv"));
  EXPECT_EQ(without_seconds(read_text(dir.path() / "part-curve.csv")),
            without_seconds(read_text(dir.path() / "whole-curve.csv")));
  // The resumed run went on writing checkpoints: the last at step 580000, its losses in the file
  // beside it, each written once (float32, no more than the checkpoint's).
  EXPECT_EQ(checkpoint_step(checkpoint), 580000);
  const auto losses = nlohmann::json::parse(read_text(checkpoint))["state"]["losses"];
  EXPECT_EQ(losses["count"], 580000);
  EXPECT_EQ(loss_files_in(dir.path()), std::vector<std::string>{losses["file"]});
  EXPECT_EQ(std::filesystem::file_size(dir.path() / losses["file"].get<std::string>()),
            580000u * 4);
  static_assert(580000 % kEvalEvery == 0 && 20000 % kEvalEvery == 0);
}

// SIGTERM (a scheduler's notice) stops the run at the end of its chunk and writes the checkpoint
// there, however far the next multiple of --checkpoint-every: resumed, the run loses no step and
// ends as the one never stopped.
TEST(Checkpoint, ASignalledRunCheckpointsWhereItStopped) {
  ScratchDir dir;
  const auto in = [&](const char* name) { return shell_quoted(dir.path() / name); };
  ASSERT_NO_FATAL_FAILURE(run_whole(dir));
  const auto checkpoint = dir.path() / "run.ckpt";
  const std::string outputs = " --loss-out " + in("part.csv") + " --curve-out " +
                              in("part-curve.csv") + " --checkpoint " + shell_quoted(checkpoint) +
                              " --checkpoint-every 100000000";
  {
    CliProcess run(kLongRun + outputs + " --model-out " + in("stopped.json"), dir);
    ASSERT_TRUE(run.started());
    // Training: the loss file is being written.
    ASSERT_TRUE(testing::wait_until([&] { return testing::temporary_files_in(dir.path()) > 0; }));
    run.signal(SIGTERM);
    EXPECT_EQ(run.wait().exit_code, 128 + SIGTERM);
  }
  const std::string stopped = read_text(dir.path() / "stopped.json");
  const size_t at = stopped.find("\"interrupted_at_step\": ");
  ASSERT_NE(at, std::string::npos) << stopped;
  EXPECT_EQ(checkpoint_step(checkpoint), std::stoll(stopped.substr(at + 23)));
  const CliRun resumed = run_cli(kLongRun + outputs + " --model-out " + in("part.json") +
                                     " --resume " + shell_quoted(checkpoint),
                                 dir);
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(read_text(dir.path() / "part.json"), read_text(dir.path() / "whole.json"));
  EXPECT_EQ(read_text(dir.path() / "part.csv"), read_text(dir.path() / "whole.csv"));
}

// A short run on a data file, its checkpoint after step 100, and what a resumption refuses.
class CheckpointRefusals : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string csv = "a,b,y\n";
    for (int i = 0; i < 200; ++i) {
      csv += std::to_string(i % 7) + "," + std::to_string((i * 3) % 11) + "," +
             std::to_string(0.5 * (i % 7) - 0.2 * ((i * 3) % 11) + 1.0) + "\n";
    }
    data_ = dir_.file("d.csv", csv);
    checkpoint_ = (dir_.path() / "c.json").string();
    const CliRun run =
        run_cli(base() + " --checkpoint " + checkpoint_ + " --checkpoint-every 100", dir_);
    ASSERT_EQ(run.exit_code, 0) << run.err;
  }
  std::string base(const std::string& data = "") const {
    return "train --device cpu --data " + (data.empty() ? data_ : data) +
           " --steps 300 --batch-size 8 --lr 0.005 --quiet";
  }
  std::string refusal(const std::string& arguments) const {
    const CliRun run = run_cli(arguments, dir_);
    EXPECT_EQ(run.exit_code, 2) << arguments;
    EXPECT_TRUE(run.out.empty());
    return run.err;
  }

  ScratchDir dir_;
  std::string data_, checkpoint_;
};

TEST_F(CheckpointRefusals, OtherDataOrOptionsAreNamed) {
  std::string changed = read_text(data_);
  changed.replace(changed.rfind('1'), 1, "2");  // one value of the last row
  const std::string other = dir_.file("other.csv", changed);
  const std::string err = refusal(base(other) + " --resume " + checkpoint_);
  EXPECT_NE(err.find("linsgd: error: --resume " + checkpoint_ +
                     ": the checkpoint was written for other data (200 x 2, digest "),
            std::string::npos)
      << err;
  EXPECT_NE(err.find(" (the same shape: some values or weights differ)\n"), std::string::npos)
      << err;
  // With a validation set, either part may be the one that differs.
  const std::string validated = (dir_.path() / "v.json").string();
  ASSERT_EQ(run_cli(base() + " --val-data " + data_ + " --checkpoint " + validated +
                        " --checkpoint-every 100",
                    dir_)
                .exit_code,
            0);
  const std::string other_validation =
      refusal(base() + " --val-data " + other + " --resume " + validated);
  EXPECT_NE(other_validation.find(" (the same shape: some values or weights differ, of the "
                                  "training rows or of the validation rows)\n"),
            std::string::npos)
      << other_validation;
  // A validation set given to one run and not the other is named as such (either way round),
  // not as other data.
  EXPECT_EQ(refusal(base() + " --resume " + validated),
            "linsgd: error: --resume " + validated +
                ": the checkpoint's run had a validation set (--val-data); this run has none\n");
  EXPECT_EQ(refusal(base() + " --val-data " + data_ + " --resume " + checkpoint_),
            "linsgd: error: --resume " + checkpoint_ +
                ": the checkpoint's run had none; this run has a validation set (--val-data)\n");
  const std::string other_batches =
      "train --device cpu --data " + data_ + " --steps 300 --batch-size 16 --lr 0.005 --quiet";
  EXPECT_EQ(refusal(other_batches + " --resume " + checkpoint_),
            "linsgd: error: --resume " + checkpoint_ +
                ": the checkpoint's run had batch_size = 8; this run has 16\n");
  EXPECT_EQ(refusal(base() + " --momentum 0.9 --resume " + checkpoint_),
            "linsgd: error: --resume " + checkpoint_ +
                ": the checkpoint's run had momentum = 0.0; this run has 0.9\n");
  EXPECT_EQ(refusal(base() + " --no-intercept --resume " + checkpoint_),
            "linsgd: error: --resume " + checkpoint_ +
                ": the checkpoint's run had fit_intercept = true; this run has false\n");
  // --val-fraction changes the rows, --epochs the steps: named as the options, not by the steps or
  // the data's digest they change.
  EXPECT_EQ(refusal(base() + " --val-fraction 0.1 --resume " + checkpoint_),
            "linsgd: error: --resume " + checkpoint_ +
                ": the checkpoint's run had val_fraction = null; this run has 0.1\n");
  const std::string by_epochs = "train --device cpu --data " + data_ +
                                " --epochs 30 --batch-size 8 --lr 0.005 --quiet --resume ";
  EXPECT_EQ(refusal(by_epochs + checkpoint_),
            "linsgd: error: --resume " + checkpoint_ +
                ": the checkpoint's run had epochs = null; this run has 30\n");
  // --standardize changes the data the steps see: named as the option, either way round.
  EXPECT_EQ(refusal(base() + " --standardize --resume " + checkpoint_),
            "linsgd: error: --resume " + checkpoint_ +
                ": the checkpoint's run had standardize = false; this run has true\n");
  const std::string standardized = (dir_.path() / "s.json").string();
  ASSERT_EQ(
      run_cli(base() + " --standardize --checkpoint " + standardized + " --checkpoint-every 100",
              dir_)
          .exit_code,
      0);
  EXPECT_EQ(refusal(base() + " --resume " + standardized),
            "linsgd: error: --resume " + standardized +
                ": the checkpoint's run had standardize = true; this run has false\n");
  const CliRun alike = run_cli(base() + " --standardize --resume " + standardized, dir_);
  EXPECT_EQ(alike.exit_code, 0) << alike.err;
  // A checkpoint of an earlier version, without "standardize": its digest of the standardized
  // data decides.
  auto earlier = nlohmann::json::parse(read_text(standardized));
  earlier["hyperparameters"].erase("standardize");
  const std::string unmarked = dir_.file("earlier.json", earlier.dump());
  EXPECT_EQ(run_cli(base() + " --standardize --resume " + unmarked, dir_).exit_code, 0);
  EXPECT_NE(refusal(base() + " --resume " + unmarked).find("written for other data"),
            std::string::npos);
  EXPECT_EQ(refusal(base() + " --loss-out " + (dir_.path() / "l.csv").string() + " --resume " +
                    checkpoint_),
            "linsgd: error: --resume " + checkpoint_ +
                ": the checkpoint holds no losses (its run wrote neither --loss-out nor --plot), "
                "which --loss-out and --plot need\n");
}

TEST_F(CheckpointRefusals, DamagedOrMissingCheckpointsAreNamed) {
  const std::string text = read_text(checkpoint_);
  const std::string truncated = dir_.file("truncated.json", text.substr(0, text.size() / 2));
  const std::string err = refusal(base() + " --resume " + truncated);
  EXPECT_EQ(
      err.rfind(
          "linsgd: error: " + truncated + ": not a valid checkpoint (truncated or not JSON): ", 0),
      0u)
      << err;
  // An edit of the state (a weight, the step) no longer matches its digest.
  nlohmann::json json = nlohmann::json::parse(text);
  json["state"]["weights"][0] = json["state"]["weights"][0].get<double>() + 0.5;
  const std::string edited = dir_.file("edited.json", json.dump());
  EXPECT_EQ(refusal(base() + " --resume " + edited),
            "linsgd: error: " + edited +
                ": the checkpoint's state does not match its digest (edited or damaged)\n");
  // Rewritten by a tool that sorts keys, indents and respells numbers (0.005 as 5e-3), it is the
  // same.
  std::string rewritten = nlohmann::json::parse(text).dump(2);
  const std::string rate = "\"learning_rate\": 0.005";
  ASSERT_NE(rewritten.rfind(rate), std::string::npos);  // the state's, after the hyperparameters
  rewritten.replace(rewritten.rfind(rate), rate.size(), "\"learning_rate\": 5e-3");
  EXPECT_EQ(run_cli(base() + " --resume " + dir_.file("rewritten.json", rewritten), dir_).exit_code,
            0);
  // An L1 run's zero weights, 0.0 in the file, respelled 0 (as jq writes them): the same state.
  const std::string sparse = (dir_.path() / "l1.json").string();
  const std::string l1 =
      "train --device cpu --rows 200 --features 8 --steps 600 --penalty l1 "
      "--alpha 1 --quiet";
  ASSERT_EQ(run_cli(l1 + " --checkpoint " + sparse + " --checkpoint-every 256", dir_).exit_code, 0);
  std::string zeros = read_text(sparse);
  int respelled = 0;
  for (const char* zero : {"[0.0,", ",0.0,", ",0.0]"}) {
    for (size_t at = zeros.find(zero); at != std::string::npos; at = zeros.find(zero, at)) {
      zeros.replace(at + 1, 3, "0");
      ++respelled;
    }
  }
  ASSERT_GT(respelled, 0);
  EXPECT_EQ(run_cli(l1 + " --resume " + dir_.file("zeros.json", zeros), dir_).exit_code, 0);
  // linsgd 0.1 wrote the default l1_ratio, 0.15, beside l1 (now the rho it used, 1): an
  // l1_ratio outside an elastic net is not compared.
  nlohmann::json older = nlohmann::json::parse(read_text(sparse));
  ASSERT_EQ(older["hyperparameters"]["l1_ratio"], 1.0);
  older["hyperparameters"]["l1_ratio"] = 0.15;
  EXPECT_EQ(run_cli(l1 + " --resume " + dir_.file("older.json", older.dump()), dir_).exit_code, 0);
  // In an elastic net it is the objective's: another is refused.
  const std::string net = (dir_.path() / "net.json").string();
  const std::string elastic =
      "train --device cpu --rows 200 --features 8 --steps 600 --penalty elasticnet --quiet";
  ASSERT_EQ(run_cli(elastic + " --checkpoint " + net + " --checkpoint-every 256", dir_).exit_code,
            0);
  EXPECT_EQ(refusal(elastic + " --l1-ratio 0.5 --resume " + net),
            "linsgd: error: --resume " + net +
                ": the checkpoint's run had l1_ratio = 0.15; this run has 0.5\n");
  // The state's own checks, on checkpoints of the earlier version, which had no digest.
  json = nlohmann::json::parse(text);
  ASSERT_TRUE(json.contains("state_digest"));
  json.erase("state_digest");
  const nlohmann::json undigested = json;
  EXPECT_EQ(
      run_cli(base() + " --resume " + dir_.file("undigested.json", json.dump()), dir_).exit_code,
      0);
  json["state"]["steps_done"] = 400;
  const std::string past_the_end = dir_.file("past.json", json.dump());
  EXPECT_EQ(refusal(base() + " --resume " + past_the_end),
            "linsgd: error: --resume " + past_the_end +
                ": the checkpoint is at step 400 and this run has 300 steps: nothing is left to "
                "take\n");
  json = undigested;
  json["state"]["weights"].erase(0);
  const std::string short_weights = dir_.file("short.json", json.dump());
  EXPECT_EQ(refusal(base() + " --resume " + short_weights),
            "linsgd: error: " + short_weights + ": 'weights' has 1 values, expected 2\n");
  const std::string model = (dir_.path() / "m.json").string();
  ASSERT_EQ(run_cli(base() + " --model-out " + model, dir_).exit_code, 0);
  EXPECT_EQ(refusal(base() + " --resume " + model),
            "linsgd: error: " + model +
                ": not a linsgd checkpoint (no \"format\": \"linsgd-checkpoint\")\n");
  const std::string missing = (dir_.path() / "none.json").string();
  EXPECT_EQ(refusal(base() + " --resume " + missing),
            "linsgd: error: --resume " + missing +
                ": cannot open the checkpoint: No such file or directory\n");
  EXPECT_EQ(refusal(base() + " --resume " + dir_.path().string()),
            "linsgd: error: --resume " + dir_.path().string() +
                ": cannot open the checkpoint: is a directory\n");
}

// A run that kept no evaluations (no --curve-out, no rule that needs them) cannot give a resumed
// run's --curve-out the evaluations before its checkpoint; one that wrote its curve can.
TEST_F(CheckpointRefusals, ACurveNeedsTheEvaluationsBeforeTheCheckpoint) {
  // 25 steps an epoch, an evaluation at each epoch's end; the last checkpoint before the run's
  // end at step 256 (a finished run writes none at its end).
  const std::string by_epoch =
      "train --device cpu --data " + data_ + " --epochs 20 --batch-size 8 --lr 0.005 --quiet";
  const std::string checkpoint = (dir_.path() / "epochs.json").string();
  const std::string curve = (dir_.path() / "curve.csv").string();
  ASSERT_EQ(
      run_cli(by_epoch + " --checkpoint " + checkpoint + " --checkpoint-every 100", dir_).exit_code,
      0);
  EXPECT_EQ(refusal(by_epoch + " --curve-out " + curve + " --resume " + checkpoint),
            "linsgd: error: --resume " + checkpoint +
                ": the checkpoint holds no evaluations (a run before it wrote no --curve-out), "
                "which --curve-out needs up to step 250\n");
  EXPECT_FALSE(std::filesystem::exists(curve));
  const std::string with_curve = by_epoch + " --curve-out " + curve;
  ASSERT_EQ(run_cli(with_curve + " --checkpoint " + checkpoint + " --checkpoint-every 100", dir_)
                .exit_code,
            0);
  const std::string whole = read_text(curve);
  const CliRun resumed = run_cli(with_curve + " --resume " + checkpoint, dir_);
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(std::count(whole.begin(), whole.end(), '\n'), 21);  // a header and 20 epochs
  EXPECT_EQ(without_seconds(read_text(curve)), without_seconds(whole));
  // A slice resumed without --curve-out carries its first slice's evaluations on and adds none:
  // its checkpoint holds them up to where that slice began (here, as if it began at step 50).
  nlohmann::json json = nlohmann::json::parse(read_text(checkpoint));
  json.erase("state_digest");  // (as a checkpoint of the earlier version: not refused as edited)
  nlohmann::json& evaluations = json["state"]["evaluations"];
  ASSERT_GT(evaluations.size(), 2u);
  const std::string last = std::to_string(evaluations.back()["step"].get<int64_t>());
  evaluations.erase(evaluations.begin() + 2, evaluations.end());
  const std::string gap = dir_.file("gap.json", json.dump());
  EXPECT_EQ(refusal(with_curve + " --resume " + gap),
            "linsgd: error: --resume " + gap +
                ": the checkpoint holds evaluations up to step 50 only (a run before it wrote no "
                "--curve-out), which --curve-out needs up to step " +
                last + "\n");
}

// The losses of a checkpoint are in its loss file: missing, short or other losses are refused,
// naming the file.
TEST_F(CheckpointRefusals, AMissingShortOrOtherLossFileIsNamed) {
  const std::string losses = " --loss-out " + (dir_.path() / "l.csv").string();
  const std::string checkpoint = (dir_.path() / "with-losses.json").string();
  ASSERT_EQ(
      run_cli(base() + losses + " --checkpoint " + checkpoint + " --checkpoint-every 100", dir_)
          .exit_code,
      0);
  const std::string loss_file = loss_file_of(checkpoint);
  ASSERT_EQ(checkpoint_step(checkpoint), 256);
  ASSERT_EQ(std::filesystem::file_size(loss_file), 256u * 4);
  const std::string resume = base() + losses + " --resume " + checkpoint;
  const std::string prefix =
      "linsgd: error: --resume " + checkpoint + ": the loss file " + loss_file;
  std::string bytes = read_text(loss_file);
  bytes[40] ^= 1;  // one loss's lowest bit
  dir_.file(std::filesystem::path(loss_file).filename().string(), bytes);
  const std::string other = refusal(resume);
  EXPECT_EQ(other.rfind(prefix + " is not the checkpoint's (digest ", 0), 0u) << other;
  std::filesystem::resize_file(loss_file, 100 * 4);
  EXPECT_EQ(refusal(resume), prefix + " holds 100 losses; the checkpoint has 256\n");
  std::filesystem::remove(loss_file);
  EXPECT_EQ(refusal(resume), prefix +
                                 " cannot be read: No such file or directory (a copied or moved "
                                 "checkpoint needs it beside it; a run without --loss-out or "
                                 "--plot resumes without it)\n");
  // Without --loss-out the run needs no losses: it resumes.
  const CliRun without = run_cli(base() + " --resume " + checkpoint, dir_);
  EXPECT_EQ(without.exit_code, 0) << without.err;
}

// A run writes a loss file of its own: one that fails before its first checkpoint leaves the
// checkpoint already there whole, a resumed copy of a checkpoint leaves the original's losses
// alone, and the replaced checkpoint's own loss file goes once a new one replaced it.
TEST_F(CheckpointRefusals, EachRunWritesItsOwnLossFile) {
  // 1000 steps, checkpoints at 256, 512 and 768; the first run stopped by its time after 256.
  const std::string run = "train --device cpu --data " + data_ +
                          " --steps 1000 --batch-size 8 --lr 0.005 --quiet --loss-out " +
                          (dir_.path() / "l.csv").string();
  const std::string checkpoint = (dir_.path() / "kept.json").string();
  const std::string write = run + " --checkpoint-every 100 --checkpoint ";
  ASSERT_EQ(run_cli(write + checkpoint + " --max-seconds 1e-9", dir_).exit_code, 0);
  ASSERT_EQ(checkpoint_step(checkpoint), 256);
  const std::string first = loss_file_of(checkpoint);
  // Fails (diverges) before its first checkpoint: the one there is still resumable.
  const CliRun failed = run_cli(write + checkpoint + " --lr 1e30", dir_);
  ASSERT_NE(failed.exit_code, 0);
  EXPECT_EQ(loss_file_of(checkpoint), first);
  EXPECT_EQ(loss_files_in(dir_.path()),
            std::vector<std::string>{std::filesystem::path(first).filename().string()});
  // A copy resumed into itself: its own new loss file; the original's stays.
  std::filesystem::copy_file(checkpoint, dir_.path() / "copy.json");
  const std::string copy = (dir_.path() / "copy.json").string();
  ASSERT_EQ(run_cli(write + copy + " --resume " + copy, dir_).exit_code, 0);
  EXPECT_EQ(checkpoint_step(copy), 768);
  EXPECT_NE(loss_file_of(copy), first);
  EXPECT_TRUE(std::filesystem::exists(first));
  // Resumed into itself: the new checkpoint's loss file replaces the old one.
  ASSERT_EQ(run_cli(write + checkpoint + " --resume " + checkpoint, dir_).exit_code, 0);
  EXPECT_EQ(checkpoint_step(checkpoint), 768);
  EXPECT_NE(loss_file_of(checkpoint), first);
  EXPECT_FALSE(std::filesystem::exists(first));
  EXPECT_EQ(loss_files_in(dir_.path()).size(), 2u);  // kept.json's and copy.json's
  for (const std::string& resumable : {checkpoint, copy}) {
    const CliRun resumed = run_cli(run + " --resume " + resumable, dir_);
    EXPECT_EQ(resumed.exit_code, 0) << resumed.err;
  }
}

TEST_F(CheckpointRefusals, OptionsThatDoNotGoTogetherAreUsageErrors) {
  EXPECT_EQ(refusal(base() + " --checkpoint -"),
            "linsgd: error: --checkpoint -: a checkpoint is replaced as the run goes; name a "
            "file\n");
  EXPECT_EQ(refusal(base() + " --checkpoint-every 10"),
            "linsgd: error: --checkpoint-every needs --checkpoint\n");
  EXPECT_EQ(refusal(base() + " --checkpoint " + checkpoint_ + " --checkpoint-every 0"),
            "linsgd: error: invalid value for --checkpoint-every: 0 (must be 1 or more)\n");
  EXPECT_EQ(
      refusal("train --device cpu --data " + data_ + " --solver exact --resume " + checkpoint_),
      "linsgd: error: --resume saves or continues the steps of SGD, and --solver exact "
      "takes none\n");
  EXPECT_EQ(refusal(base() + " --checkpoint " + data_), "linsgd: error: --checkpoint " + data_ +
                                                            " is the input --data " + data_ +
                                                            "; write the output elsewhere\n");
  const std::string model = (dir_.path() / "m.json").string();
  EXPECT_EQ(refusal(base() + " --checkpoint " + model + " --model-out " + model),
            "linsgd: error: --model-out " + model + " and --checkpoint " + model +
                " are the same file\n");
}

// A checkpoint written with an interval a new run would be refused (an earlier version's default
// of 4096 for a short run with --tol): the resumed run gives that interval, and goes on.
TEST_F(CheckpointRefusals, AResumedRunTakesItsCheckpointsEvaluationInterval) {
  const std::string ruled = (dir_.path() / "ruled.json").string();
  ASSERT_EQ(run_cli(base() + " --tol 1e-12 --checkpoint " + ruled + " --checkpoint-every 100", dir_)
                .exit_code,
            0);
  auto json = nlohmann::json::parse(read_text(ruled));
  json["hyperparameters"]["eval_every"] = 4096;
  const std::string earlier = dir_.file("earlier.json", json.dump());
  const std::string with_interval = base() + " --tol 1e-12 --eval-every 4096";
  EXPECT_EQ(refusal(with_interval),
            "linsgd: error: --eval-every 4096: no evaluation before the run's last step (300), so "
            "--tol would never act; evaluate more often\n");
  const CliRun resumed = run_cli(with_interval + " --resume " + earlier, dir_);
  EXPECT_EQ(resumed.exit_code, 0) << resumed.err;
}

TEST_F(CheckpointRefusals, ResumingWritesTheUninterruptedModel) {
  const std::string whole = (dir_.path() / "whole.json").string();
  const std::string resumed = (dir_.path() / "resumed.json").string();
  ASSERT_EQ(run_cli(base() + " --model-out " + whole, dir_).exit_code, 0);
  const CliRun run = run_cli(base() + " --model-out " + resumed + " --resume " + checkpoint_, dir_);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(read_text(resumed), read_text(whole));
  // A slice under a time budget (one that lets it finish) writes the same bytes: the budget is
  // not the model's.
  const CliRun budgeted = run_cli(
      base() + " --model-out " + resumed + " --max-seconds 3600" + " --resume " + checkpoint_,
      dir_);
  ASSERT_EQ(budgeted.exit_code, 0) << budgeted.err;
  EXPECT_EQ(read_text(resumed), read_text(whole));
  // On another engine it goes on, with a note that the bits may differ (not --quiet).
  std::string noted = base() + " --model-out " + resumed + " --resume " + checkpoint_;
  noted.erase(noted.find(" --quiet"), 8);
  const CliRun same = run_cli(noted, dir_);
  ASSERT_EQ(same.exit_code, 0) << same.err;
  EXPECT_EQ(same.err.find("linsgd: note:"), std::string::npos) << same.err;
  const CliRun other = run_cli(noted + " --engine gemv", dir_);
  ASSERT_EQ(other.exit_code, 0) << other.err;
  // (The CPU named by its model and threads.)
  EXPECT_NE(other.err.find("\nlinsgd: note: resumed on CPU: "), std::string::npos) << other.err;
  EXPECT_NE(other.err.find(" thread), gemv engine, where the checkpoint's run stepped on CPU: "),
            std::string::npos)
      << other.err;
  EXPECT_NE(other.err.find(" thread), fused engine: the result equals the uninterrupted run's to "
                           "float rounding, not bit for bit\n"),
            std::string::npos)
      << other.err;
}

}  // namespace
}  // namespace linsgd
