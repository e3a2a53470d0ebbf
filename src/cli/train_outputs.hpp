// The files `linsgd train` writes, planned before training starts and written after it ends:
// the model (--model-out), the run's figures (--metrics-out), the loss of every step
// (--loss-out) and the objective at every evaluation (--curve-out), both streamed while
// training runs so memory does not grow with the steps, the training report (--plot, with
// its metrics and loss files beside the PNG unless those are asked for), and the checkpoint
// (--checkpoint), replaced atomically each time the run hands out its state. Every path is checked
// first (io/output_file.hpp), and none may be the same file as an input or as another output. A run
// that fails leaves every output as it was.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "io/output_file.hpp"
#include "linsgd/model.hpp"
#include "linsgd/trainer.hpp"
#include "model/checkpoint_file.hpp"
#include "model/checkpoint_losses.hpp"
#include "report/loss_curve.hpp"
#include "report/report_data.hpp"

namespace linsgd::cli {

class TrainOutputs {
 public:
  struct Paths {
    std::string model, metrics, loss, plot, curve, checkpoint;  // empty: not asked for
  };
  // Plans every output; throws UsageError naming the option for one that cannot be written, or
  // for two outputs that are the same file.
  explicit TrainOutputs(const Paths& paths);

  // Throws UsageError when an output is the same file as one of `inputs` ({option, path};
  // empty paths are skipped).
  void refuse_inputs(const std::vector<std::pair<std::string, std::string>>& inputs) const;

  bool wants_report() const { return plot_.has_value(); }
  // An output goes where descriptor `fd` does (standard output, "-" or /dev/stdout or a
  // descriptor on the same file or pipe): the summary goes elsewhere then.
  bool writes_into(int fd) const;
  bool wants_curve() const { return curve_.has_value(); }
  bool wants_checkpoints() const { return checkpoint_.has_value(); }
  // The loss of every step is written (--loss-out, or the report's loss file).
  bool wants_losses() const { return loss_.has_value(); }
  // Opens this run's loss file for its checkpoints (where it writes losses and the checkpoint is
  // a file, not a FIFO or device) with the losses of a resumed run's steps before it, and notes
  // the loss file of the checkpoint the run will replace.
  void start_checkpoints(const std::vector<float>& resumed_losses);
  // Appends the state's losses (those since the last checkpoint) to the loss file, then
  // replaces the checkpoint file, atomically: a run killed at any moment leaves the previous
  // checkpoint or this one, whole, each with its losses. The first time, the replaced
  // checkpoint's own loss file goes.
  void write_checkpoint(Checkpoint checkpoint);

  // Opens the streamed outputs of a run of `total_steps` (with a validation set or not); the
  // losses and evaluations then come as the run goes: to the loss file and the report's curve,
  // and to the curve file.
  void start(int64_t total_steps, bool validation);
  void add_losses(int64_t first_step, const std::vector<float>& losses);
  void add_evaluation(const Evaluation& evaluation);
  const LossCurve& loss_curve() const { return *loss_curve_; }

  // After the run: writes the model, the metrics JSON and the report, and commits the losses:
  // all the files or, when one cannot be written, none (each is renamed into place only once
  // every one is written). The report is a warning when it cannot be drawn (its data files are
  // written).
  void finish(const Model& model, const std::string& metrics_json, const ReportData* report);

 private:
  std::optional<OutputTarget> model_, metrics_, loss_, plot_, curve_, checkpoint_;
  // Every output above, planned or not.
  std::array<const std::optional<OutputTarget>*, 6> all_outputs() const {
    return {&model_, &metrics_, &loss_, &plot_, &curve_, &checkpoint_};
  }
  std::optional<OutputWriter> loss_writer_;
  std::optional<CheckpointLossWriter> checkpoint_losses_;
  std::string replaced_losses_;  // the loss file of the checkpoint this run replaces, if its own
  std::optional<OutputWriter> curve_writer_;
  std::string loss_header_, curve_header_;  // not written yet: they go with the first rows
  // Writes `header` (then clears it) if it was not yet, then `rows`.
  static void write_with_header(OutputWriter& writer, std::string& header, const std::string& rows);
  std::optional<LossCurve> loss_curve_;
};

}  // namespace linsgd::cli
