// Data-parallel runs in one process: K threads stand for the K processes of `linsgd train
// --distributed`, each training on its share of the rows through the public API, their sums and
// averages made by a barrier that adds the K arrays in process order (as MPI's reduce on process
// 0 does). Exact properties the MPI test (tests/distributed_test.py) can only bound:
// - summing every step, K processes end as the lone gemv run up to the order of addition, with
//   --lr auto's rate too; the exact solver's parts of the normal equations summed give the lone
//   solution;
// - local SGD (sync_every N) averages after every N-th step and at the end (ceil(steps / N)
//   averagings), whether N fits in a chunk or not (a prime N past the chunk too), the processes'
//   models differing before each averaging and equal, bit for bit, after;
// - how the steps are split into chunks (evaluations for a curve) changes no draw: the same
//   model with and without evaluations;
// - a stop asked of one process stops all after the same chunk, and one between averagings
//   still ends with one model;
// - one process with sync_every is the lone run, bit for bit.
// And one property of the GPU path a machine without a GPU can check: NCCL is loaded by the first
// call that asks for a GPU group, not with liblinsgd, nor by training on the CPU.
#include <gtest/gtest.h>
#include <link.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "core/process_gpu.hpp"
#include "linsgd/dataset.hpp"
#include "linsgd/errors.hpp"
#include "linsgd/trainer.hpp"
#include "option_sets.hpp"
#include "test_support.hpp"

namespace linsgd {
namespace {

// K threads' rendezvous: each brings an array, all get the K arrays' sum (added in process
// order, in float or double as given) or their average (the sum times 1 / K, as MpiSession
// does). Records, for float arrays, what each process brought to each combination.
class ThreadGroup {
 public:
  explicit ThreadGroup(int size)
      : size_(size), arrival_(size), brought_(size), averagings_(size, 0) {}

  template <class T>
  void combine(int rank, T* values, int64_t count, bool average) {
    std::unique_lock<std::mutex> lock(mutex_);
    const int64_t round = round_;
    if constexpr (std::is_same_v<T, float>) {
      brought_[rank].emplace_back(values, values + count);
      if (average) ++averagings_[rank];
    }
    std::vector<double>& slot = arrival_[rank];
    slot.assign(values, values + count);
    if (++arrived_ == size_) {
      result_.assign(static_cast<size_t>(count), 0.0);
      std::vector<T> sum(static_cast<size_t>(count), T(0));
      for (int r = 0; r < size_; ++r) {
        for (int64_t i = 0; i < count; ++i) sum[i] += static_cast<T>(arrival_[r][i]);
      }
      if (average) {
        for (T& value : sum) value *= T(1) / static_cast<T>(size_);
      }
      result_.assign(sum.begin(), sum.end());
      arrived_ = 0;
      ++round_;
      changed_.notify_all();
    } else {
      changed_.wait(lock, [&] { return round_ != round; });
    }
    for (int64_t i = 0; i < count; ++i) values[i] = static_cast<T>(result_[i]);
  }

  // The shard of process `rank` of `rows` rows: sums and averages through this group.
  DataShard shard(int rank, int64_t rows, int64_t sync_every) {
    const RowShare share{rank, size_};
    DataShard shard;
    shard.first_row = share.first_row(rows);
    shard.rows = share.row_count(rows);
    shard.total_rows = rows;
    shard.index = rank;
    shard.processes = size_;
    shard.sync_every = sync_every;
    shard.sum_floats = [this, rank](float* v, int64_t n) { combine(rank, v, n, false); };
    shard.sum_doubles = [this, rank](double* v, int64_t n) { combine(rank, v, n, false); };
    shard.average_floats = [this, rank](float* v, int64_t n) { combine(rank, v, n, true); };
    return shard;
  }

  int averagings(int rank) const { return averagings_[rank]; }
  // The float arrays process `rank` brought, in order.
  const std::vector<std::vector<float>>& brought(int rank) const { return brought_[rank]; }

