// `linsgd train`: its options, and running it on the synthetic problem or on a data file.
#pragma once

#include <CLI/CLI.hpp>

#include <optional>
#include <string>

#include "cli/data_options.hpp"
#include "cli/train_options.hpp"
#include "cli/train_outputs.hpp"
#include "comm/mpi_session.hpp"
#include "linsgd/config.hpp"
#include "linsgd/metrics.hpp"
#include "linsgd/model.hpp"
#include "linsgd/trainer.hpp"
#include "model/checkpoint_file.hpp"
#include "report/report_data.hpp"

namespace linsgd::cli {

class TrainCommand {
 public:
  explicit TrainCommand(CLI::App& app);
  bool parsed() const { return command_->parsed(); }
  // Trains, prints the summary, writes the requested files; returns the exit code.
  int run();

 private:
  // What a run produced, for the summary and the output files.
  struct Outcome {
    TrainResult result;
    Model model;
    std::optional<RegressionMetrics> validation;
    std::optional<ReportData> report;  // with --plot
    std::string data_line;             // "data ... read in X s" for a data file
  };

  void check_option_combinations(const TrainConfig& config) const;
  // Throws UsageError when an --eval-every given leaves no evaluation before the run's last step
  // (`interval` >= `steps`) for a rule that acts on them (a resumed run takes its checkpoint's,
  // whatever it was).
  void refuse_evaluations_after_the_end(const TrainConfig& config, int64_t interval,
                                        int64_t steps) const;
  // Trains on `data` (with a validation set when `validation` is not null), or on the synthetic
  // problem when `data` is null, with the progress line, the losses and evaluations streamed to
  // `outputs` and the first SIGINT or SIGTERM stopping the run.
  // With --resume the run continues from the checkpoint, once it has matched the run's
  // hyperparameters and data; with --checkpoint it writes one every --checkpoint-every steps.
  // With --distributed, `data` is this process's share of the rows (the synthetic problem's are
  // taken by the trainer).
  TrainResult train(const TrainConfig& config, const Dataset* data, const Dataset* validation,
                    TrainOutputs& outputs, const DataShard* shard = nullptr) const;
  // --distributed: this process's share of `rows` and the sums across the processes.
  // Refuses (InputError, on the process that differs) a data-parallel run whose processes read
  // data of other rows, features or feature names than process 0's.
  void require_same_data_everywhere(const Dataset& training) const;
  // Refuses (UsageError, on the process that differs) a data-parallel run whose processes were
  // given other training options than process 0's.
  void require_same_options_everywhere(const TrainConfig& config) const;
  DataShard shard_of(int64_t rows) const;
  // --distributed: the summary's line on the processes (empty otherwise).
  std::string processes_line() const;
  Outcome train_synthetic_problem(const TrainConfig& config, TrainOutputs& outputs) const;
  // Reads --data, splits or reads the validation set, standardizes, trains and evaluates.
  Outcome train_on_file(const TrainConfig& config, const ReadOptions& read_options,
                        TrainOutputs& outputs) const;

  CLI::App* command_;
  TrainOptions options_;
  DataOptions data_;
  bool standardize_ = false;
  double val_fraction_ = 0.0;
  std::string val_data_;
  std::string model_out_;
  std::string metrics_out_;
  std::string loss_out_;
  std::string plot_;
  std::string checkpoint_;
  int64_t checkpoint_every_ = 1000;
  std::string resume_;
  std::optional<Checkpoint> resumed_;  // --resume's checkpoint, read before the data
  bool distributed_ = false;
  bool alone_ = false;                // --no-distributed
  int64_t sync_every_ = 0;            // --distributed: local SGD, the models averaged every N steps
  std::optional<MpiSession> mpi_;     // --distributed: open for the run
  bool evaluates_for_curve_ = false;  // --distributed: process 0 writes --curve-out
  std::string gpu_group_id_;          // --distributed --device cuda: process 0's NCCL id
  bool quiet_ = false;
  // Notes, warnings and the progress line on stderr: not with --quiet, nor into an output
  // written to stderr.
  bool notes_ = true;
};

}  // namespace linsgd::cli
