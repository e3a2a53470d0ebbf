// `linsgd train`: option definitions (defaults from TrainConfig, i.e. the post's problem),
// data loading, standardization and the validation split, then the summary and output files.
#include "cli/train_command.hpp"

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <optional>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "cli/interrupts.hpp"
#include "cli/number_options.hpp"
#include "cli/progress_line.hpp"
#include "io/column_plan.hpp"
#include "io/output_file.hpp"
#include "linsgd/errors.hpp"
#include "model/digest.hpp"
#include "model/hyperparameters.hpp"
#include "model/preprocessing.hpp"
#include "report/summary.hpp"

namespace linsgd::cli {
namespace {

// Of the whole file: a data-parallel process read its share of the rows.
std::string format_data_line(const Dataset& data, double seconds) {
  char counts[160];
  std::snprintf(counts, sizeof(counts),
                ": %lld rows x %lld features, target '%s', read in %.2f s\n",
                static_cast<long long>(data.file_rows), static_cast<long long>(data.features),
                data.target_name.c_str(), seconds);
  return "data                " + data.source + counts;
}

// A process of several that an MPI launcher started (Open MPI's variable, or a PMI launcher's:
// srun, MPICH's), given neither --distributed nor --no-distributed: most likely --distributed
// was forgotten, and each process would train alone on all the data and write the same outputs,
// while a process given --distributed beside it waits for it without end. Refused, so that the
// launcher ends them all. (The variables pass to the launcher's processes' children too:
// --no-distributed says training alone is meant.)
void refuse_unshared_mpi_launch() {
  for (const char* variable : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE"}) {
    const char* value = std::getenv(variable);
    if (value == nullptr || std::atol(value) <= 1) continue;
    throw UsageError(std::string("this process is one of ") + value +
                     " that an MPI launcher started (" + variable +
                     "): pass --distributed to every process for a data-parallel run, or "
                     "--no-distributed to train alone in each");
  }
}

}  // namespace

TrainCommand::TrainCommand(CLI::App& app)
    : command_(app.add_subcommand(
          "train", "train on a data file, or on the reference post's synthetic problem")) {
  CLI::App& c = *command_;
  data_.add_to(c, false);
  options_.add_to(c);
  c.add_flag("--standardize", standardize_,
             "scale each feature to mean 0, deviation 1 (statistics of the training rows, "
             "stored in the model)");
  c.add_option("--val-fraction", val_fraction_, "hold out this fraction of rows for validation")
      ->check(decimal_value());
  c.add_option("--val-data", val_data_, "validation data file (same format as --data)");
  c.add_option("--model-out", model_out_, "write the trained model (JSON) to this file");
  c.add_option("--metrics-out", metrics_out_, "write the run's figures as JSON to this file");
  c.add_option("--loss-out", loss_out_, "write the batch loss of every step as CSV");
  c.add_option("--plot", plot_,
               "draw the training report (PNG, with gnuplot); its data goes to --metrics-out and "
               "--loss-out, or beside the PNG");
  c.add_option("--checkpoint", checkpoint_,
               "write the training state to this file (replaced atomically) every "
               "--checkpoint-every steps, to continue with --resume");
  c.add_option("--checkpoint-every", checkpoint_every_,
               "steps between checkpoints (after the chunk of steps that reaches each multiple)")
      ->capture_default_str()
      ->transform(integral_value<int64_t>());
  c.add_option("--resume", resume_,
               "continue the run a --checkpoint file was written by: the same options and data, "
               "ending as the run would have had it never stopped");
  auto* distributed = c.add_flag(
      "--distributed", distributed_,
      "train data-parallel across the processes mpirun starts: each holds a contiguous share of "
      "the rows; process 0 prints and writes the outputs");
  c.add_flag("--no-distributed", alone_,
             "started by an MPI launcher among other processes: train alone in this one (a "
             "sweep, each process with its own options and outputs), not data-parallel")
      ->excludes(distributed);
  c.add_option("--sync-every", sync_every_,
               "with --distributed: local SGD, each process stepping on its own rows and the "
               "processes' models averaged every N steps (default: one exchange of the gradient "
               "a step)")
      ->transform(integral_value<int64_t>());
  c.add_flag("-q,--quiet", quiet_, "print nothing but errors");
}

void TrainCommand::refuse_evaluations_after_the_end(const TrainConfig& config, int64_t interval,
                                                    int64_t steps) const {
  if (command_->count("--eval-every") == 0 || !resume_.empty() || !config.evaluates() ||
      interval < steps) {
    return;
  }
  throw UsageError("--eval-every " + std::to_string(interval) +
                   ": no evaluation before the run's last step (" + std::to_string(steps) +
                   "), so " +
                   (config.tol                ? "--tol"
                    : config.target_objective ? "--target-objective"
                                              : "--schedule adaptive") +
                   " would never act; evaluate more often");
}

void TrainCommand::check_option_combinations(const TrainConfig& config) const {
  // With --steps, before any data is read or process started.
  if (config.epochs == 0) refuse_evaluations_after_the_end(config, config.eval_every, config.steps);
  const bool has_data = !data_.data.empty();
  if (has_data) {
    for (const char* option : {"--rows", "--features"}) {
      if (command_->count(option) > 0) {
        throw UsageError(std::string(option) +
                         " sizes the synthetic problem; with --data the file gives the shape");
      }
    }
  } else {
    if (standardize_) throw UsageError("--standardize needs --data");
    if (command_->count("--val-fraction") > 0) throw UsageError("--val-fraction needs --data");
    if (!val_data_.empty()) throw UsageError("--val-data needs --data");
    if (!data_.target.empty()) throw UsageError("--target needs --data");
    if (!data_.labels.empty()) throw UsageError("--labels needs --data");
    if (!data_.sample_weight.empty()) throw UsageError("--sample-weight needs --data");
    for (const char* option : {"--header", "--no-header", "--delimiter"}) {
      if (command_->count(option) > 0) throw UsageError(std::string(option) + " needs --data");
    }
  }
  if (command_->count("--val-fraction") > 0) {
    validate_validation_fraction(val_fraction_);
    if (!val_data_.empty()) throw UsageError("use --val-fraction or --val-data, not both");
  }
  if (!val_data_.empty() && !data_.labels.empty()) {
    throw UsageError("--val-data cannot be combined with --labels; use --val-fraction");
  }
  // The exact solve draws nothing: the seed draws synthetic data or a validation split only.
  if (config.solver == Solver::kExact && has_data && command_->count("--seed") > 0 &&
      command_->count("--val-fraction") == 0) {
    throw UsageError(
        "--seed applies to --solver exact only with --val-fraction (the split it draws) or "
        "synthetic data");
  }
  // Standard input can be read once: one input at most may name it.
  std::vector<std::string> from_standard_input;
  for (const auto& [option, path] :
       {std::pair<const char*, const std::string&>{"--data", data_.data},
        {"--labels", data_.labels},
        {"--val-data", val_data_},
        {"--sample-weight", data_.sample_weight},
        {"--resume", resume_}}) {
    if (path == "-") from_standard_input.push_back(option);
  }
  if (from_standard_input.size() > 1) {
    throw UsageError(from_standard_input[0] + " - and " + from_standard_input[1] +
                     " -: standard input can be read once; name a file for one of them");
  }
  if (command_->count("--sync-every") > 0) {
    if (!distributed_) throw UsageError("--sync-every needs --distributed");
    if (sync_every_ < 1) {
      throw UsageError("invalid value for --sync-every: " + std::to_string(sync_every_) +
                       " (must be 1 or more)");
    }
  }
  if (command_->count("--checkpoint-every") > 0) {
    if (checkpoint_.empty()) throw UsageError("--checkpoint-every needs --checkpoint");
    if (checkpoint_every_ < 1) {
      throw UsageError("invalid value for --checkpoint-every: " +
                       std::to_string(checkpoint_every_) + " (must be 1 or more)");
    }
  }
  if (config.solver == Solver::kExact) {
    for (const char* option : {"--checkpoint", "--resume"}) {
      if (command_->count(option) > 0) {
        throw UsageError(std::string(option) +
                         " saves or continues the steps of SGD, and --solver exact takes none");
      }
    }
    for (const auto& [option, what] : {std::pair{"--loss-out", "writes the steps' losses"},
                                       {"--plot", "draws the steps' losses"},
                                       {"--curve-out", "writes the evaluations between steps"}}) {
      if (command_->count(option) > 0) {
        throw UsageError(std::string(option) + " " + what + ", and --solver exact takes no steps");
      }
    }
  }
}

int TrainCommand::run() {
  if (!distributed_ && !alone_) refuse_unshared_mpi_launch();
  TrainConfig config = options_.config();
  config.features_standardized = standardize_;  // the advice of a diverged run
  validate(config);
  check_option_combinations(config);
  if (distributed_) {
    // Refused before MPI starts: one line from each process, no abort.
    for (const char* option : {"--val-fraction", "--val-data", "--checkpoint", "--resume"}) {
      if (command_->count(option) > 0) {
        throw UsageError(std::string("--distributed: ") + option +
                         " is not available in a data-parallel run yet");
      }
    }
    if (data_.data == "-") {
      throw UsageError(
          "--distributed: --data - (standard input reaches one process); each process reads "
          "its rows from the file: name it");
    }
    if (config.device == DeviceKind::kAuto) config.device = DeviceKind::kCpu;
    require_shardable(config, false, nullptr, sync_every_);
    if (config.device == DeviceKind::kCuda) {
      resolve_device(config.device);                    // a machine without a GPU says so now
      if (!gpu_groups_available()) new_gpu_group_id();  // throws the reason
    }
    // Every process evaluates where process 0 does for the curve it writes: evaluations are
    // sums across the processes, which all must join.
    evaluates_for_curve_ = !options_.curve_out().empty();
    mpi_.emplace();
    require_same_options_everywhere(config);
    if (config.device == DeviceKind::kCuda) {  // the GPUs' sums go over NCCL, from one id
      if (mpi_->rank() == 0) gpu_group_id_ = new_gpu_group_id();
      mpi_->broadcast(gpu_group_id_);
    }
    if (mpi_->rank() != 0) {  // process 0 prints and writes; the others train
      quiet_ = true;
      model_out_.clear();
      metrics_out_.clear();
      loss_out_.clear();
      plot_.clear();
      options_.clear_curve_out();
    }
  }
  ReadOptions read_options = data_.read_options();
  if (mpi_) read_options.share = mpi_->share();  // each process reads its rows alone
  const DeviceChoice choice = resolve_device(config.device);
  config.device = choice.kind;
  require_options_apply(choice.kind, config);
  // Every output is checked before the data is read or a step is run.
  TrainOutputs outputs(
      {model_out_, metrics_out_, loss_out_, plot_, options_.curve_out(), checkpoint_});
  // --resume may name the --checkpoint file (the run goes on writing it); no other output.
  const bool resume_is_checkpoint =
      !resume_.empty() && identify_file(resume_) == identify_file(checkpoint_);
  outputs.refuse_inputs({{"--data", data_.data},
                         {"--labels", data_.labels},
                         {"--val-data", val_data_},
                         {"--sample-weight", data_.sample_weight},
                         {"--resume", resume_is_checkpoint ? "" : resume_}});
  if (!resume_.empty()) {
    // A bad file fails before the data; the losses are read only for a run that writes them.
    resumed_ = read_checkpoint(resume_, outputs.wants_losses());
    if (resumed_->losses) {  // read already, but an output over it would damage the checkpoint
      outputs.refuse_inputs(
          {{"--resume's loss file", checkpoint_loss_path(resume_, resumed_->losses->name)}});
    }
  }
  notes_ = !quiet_ && !outputs.writes_into(STDERR_FILENO);
  if (notes_ && !choice.notice.empty()) {
    std::fprintf(stderr, "linsgd: %s\n", choice.notice.c_str());
  }

  const Outcome outcome = data_.data.empty() ? train_synthetic_problem(config, outputs)
                                             : train_on_file(config, read_options, outputs);
  const TrainResult& result = outcome.result;
  const std::string here = stepped_on(result.device, result.config.engine);
  if (notes_ && resumed_ && !resumed_->state.stepped_on.empty() &&
      resumed_->state.stepped_on != here) {
    std::fprintf(stderr,
                 "linsgd: note: resumed on %s, where the checkpoint's run stepped on %s: the "
                 "result equals the uninterrupted run's to float rounding, not bit for bit\n",
                 here.c_str(), resumed_->state.stepped_on.c_str());
  }
  // --lr auto follows the features' largest curvature: on features of a large scale its steps
  // leave the intercept (curvature 1) near where it started (a fixed --lr is the user's choice).
  // Once, in a data-parallel run; not for a run cut short (a signal, --max-seconds).
  if (const std::optional<double> reach = result.intercept_reach_short();
      notes_ && reach && result.config.learning_rate_auto && (!mpi_ || mpi_->rank() == 0) &&
      !result.interrupted && result.stopped_by != "time") {
    std::fprintf(stderr,
                 "linsgd: note: the steps' sizes add up to at most %.3g against the intercept's "
                 "curvature of 1: the least curved direction (the intercept's, or one curved "
                 "less) keeps about %.0f%% of its starting error, so the intercept may be far "
                 "from its optimum; ",
                 *reach, 100.0 * std::exp(-*reach));
    if (result.learning_rate < 1e-2 && !standardize_) {
      std::fprintf(stderr,
                   "--lr auto took %.3g from the features' largest curvature: --standardize "
                   "them if their scale is large, or use --solver exact\n",
                   result.learning_rate);
    } else {
      std::fputs("take more steps (--epochs or --steps, a smaller --tol or --batch-size)\n",
                 stderr);
    }
  }
  if (result.interrupted && (!mpi_ || mpi_->rank() == 0) && !outputs.writes_into(STDERR_FILENO)) {
    // A data-parallel run stops all its processes when any one is signalled.
    const char* signal = interrupting_signal_name();
    std::fprintf(stderr, "linsgd: %s: stopped after step %lld of %lld; writing what was trained\n",
                 *signal != '\0' ? signal : "another process was signalled",
                 static_cast<long long>(result.steps_done),
                 static_cast<long long>(result.config.steps));
  }
  if (!quiet_) {
    const std::string summary =
        outcome.data_line + processes_line() + format_summary(result, outcome.validation);
    // Kept out of the outputs: on stderr when one goes to standard output, nowhere when
    // outputs take both.
    if (!outputs.writes_into(STDOUT_FILENO)) {
      write_standard_output(summary);
    } else if (!outputs.writes_into(STDERR_FILENO)) {
      std::fputs(summary.c_str(), stderr);
    }
  }
  const ReportData* report = outcome.report ? &*outcome.report : nullptr;
  outputs.finish(outcome.model,
                 format_metrics_json(result, outcome.validation, report,
                                     command_->count("--val-fraction") > 0),
                 report);
  return result.interrupted ? interrupted_exit_code() : 0;  // a signal that came as it ended: done
}

std::string TrainCommand::processes_line() const {
  if (!mpi_) return "";
  const int size = mpi_->size();
  return "processes           " + std::to_string(size) + " (data-parallel: " +
         (sync_every_ > 0 && size > 1
              ? "local SGD, the models averaged every " + std::to_string(sync_every_) + " steps"
              : std::string("the gradient summed every step")) +
         ")\n";
}

void TrainCommand::require_same_options_everywhere(const TrainConfig& config) const {
  // Before any exchange: processes of other steps, batches or rates would join sums of other
  // sizes (an MPI error, or a wait without end), or train a wrong model without a word.
  Json own = hyperparameters_json(config);
  own.erase("max_seconds");  // any process's budget stops all (the stopping rules' sum)
  own["standardize"] = standardize_;
  own["fit_intercept"] = config.fit_intercept;  // (the hyperparameters hold it only when false)
  own["sync_every"] = sync_every_;
  own["evaluates"] = evaluates_for_curve_;  // evaluations are sums all the processes join
  if (data_.data.empty()) {                 // the synthetic problem's shape (a file's: read)
    own["rows"] = config.rows;
    own["features"] = config.features;
  }
  std::string first = own.dump();
  mpi_->broadcast(first);
  const Json zero = Json::parse(first);
  // Both ways round: some keys are written only when set (epochs, fit_intercept).
  for (const Json* side : {static_cast<const Json*>(&own), &zero}) {
    for (const auto& [key, value] : side->items()) {
      if (!zero.contains(key) || !own.contains(key) || zero.at(key) != own.at(key)) {
        throw UsageError("--distributed: process " + std::to_string(mpi_->rank()) + " has " + key +
                         " = " + shown_value(own, key) + ", process 0 has " +
                         shown_value(zero, key) + ": every process must be given the same options");
      }
    }
  }
}

void TrainCommand::require_same_data_everywhere(const Dataset& training) const {
  // Before any sum: a process that read another shape would send sums of another size (an MPI
  // error), or, of another row count, share other rows and train on a wrong model silently.
  const auto shape_of = [](const Dataset& data) {
    // (Weighted or not: the steps' sums of either have other sizes.)
    std::string shape = std::to_string(data.file_rows) + " rows x " +
                        std::to_string(data.features) + " features" +
                        (data.has_sample_weights() ? ", weighted" : "");
    if (data.named_by_header) {
      Digest names;
      for (const std::string& name : data.feature_names) names.add(name.data(), name.size());
      shape += " (names digest " + names.hex() + ")";
    }
    return shape;
  };
  const std::string own = shape_of(training);
  std::string first = own;
  mpi_->broadcast(first);
  if (own != first) {
    throw InputError("--distributed: process " + std::to_string(mpi_->rank()) + " read " +
                     data_.data + " as " + own + ", process 0 as " + first +
                     ": every process must read the same data");
  }
}

DataShard TrainCommand::shard_of(int64_t rows) const {
  if (rows < mpi_->size()) {
    throw InputError("--distributed: " + std::to_string(rows) + " rows cannot be shared by " +
                     std::to_string(mpi_->size()) + " processes");
  }
  const RowShare share = mpi_->share();
  DataShard shard;
  shard.first_row = share.first_row(rows);
  shard.rows = share.row_count(rows);
  shard.total_rows = rows;
  shard.index = share.index;
  shard.processes = share.count;
  shard.sync_every = sync_every_;
  shard.gpu_group_id = gpu_group_id_;
  shard.gpu = mpi_->local_rank();  // the processes of a machine take its GPUs in turn
  shard.sum_floats = [this](float* values, int64_t count) { mpi_->sum_floats(values, count); };
  shard.sum_doubles = [this](double* values, int64_t count) { mpi_->sum_doubles(values, count); };
  shard.average_floats = [this](float* values, int64_t count) {
    mpi_->average_floats(values, count);
  };
  return shard;
}

TrainResult TrainCommand::train(const TrainConfig& config, const Dataset* data,
                                const Dataset* validation, TrainOutputs& outputs,
                                const DataShard* shard) const {
  ProgressLine progress(!notes_);
  TrainHooks hooks;
  hooks.progress = progress.callback();
  hooks.on_losses = [&](int64_t first_step, const std::vector<float>& losses) {
    outputs.add_losses(first_step, losses);
  };
  if (outputs.wants_curve()) {
    hooks.on_evaluation = [&](const Evaluation& evaluation) { outputs.add_evaluation(evaluation); };
  } else if (evaluates_for_curve_) {
    hooks.on_evaluation = [](const Evaluation&) {};
  }
  hooks.stop_requested = stop_requested;  // with a shard, any process's stops all (the trainer)
  hooks.shard = shard;
  const int64_t rows = shard != nullptr  ? shard->total_rows
                       : data != nullptr ? data->rows
                                         : config.rows;
  const TrainConfig resolved =
      shard != nullptr ? resolve_for_shard(config, *shard) : resolve_for_rows(config, rows);
  const int64_t steps = resolved.steps;
  // What a checkpoint is matched on: the options. First those a user changes that change the
  // data the steps see (--standardize, --val-fraction) or the steps (--epochs, --no-intercept),
  // so that the one changed is named, not its consequence; a checkpoint of an earlier version
  // lacks them, and its steps and data digest decide.
  const auto run_hyperparameters = [&, rows](double first_rate) {
    const bool split = command_->count("--val-fraction") > 0;
    const std::pair<const char*, Json> as_given[] = {
        {"standardize", standardize_},
        {"val_fraction", split ? Json(val_fraction_) : Json(nullptr)},
        {"epochs", config.epochs > 0 ? Json(config.epochs) : Json(nullptr)},
        {"fit_intercept", config.fit_intercept}};
    Json json;
    for (const auto& [key, value] : as_given) {
      if (!resumed_ || resumed_->hyperparameters.contains(key)) json[key] = value;
    }
    json.update(resumable_hyperparameters(config, rows, first_rate));
    return json;
  };
  DataFingerprint fingerprint;
  if (resumed_ || outputs.wants_checkpoints()) {
    fingerprint =
        data != nullptr ? fingerprint_of(*data, validation) : fingerprint_of_synthetic(config);
  }
  // Known once the rows are: the steps --epochs come to.
  if (config.epochs > 0) refuse_evaluations_after_the_end(config, resolved.eval_every, steps);
  if (resumed_) {
    const TrainingState& state = resumed_->state;
    require_resumable(*resumed_, resume_,
                      run_hyperparameters(config.learning_rate_auto ? state.first_learning_rate
                                                                    : config.learning_rate),
                      fingerprint);
    if (state.steps_done >= steps) {
      throw UsageError("--resume " + resume_ + ": the checkpoint is at step " +
                       std::to_string(state.steps_done) + " and this run has " +
                       std::to_string(steps) + " steps: nothing is left to take");
    }
    if (state.loss_history.empty() && outputs.wants_losses()) {
      throw UsageError("--resume " + resume_ +
                       ": the checkpoint holds no losses (its run wrote neither --loss-out nor "
                       "--plot), which --loss-out and --plot need");
    }
    // A run (or a slice of it) that neither needed evaluations nor wrote --curve-out kept none
    // of its own: a curve would miss them.
    const int64_t evaluated_to = state.evaluations.empty() ? 0 : state.evaluations.back().step;
    const int64_t due_to = state.steps_done / resolved.eval_every * resolved.eval_every;
    if (outputs.wants_curve() && !config.evaluates() && evaluated_to < due_to) {
      throw UsageError("--resume " + resume_ + ": the checkpoint holds " +
                       (evaluated_to == 0
                            ? std::string("no evaluations")
                            : "evaluations up to step " + std::to_string(evaluated_to) + " only") +
                       " (a run before it wrote no --curve-out), which --curve-out needs up to "
                       "step " +
                       std::to_string(due_to));
    }
    hooks.resume_from = &state;
    if (notes_) {
      std::fprintf(stderr, "linsgd: resuming from step %lld of %lld (%s)\n",
                   static_cast<long long>(state.steps_done), static_cast<long long>(steps),
                   resume_.c_str());
    }
  }
  if (outputs.wants_checkpoints()) {
    hooks.state_every = checkpoint_every_;
    // The losses go to the checkpoint's loss file (each written once, see checkpoint_losses.hpp)
    // only when the run writes them.
    hooks.state_with_losses = outputs.wants_losses();
    outputs.start_checkpoints(resumed_ ? resumed_->state.loss_history : std::vector<float>{});
    hooks.on_state = [&, rows](const TrainingState& state) {
      Checkpoint checkpoint;  // its loss file: the outputs' to add
      checkpoint.state = state;
      checkpoint.hyperparameters = run_hyperparameters(state.first_learning_rate);
      checkpoint.data = fingerprint;
      outputs.write_checkpoint(std::move(checkpoint));
    };
  }
  // From here the first Ctrl-C stops the run instead of the process: opened before the loss
  // file, so a signal that finds it being written finds the window open too.
  const TrainingWindow window;
  outputs.start(steps, validation != nullptr);
  if (data == nullptr) return train_synthetic(config, hooks);
  return validation != nullptr ? train_on_data(config, *data, *validation, hooks)
                               : train_on_data(config, *data, hooks);
}

TrainCommand::Outcome TrainCommand::train_synthetic_problem(const TrainConfig& config,
                                                            TrainOutputs& outputs) const {
  Outcome outcome;
  std::optional<DataShard> shard;
  if (mpi_) shard = shard_of(config.rows);
  outcome.result = train(config, nullptr, nullptr, outputs, shard ? &*shard : nullptr);
  outcome.model = model_from_run(outcome.result, {}, "y", std::nullopt);
  if (outputs.wants_report()) {
    outcome.report = synthetic_report(outcome.result, outputs.loss_curve());
  }
  return outcome;
}

TrainCommand::Outcome TrainCommand::train_on_file(const TrainConfig& config,
                                                  const ReadOptions& read_options,
                                                  TrainOutputs& outputs) const {
  Outcome outcome;
  const auto read_start = std::chrono::steady_clock::now();
  // The GPU's context is created while the data is read (a process of a data-parallel run
  // picks its GPU later).
  std::future<void> context;
  if (config.device == DeviceKind::kCuda && !mpi_) {
    try {
      context = std::async(std::launch::async, start_gpu_context);
    } catch (const std::system_error&) {  // no thread to spare: training creates it
    }
  }
  Dataset training = read_dataset(data_.data, read_options);
  const double read_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - read_start).count();
  if (context.valid()) context.get();
  // A data-parallel run's shares, checked first: a process without rows has no targets either.
  std::optional<DataShard> shard;
  if (mpi_) {
    require_same_data_everywhere(training);
    shard = shard_of(training.file_rows);
  }
  if (!training.has_target()) throw InputError(data_.data + ": no target column");
  outcome.data_line = format_data_line(training, read_seconds);
  // Constant features are named where nothing else fixes their weights: SGD without a penalty
  // (which takes them to 0); not in a data-parallel run, whose processes each read their rows.
  if (notes_) {
    DataOptions::note_column_spreads(
        training, config.solver == Solver::kSgd && config.penalty == Penalty::kNone && !mpi_,
        config.fit_intercept);
  }
  std::optional<Dataset> held_out;
  if (command_->count("--val-fraction") > 0) {
    auto [kept, split_off] = split_validation(training, val_fraction_, config.seed);
    training = std::move(kept);
    held_out = std::move(split_off);
  } else if (!val_data_.empty()) {
    // Its columns matched to the training data's by name, where both have headers; a weight
    // column is read as its weights, a weight file belongs to the training rows alone.
    ReadOptions validation_options = read_options;
    if (weights_from_file(validation_options)) validation_options.sample_weight.clear();
    if (training.named_by_header) {
      // --target and --sample-weight given by name: a validation file without a header has
      // them where the training file did, as evaluate finds a model's target.
      const bool target_by_name = read_options.target == training.target_name;
      if (target_by_name) validation_options.target.clear();
      DataOptions::for_model(validation_options, training.feature_names, training.target_name,
                             /*reads_target=*/true,
                             target_by_name ? training.target_column : std::nullopt);
      validation_options.weight_column_without_header = training.weight_column;
    }
    held_out = read_dataset(val_data_, validation_options);
    if (notes_) DataOptions::note_ignored_columns(*held_out);
    // Checked now, not after a long run.
    if (!held_out->has_target()) throw InputError(val_data_ + ": no target column");
    // One column short: a feature's, or the target's (the last column then taken for it):
    // counted as columns, not as a feature short.
    if (held_out->features + 1 == training.features && validation_options.target.empty()) {
      throw InputError(val_data_ + " has " + std::to_string(held_out->features) +
                       (held_out->features == 1 ? " feature column" : " feature columns") +
                       " and a target but " + data_.data + " has " +
                       std::to_string(training.features) +
                       " features: one column is missing (the target, if these are the "
                       "features" +
                       (training.target_column ? ")" : ": it goes last)"));
    }
    if (held_out->features != training.features) {
      throw InputError(
          val_data_ + " has " + std::to_string(held_out->features) +
          (held_out->features == 1 ? " feature column but " : " feature columns but ") +
          data_.data + " has " + std::to_string(training.features));
    }
  }
  std::optional<Standardization> statistics;
  std::optional<Dataset> validation;  // as training sees it: standardized alike
  if (held_out) validation = *held_out;
  if (standardize_) {
    // A data-parallel run's statistics are of every process's rows. Without an intercept the
    // features are scaled, not centered (centering would add an intercept to the model).
    const SumAcross sum_across = [this](double* values, int64_t count) {
      mpi_->sum_doubles(values, count);
    };
    statistics =
        fit_standardization(training, config.fit_intercept, mpi_ ? sum_across : SumAcross{});
    standardize(*statistics, training);
    if (validation) standardize(*statistics, *validation);
  }
  if (shard) {
    outcome.result = train(config, &training, nullptr, outputs, &*shard);
  } else {
    outcome.result = train(config, &training, validation ? &*validation : nullptr, outputs);
  }
  Model& model = outcome.model;
  model = model_from_run(outcome.result, training.feature_names, training.target_name, statistics);
  model.named_features = training.named_by_header;
  model.target_column = training.target_column;
  model.weight_column = training.weight_column;
  if (command_->count("--val-fraction") > 0) model.validation_fraction = val_fraction_;
  if (held_out) {
    const std::vector<double> predictions = predict(model, *held_out);
    // Weighted as the objective is, when the rows have weights.
    outcome.validation = regression_metrics(predictions, held_out->y, held_out->sample_weights);
    model.metrics["validation_rows"] = static_cast<double>(outcome.validation->rows);
    model.metrics["validation_mse"] = outcome.validation->mse;
    model.metrics["validation_r2"] = outcome.validation->r2;
    if (outputs.wants_report()) {
      outcome.report = real_data_report(outcome.result, outputs.loss_curve(), predictions,
                                        held_out->y, "validation rows");
    }
  } else if (outputs.wants_report()) {
    Model as_trained = model;  // `training` is already standardized
    as_trained.standardization.reset();
    outcome.report =
        real_data_report(outcome.result, outputs.loss_curve(), predict(as_trained, training),
                         training.y, mpi_ ? "process 0's training rows" : "training rows");
  }
  return outcome;
}

}  // namespace linsgd::cli
