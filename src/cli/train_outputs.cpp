// TrainOutputs: planning (the report's data files beside the PNG), the overlap checks, the
// streamed losses and the writes at the end.
#include "cli/train_outputs.hpp"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <iterator>
#include <memory>
#include <optional>
#include <vector>

#include "linsgd/errors.hpp"
#include "model/json_fields.hpp"
#include "model/model_file.hpp"
#include "report/gnuplot_report.hpp"
#include "report/summary.hpp"

namespace linsgd::cli {
namespace {

std::optional<OutputTarget> plan_if_given(const std::string& path, const std::string& option) {
  if (path.empty()) return std::nullopt;
  OutputTarget target = plan_output(path, option);
  refuse_own_descriptor(target);
  return target;
}

}  // namespace

TrainOutputs::TrainOutputs(const Paths& paths) {
  model_ = plan_if_given(paths.model, "--model-out");
  metrics_ = plan_if_given(paths.metrics, "--metrics-out");
  loss_ = plan_if_given(paths.loss, "--loss-out");
  plot_ = plan_if_given(paths.plot, "--plot");
  curve_ = plan_if_given(paths.curve, "--curve-out");
  checkpoint_ = plan_if_given(paths.checkpoint, "--checkpoint");
  if (plot_) {
    // A report needs its data files (`linsgd plot` redraws from them): the ones asked for, or
    // ones beside the PNG, which a PNG written into a descriptor, FIFO or device has not.
    if (plot_->kind != OutputTarget::Kind::kReplaceFile && (!metrics_ || !loss_)) {
      throw UsageError("--plot " + plot_->path +
                       ": the report's data files go beside a PNG file; name one, or give "
                       "--metrics-out and --loss-out");
    }
    const std::string& png = paths.plot;
    const std::string stem = png.size() > 4 && png.compare(png.size() - 4, 4, ".png") == 0
                                 ? png.substr(0, png.size() - 4)
                                 : png;
    if (!metrics_) metrics_ = plan_output(stem + ".metrics.json", "--plot's metrics file");
    if (!loss_) loss_ = plan_output(stem + ".loss.csv", "--plot's loss file");
  }
  // A descriptor, FIFO or device cannot be replaced (nor read back).
  if (checkpoint_ && checkpoint_->kind != OutputTarget::Kind::kReplaceFile) {
    throw UsageError("--checkpoint " + checkpoint_->path +
                     ": a checkpoint is replaced as the run goes; name a file");
  }
  const auto all = all_outputs();
  for (size_t i = 0; i < std::size(all); ++i) {
    for (size_t j = i + 1; j < std::size(all); ++j) {
      if (*all[i] && *all[j] && same_destination(**all[i], **all[j])) {
        const OutputTarget& first = **all[i];
        const OutputTarget& second = **all[j];
        if (first.is_descriptor(second.descriptor) && second.is_descriptor(first.descriptor)) {
          throw UsageError(first.option + " and " + second.option + " both write to " +
                           (first.descriptor == STDOUT_FILENO
                                ? std::string("standard output")
                                : "descriptor " + std::to_string(first.descriptor)));
        }
        throw UsageError(first.option + " " + first.path + " and " + second.option + " " +
                         second.path + " are the same file");
      }
    }
  }
}

bool TrainOutputs::writes_into(int fd) const {
  // An output descriptor that is `fd`, or has its file or pipe open, as same_destination rules
  // (a terminal or /dev/null behind both counts only as the same descriptor).
  OutputTarget stream;  // a descriptor
  stream.descriptor = fd;
  stream.descriptor_file = identify_descriptor(fd);
  for (const std::optional<OutputTarget>* output : all_outputs()) {
    if (*output && (*output)->kind == OutputTarget::Kind::kDescriptor &&
        same_destination(**output, stream)) {
      return true;
    }
  }
  return false;
}

void TrainOutputs::refuse_inputs(
    const std::vector<std::pair<std::string, std::string>>& inputs) const {
  for (const auto& [option, path] : inputs) {
    for (const std::optional<OutputTarget>* output : all_outputs()) {
      // The data readers read "-" as standard input; the checkpoint reader, a file "-".
      const bool from_standard_input =
          option == "--data" || option == "--labels" || option == "--val-data";
      if (*output) refuse_input_as_output(**output, option, path, from_standard_input);
    }
  }
}

void TrainOutputs::start(int64_t total_steps, bool validation) {
  loss_curve_.emplace(total_steps, kMaxPlotPoints);
  // The headers go with the first rows (or at the end): a stream (a descriptor, a FIFO) gets
  // nothing from a run that fails before its first losses, as a file is not replaced.
  if (loss_) {
    loss_writer_.emplace(*loss_);
    loss_header_ = kLossCsvHeader;
  }
  if (curve_) {
    curve_writer_.emplace(*curve_);
    curve_header_ =
        validation ? "step,seconds,objective,validation_objective\n" : "step,seconds,objective\n";
  }
}

void TrainOutputs::write_with_header(OutputWriter& writer, std::string& header,
                                     const std::string& rows) {
  if (!header.empty()) {
    writer.write(header);
    header.clear();
  }
  writer.write(rows);
}

void TrainOutputs::add_losses(int64_t first_step, const std::vector<float>& losses) {
  loss_curve_->add(first_step, losses);
  if (loss_writer_)
    write_with_header(*loss_writer_, loss_header_, loss_csv_rows(first_step, losses));
}

void TrainOutputs::add_evaluation(const Evaluation& evaluation) {
  if (curve_writer_) write_with_header(*curve_writer_, curve_header_, curve_csv_row(evaluation));
}

void TrainOutputs::start_checkpoints(const std::vector<float>& resumed_losses) {
  if (checkpoint_->kind != OutputTarget::Kind::kReplaceFile) return;
  const std::string& path = checkpoint_->final_path;
  try {  // the checkpoint there now, if any, and its loss file if it wrote it
    const Checkpoint replaced =
        parse_checkpoint(read_json_file(path, path, path, "checkpoint"), path);
    if (replaced.losses &&
        is_own_loss_file(std::filesystem::path(path).filename().string(), replaced.losses->name)) {
      replaced_losses_ = checkpoint_loss_path(path, replaced.losses->name);
    }
  } catch (const Error&) {  // none, or not a checkpoint of this version: nothing to remove
  }
  if (wants_losses()) checkpoint_losses_.emplace(path, resumed_losses);
}

void TrainOutputs::write_checkpoint(Checkpoint checkpoint) {
  if (checkpoint_losses_) {
    checkpoint.losses =
        checkpoint_losses_->append(checkpoint.state.losses_from, checkpoint.state.loss_history);
    checkpoint_losses_->before_reference();
  }
  write_output(*checkpoint_, checkpoint_json(checkpoint));
  if (checkpoint_losses_) checkpoint_losses_->kept();
  if (!replaced_losses_.empty()) {  // no checkpoint refers to it now
    std::remove(replaced_losses_.c_str());
    replaced_losses_.clear();
  }
}

void TrainOutputs::finish(const Model& model, const std::string& metrics_json,
                          const ReportData* report) {
  // All or none of the files: every output written and finished (synced and closed: where a full
  // disk or an unwritable device shows) before the first is renamed into place, so that a run
  // whose metrics cannot be written leaves the model file it had, not a new model beside old
  // metrics. (Streams, as standard output, take their text as it is written.)
  std::optional<std::string> png;
  std::string problem;
  if (report != nullptr && plot_) png = render_png(*report, &problem);
  std::vector<std::unique_ptr<OutputWriter>> whole_files;
  const auto stage = [&](const std::optional<OutputTarget>& target, const std::string& content) {
    if (!target) return;
    whole_files.push_back(std::make_unique<OutputWriter>(*target));
    whole_files.back()->write(content);
    whole_files.back()->finish();
  };
  stage(model_, model_ ? model_json(model) : std::string());
  stage(metrics_, metrics_json);
  if (png) stage(plot_, *png);
  for (auto [writer, header] :
       {std::pair{&loss_writer_, &loss_header_}, {&curve_writer_, &curve_header_}}) {
    if (!*writer) continue;
    write_with_header(**writer, *header, "");
    (*writer)->finish();
  }
  for (const auto& writer : whole_files) writer->commit();
  for (auto* writer : {&loss_writer_, &curve_writer_}) {
    if (*writer) (*writer)->commit();
  }
  if (report != nullptr && plot_ && !png && !writes_into(STDERR_FILENO)) {
    // (Not into an output on stderr.) A PNG already there is not this run's: said so.
    const bool earlier =
        plot_->kind == OutputTarget::Kind::kReplaceFile && identify_file(plot_->final_path).exists;
    std::fprintf(stderr, "linsgd: warning: %s; the report data is in %s and %s%s%s\n",
                 problem.c_str(), metrics_->label.c_str(), loss_->label.c_str(),
                 earlier ? "; the PNG at " : "",
                 earlier ? (plot_->label + " is an earlier run's, left as it was").c_str() : "");
  }
}

}  // namespace linsgd::cli