 private:
  int size_;
  std::mutex mutex_;
  std::condition_variable changed_;
  int arrived_ = 0;
  int64_t round_ = 0;
  std::vector<std::vector<double>> arrival_;
  std::vector<double> result_;
  std::vector<std::vector<std::vector<float>>> brought_;
  std::vector<int> averagings_;
};

Dataset rows_of(const Dataset& data, int64_t first, int64_t count) {
  Dataset share = data;
  share.rows = count;
  share.X.assign(data.X.begin() + first * data.features,
                 data.X.begin() + (first + count) * data.features);
  share.y.assign(data.y.begin() + first, data.y.begin() + first + count);
  if (data.has_sample_weights()) {
    share.sample_weights.assign(data.sample_weights.begin() + first,
                                data.sample_weights.begin() + first + count);
  }
  return share;
}

// Trains `processes` threads on their shares of `data`; returns each one's result.
std::vector<TrainResult> train_together(const TrainConfig& config, const Dataset& data,
                                        int processes, int64_t sync_every, ThreadGroup& group,
                                        const TrainHooks& extra = {}) {
  std::vector<TrainResult> results(static_cast<size_t>(processes));
  std::vector<DataShard> shards;
  for (int rank = 0; rank < processes; ++rank) {
    shards.push_back(group.shard(rank, data.rows, sync_every));
  }
  std::vector<std::thread> threads;
  for (int rank = 0; rank < processes; ++rank) {
    threads.emplace_back([&, rank] {
      TrainHooks hooks = extra;
      hooks.shard = &shards[rank];
      const Dataset share = rows_of(data, shards[rank].first_row, shards[rank].rows);
      results[rank] = train_on_data(config, share, hooks);
    });
  }
  for (std::thread& thread : threads) thread.join();
  return results;
}

TrainConfig cpu_config() {
  TrainConfig config;
  config.device = DeviceKind::kCpu;
  config.engine = Engine::kGemv;
  config.threads = 1;
  config.batch_size = 8;
  config.steps = 700;  // chunks of 256, 256 and 188 steps
  config.learning_rate = 0.02;
  config.momentum = 0.3;
  return config;
}

TEST(DataParallel, SummingEveryStepIsTheLoneRunUpToTheOrderOfAddition) {
  // With sample weights too: --lr auto weighs each process's rows by the weights over all the
  // processes' mean.
  for (const auto& [auto_rate, weighted] :
       {std::pair{false, false}, {true, false}, {false, true}, {true, true}}) {
    Dataset data = testing::regression_data(301, 6, 11);
    if (weighted) data.sample_weights = testing::integer_weights(data.rows, 3);
    TrainConfig config = cpu_config();
    config.learning_rate_auto = auto_rate;
    const TrainResult lone = train_on_data(config, data);
    for (const int processes : {2, 3}) {
      SCOPED_TRACE(std::to_string(processes) + " processes, auto rate " +
                   std::to_string(auto_rate) + ", weighted " + std::to_string(weighted));
      ThreadGroup group(processes);
      const std::vector<TrainResult> results = train_together(config, data, processes, 0, group);
      for (const TrainResult& result : results) {
        EXPECT_EQ(result.weights, results[0].weights);  // one update everywhere
        EXPECT_NEAR(result.config.learning_rate, lone.config.learning_rate,
                    1e-6 * lone.config.learning_rate);
        EXPECT_TRUE(testing::all_close(result.weights, lone.weights, 1e-6, 1e-5));
        EXPECT_TRUE(testing::all_close(result.loss_history, lone.loss_history, 1e-6, 1e-5));
      }
    }
  }
}

TEST(DataParallel, TheExactSolverSumsThePartsOfTheNormalEquations) {
  const Dataset data = testing::regression_data(301, 6, 16);
  TrainConfig config = cpu_config();
  config.solver = Solver::kExact;
  config.penalty = Penalty::kL2;
  config.alpha = 0.01;
  config.momentum = 0.0;
  const TrainResult lone = train_on_data(config, data);
  for (const int processes : {2, 3}) {
    ThreadGroup group(processes);
    const std::vector<TrainResult> results = train_together(config, data, processes, 0, group);
    for (const TrainResult& result : results) {
      EXPECT_TRUE(testing::all_close(result.weights, lone.weights, 1e-6, 1e-6)) << processes;
      // (The objective from float weights and float predictions: to float rounding.)
      EXPECT_NEAR(result.objective, lone.objective, 1e-7 * lone.objective) << processes;
    }
  }
}

TEST(DataParallel, LocalSgdAveragesEveryNStepsAndAtTheEnd) {
  const Dataset data = testing::regression_data(301, 6, 12);
  const TrainConfig config = cpu_config();
  // 1 and 7 fit in a chunk (256 steps); 300 and the prime 257 do not.
  for (const int64_t every : {1, 7, 300, 257}) {
    SCOPED_TRACE("sync every " + std::to_string(every));
    ThreadGroup group(2);
    const std::vector<TrainResult> results = train_together(config, data, 2, every, group);
    const int64_t expected = (config.steps + every - 1) / every;
    EXPECT_EQ(group.averagings(0), expected);
    EXPECT_EQ(group.averagings(1), expected);
    // The models drift apart between averagings (each its own rows) and are one after.
    EXPECT_NE(group.brought(0).back(), group.brought(1).back());
    EXPECT_EQ(results[0].weights, results[1].weights);
    EXPECT_EQ(results[0].bias, results[1].bias);
    // And the model learned the data: near the lone run's.
    const TrainResult lone = train_on_data(config, data);
    EXPECT_TRUE(testing::all_close(results[0].weights, lone.weights, 0.05, 0.0));
  }
}

TEST(DataParallel, LocalSgdDrawsTheSameHoweverTheStepsAreChunked) {
  // Evaluations for a curve end chunks every 100 steps (instead of 256), or every 300 (chunks
  // counted from its multiples): the same model, and evaluations at those very steps.
  const Dataset data = testing::regression_data(301, 6, 13);
  TrainConfig config = cpu_config();
  for (const auto& [every, eval_every] :
       {std::pair<int64_t, int64_t>{10, 100}, {10, 300}, {257, 514}}) {
    SCOPED_TRACE("sync every " + std::to_string(every) + ", eval every " +
                 std::to_string(eval_every));
    ThreadGroup plain_group(2), curve_group(2);
    const std::vector<TrainResult> plain = train_together(config, data, 2, every, plain_group);
    TrainConfig evaluated = config;
    evaluated.eval_every = eval_every;
    std::mutex mutex;
    std::vector<int64_t> evaluated_at;
    TrainHooks curve;
    curve.on_evaluation = [&](const Evaluation& evaluation) {
      const std::lock_guard<std::mutex> lock(mutex);
      evaluated_at.push_back(evaluation.step);
    };
    const std::vector<TrainResult> curved =
        train_together(evaluated, data, 2, every, curve_group, curve);
    EXPECT_EQ(curved[0].weights, plain[0].weights);
    EXPECT_EQ(curved[0].bias, plain[0].bias);
    EXPECT_EQ(curved[1].loss_history, plain[1].loss_history);
    ASSERT_FALSE(evaluated_at.empty());
    for (const int64_t step : evaluated_at) {
      EXPECT_TRUE(step % eval_every == 0 || step == config.steps) << step;
    }
  }
}

TEST(DataParallel, LocalSgdStoppedBetweenAveragingsEndsWithOneModel) {
  // Averaging every 300 steps, chunks of 256: a stop after the first chunk, asked of one process
  // only (a Ctrl-C reaching one), stops both there, between averagings, and makes one then.
  const Dataset data = testing::regression_data(301, 6, 14);
  ThreadGroup group(2);
  TrainHooks stop_after_first_chunk;
  std::atomic<bool> asked{false};
  stop_after_first_chunk.stop_requested = [&asked] { return !asked.exchange(true); };
  const std::vector<TrainResult> results =
      train_together(cpu_config(), data, 2, 300, group, stop_after_first_chunk);
  EXPECT_TRUE(results[0].interrupted);
  EXPECT_EQ(results[0].steps_done, 256);
  EXPECT_EQ(results[1].steps_done, 256);
  EXPECT_EQ(group.averagings(0), 1);
  EXPECT_EQ(results[0].weights, results[1].weights);
  EXPECT_EQ(results[0].bias, results[1].bias);
}

TEST(DataParallel, OneProcessWithSyncEveryIsTheLoneRun) {
  const Dataset data = testing::regression_data(301, 6, 15);
  TrainConfig config = cpu_config();
  config.tol = 1e-3;  // evaluations, at their own steps
  config.n_iter_no_change = 2;
  config.eval_every = 0;
  const TrainResult lone = train_on_data(config, data);
  ThreadGroup group(1);
  const std::vector<TrainResult> one = train_together(config, data, 1, 7, group);
  EXPECT_EQ(one[0].weights, lone.weights);
  EXPECT_EQ(one[0].loss_history, lone.loss_history);
  EXPECT_EQ(one[0].steps_done, lone.steps_done);
}

// Whether a shared object whose path contains `name` is loaded in this process.
bool library_loaded(const std::string& name) {
  struct Search {
    const std::string& name;
    bool found = false;
  } search{name};
  dl_iterate_phdr(
      [](dl_phdr_info* info, size_t, void* data) {
        auto& wanted = *static_cast<Search*>(data);
        if (info->dlpi_name != nullptr &&
            std::string(info->dlpi_name).find(wanted.name) != std::string::npos) {
          wanted.found = true;
        }
        return 0;
      },
      &search);
  return search.found;
}

// The processes of a machine take its GPUs in turn: under a launcher that gives each process GPUs
// of its own (CUDA_VISIBLE_DEVICES per process, srun --gpus-per-task), one of its own. Processes
// that end on one GPU of one machine are found from the names every process adds to a sum.
TEST(DataParallel, EachProcessOfAMachineTakesAGpuOfItsOwn) {
  EXPECT_EQ(process_gpu(0, 4), 0);
  EXPECT_EQ(process_gpu(3, 4), 3);
  EXPECT_EQ(process_gpu(1, 1), 0);  // srun --gpus-per-task=1: each process sees its own
  EXPECT_EQ(process_gpu(3, 2), 1);  // --gpus-per-task=2, or too many processes: see below
  EXPECT_THROW(process_gpu(0, 0), UsageError);
  // Four processes on two machines, as each names itself into the sum: "a" runs processes 0
  // and 2, "b" 1 and 3; GPU bus ids as CUDA spells them.
  const auto identities = [](const std::vector<std::pair<std::string, std::string>>& placed) {
    std::vector<double> sum(2 * placed.size(), 0.0);
    for (size_t k = 0; k < placed.size(); ++k) {
      std::vector<double> mine(sum.size(), 0.0);
      mine[2 * k] = identity_hash(placed[k].first) + 1.0;
      mine[2 * k + 1] = identity_hash(placed[k].second);
      for (size_t i = 0; i < sum.size(); ++i) sum[i] += mine[i];
    }
    return sum;
  };
  EXPECT_FALSE(first_shared_gpu(identities({{"a", "0000:3B:00.0"},
                                            {"b", "0000:3B:00.0"},
                                            {"a", "0000:5E:00.0"},
                                            {"b", "0000:5E:00.0"}})));
  const auto shared = first_shared_gpu(identities({{"a", "0000:3B:00.0"},
                                                   {"b", "0000:3B:00.0"},
                                                   {"a", "0000:5E:00.0"},
                                                   {"a", "0000:3B:00.0"}}));
  ASSERT_TRUE(shared);
  EXPECT_EQ(*shared, std::make_pair(0, 3));
  EXPECT_NE(identity_hash("0000:3B:00.0"), identity_hash("0000:5E:00.0"));
}

TEST(DataParallel, NcclIsLoadedOnlyWhenAGpuGroupIsAsked) {
  // ctest runs each test in a process of its own, so this is the process as it started: a
  // linked NCCL would be loaded with liblinsgd (and, in a Python process, shadow PyTorch's).
  EXPECT_FALSE(library_loaded("libnccl"));
  const TrainResult run = train_on_data(cpu_config(), testing::regression_data(301, 6, 15));
  EXPECT_GT(run.steps_done, 0);
  EXPECT_FALSE(library_loaded("libnccl"));
  if (!gpu_groups_available()) {
    GTEST_SKIP() << "no NCCL to load here (a build without it, or none installed)";
  }
  EXPECT_TRUE(library_loaded("libnccl"));
}

}  // namespace
}  // namespace linsgd
