// linsgd's benchmark binary (Google Benchmark). For every shape of shapes.json, every backend
// present (CPU; CUDA when a GPU is) and every engine that serves the shape, it times runs of
// `steps` SGD steps on resident synthetic data (manual time: CUDA events on the GPU, a steady
// clock on the CPU; each repeat after a warm-up run) and reports per step: microseconds,
// steps/s, samples/s, and the bandwidth of the batch rows a step must read (B x d x 4 bytes).
// It also times a large device-to-device (or host memcpy) copy, the bandwidth reference; per
// shape, the CPU's read floor (reading the B rows a step samples, and nothing else); and for the
// post's shape a whole run including the copy-back of the loss history. With
// LINSGD_BENCH_SWEEP=1 it also sweeps the fused GPU kernel's block count (--fused-blocks) on
// the post, tall and wide shapes, times the kernel's experiments beside it, profiles where their
// steps spend their time and probes the primitives they are built from
// (benchmarks/sweep_fused_blocks.sh).
#include <benchmark/benchmark.h>
#include <cblas.h>
#include <cuda_runtime.h>

#include <cstdlib>
#include <cstring>
#include <functional>
#include <iterator>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "core/sgd_loop.hpp"
#include "cpu/host_exec.hpp"
#include "cuda/cuda_device.hpp"
#include "cuda/cuda_exec.hpp"
#include "gpu_probes.hpp"
#include "kernels/batch_split_sgd.cuh"
#include "kernels/fused_sgd.cuh"
#include "linsgd/errors.hpp"
#include "linsgd/trainer.hpp"
#include "linsgd/version.hpp"
#include "shapes.hpp"
#include "timing.hpp"

namespace linsgd::bench {
namespace {

// Data for one shape stays resident across that shape's benchmarks; the largest shape would
// otherwise be generated once per engine.
template <class Exec>
struct ResidentShape {
  std::string name;
  ResidentData<Exec> data;
  ResidentTruth<Exec> truth;
};

// One cached shape per policy; released before exit, while the CUDA runtime is still up.
template <class Exec>
std::unique_ptr<ResidentShape<Exec>>& resident_cache() {
  static std::unique_ptr<ResidentShape<Exec>> cached;
  return cached;
}

template <class Exec>
ResidentData<Exec>& resident(Exec& exec, const Shape& shape) {
  std::unique_ptr<ResidentShape<Exec>>& cached = resident_cache<Exec>();
  if (!cached || cached->name != shape.name) {
    cached.reset();  // free the previous shape first
    cached = std::make_unique<ResidentShape<Exec>>();
    cached->name = shape.name;
    generate_synthetic(exec, shape.rows, shape.features, 7, cached->data, cached->truth);
  }
  return cached->data;
}

TrainConfig config_for(const Shape& shape, Engine engine, int64_t steps, int fused_blocks) {
  TrainConfig config;
  config.fused_blocks = fused_blocks;
  config.rows = shape.rows;
  config.features = shape.features;
  config.batch_size = shape.batch;
  config.steps = steps;
  config.engine = engine;
  // Small enough to stay finite on every shape; the figure of merit here is time, not loss.
  config.learning_rate = 0.2 / static_cast<double>(shape.features);
  return config;
}

void set_step_counters(benchmark::State& state, const Shape& shape, int64_t steps) {
  const double batch_bytes = 4.0 * static_cast<double>(shape.batch * shape.features);
  state.counters["steps"] = static_cast<double>(steps);
  state.counters["batch_bytes"] = batch_bytes;
  state.counters["us_per_step"] = benchmark::Counter(
      static_cast<double>(steps) * 1e-6,
      benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
  state.counters["steps_per_s"] =
      benchmark::Counter(static_cast<double>(steps), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["samples_per_s"] = benchmark::Counter(
      static_cast<double>(steps * shape.batch), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["batch_GBps"] = benchmark::Counter(static_cast<double>(steps) * batch_bytes * 1e-9,
                                                    benchmark::Counter::kIsIterationInvariantRate);
}

// A warm-up run of `config` (from config_for, its engine resolved) with the engine's `plan` on
// the shape's resident data, then one timed run per iteration, timed by `time(work)`. A run
// copies its losses back at its checkpoints (every 4096 steps, and at the end), as a user's run
// does.
template <class Exec, class Time>
void time_loop(benchmark::State& state, Exec& exec, const ResidentData<Exec>& data,
               const TrainConfig& config, const FusedPlan& plan, Time&& time) {
  SgdLoop<Exec> loop(exec, data, config, plan);
  const auto ignore = [](int64_t, const std::vector<float>&) {};
  loop.run(ignore);
  for (auto _ : state) state.SetIterationTime(time([&] { loop.run(ignore); }));
}

bool skip_without_gpu(benchmark::State& state) {
  if (cuda_device_available()) return false;
  state.SkipWithError("no CUDA GPU");
  return true;
}

// The fused engine as the trainer plans it, the feature split's kept kernel, or one of the
// experiments timed beside it.
enum class FusedVariant {
  kPlan,                // plan_fused_gpu: what a run takes (the batch split for tall and big-batch)
  kKept,                // plan_fused_gpu_feature_split
  kRuleReadAtRunTime,   // FusedLayout::rule_read_at_run_time
  kCluster,             // FusedLayout::cluster_exchange: one cluster of `fused_blocks`
  kClusterPush,         // and cluster_push
  kDoubleBufferedTile,  // FusedLayout::double_buffered_tile
  kClusterDoubleBufferedTile,       // both
  kBatchSplit,                      // FusedLayout::rows_per_block: blocks own rows of the batch
  kSpread,                          // the kept kernel, one block a multiprocessor
  kClusterSpread,                   // kCluster, one block a multiprocessor
  kRegisterLean,                    // FusedLayout::register_lean
  kWidePartialLoads,                // FusedLayout::partial_loads_in_flight = kFusedPartialLoadsWide
  kDoubleBufferedWidePartialLoads,  // both of those
  kBulkCopy,                        // FusedLayout::bulk_copy, the feature split's grid
  kClusterBulkCopy,                 // and in one cluster of `fused_blocks`
  kDoubleBufferedBulkCopy,          // the grid's, with double_buffered_tile
  kClusterDoubleBufferedBulkCopy,   // the cluster's, with double_buffered_tile
  kBatchSplitBulkCopy,              // the batch split with bulk_copy
  kBatchSplitOneBarrier,            // the batch split with one_barrier
  kBatchSplitOneBarrierBulkCopy,    // the batch split with both
};

// The plan `variant` runs on this GPU with about `fused_blocks` blocks (0: the plan's count).
FusedPlan variant_plan(const CudaExec& exec, const Shape& shape, int fused_blocks,
                       FusedVariant variant) {
  if (variant == FusedVariant::kPlan) {
    return exec.plan_fused(shape.features, shape.batch, fused_blocks);
  }
  const bool push = variant == FusedVariant::kClusterPush;
  const bool spread = variant == FusedVariant::kSpread || variant == FusedVariant::kClusterSpread;
  const bool cluster = push || variant == FusedVariant::kCluster ||
                       variant == FusedVariant::kClusterDoubleBufferedTile ||
                       variant == FusedVariant::kClusterSpread ||
                       variant == FusedVariant::kClusterBulkCopy ||
                       variant == FusedVariant::kClusterDoubleBufferedBulkCopy;
  const bool bulk = variant == FusedVariant::kBulkCopy ||
                    variant == FusedVariant::kClusterBulkCopy ||
                    variant == FusedVariant::kDoubleBufferedBulkCopy ||
                    variant == FusedVariant::kClusterDoubleBufferedBulkCopy ||
                    variant == FusedVariant::kBatchSplitBulkCopy ||
                    variant == FusedVariant::kBatchSplitOneBarrierBulkCopy;
  const bool one_barrier = variant == FusedVariant::kBatchSplitOneBarrier ||
                           variant == FusedVariant::kBatchSplitOneBarrierBulkCopy;
  // The clusters' query also tells whether sm_90 code runs here, which the TMA needs.
  const FusedGpuLimits limits = query_fused_gpu_limits(cluster || bulk);
  if (variant == FusedVariant::kBatchSplit || variant == FusedVariant::kBatchSplitBulkCopy ||
      one_barrier) {
    FusedPlan plan = plan_fused_gpu_batch_split(shape.features, shape.batch, limits, fused_blocks);
    if (one_barrier) plan = with_one_barrier(plan, shape.features);
    return bulk ? with_bulk_copy(plan, shape.features, shape.batch, limits) : plan;
  }
  FusedPlan plan =
      cluster ? plan_fused_gpu_cluster(shape.features, shape.batch, limits, fused_blocks, push)
              : plan_fused_gpu_feature_split(shape.features, shape.batch, limits, fused_blocks);
  plan.layout.rule_read_at_run_time = variant == FusedVariant::kRuleReadAtRunTime;
  plan.layout.register_lean = variant == FusedVariant::kRegisterLean;
  if (variant == FusedVariant::kWidePartialLoads ||
      variant == FusedVariant::kDoubleBufferedWidePartialLoads) {
    plan.layout.partial_loads_in_flight = kFusedPartialLoadsWide;
  }
  if (variant == FusedVariant::kDoubleBufferedTile ||
      variant == FusedVariant::kClusterDoubleBufferedTile ||
      variant == FusedVariant::kDoubleBufferedWidePartialLoads ||
      variant == FusedVariant::kDoubleBufferedBulkCopy ||
      variant == FusedVariant::kClusterDoubleBufferedBulkCopy) {
    plan = with_double_buffered_tile(plan, shape.features, shape.batch, limits);
  }
  if (bulk) plan = with_bulk_copy(plan, shape.features, shape.batch, limits);
  // All the shared memory a block may have: no other block fits beside it on its multiprocessor,
  // so the blocks are spread one a multiprocessor whatever the scheduler would do (a cluster's
  // blocks may otherwise share one).
  if (spread && plan.unavailable.empty()) plan.shared_bytes = limits.shared_bytes_per_block;
  return plan;
}

// Steps on the GPU, timed with CUDA events around SgdLoop::run; the fused engine with about
// `fused_blocks` blocks (0: the plan's choice) as `variant` makes it, the count it ran reported
// as "blocks".
void gpu_steps(benchmark::State& state, Shape shape, Engine engine, int fused_blocks,
               FusedVariant variant) {
  if (skip_without_gpu(state)) return;
  CudaExec exec;
  const FusedPlan plan = variant_plan(exec, shape, fused_blocks, variant);
  if (engine == Engine::kFused) {
    if (!plan.unavailable.empty()) {
      state.SkipWithError(plan.unavailable.c_str());
      return;
    }
    state.counters["blocks"] = plan.layout.blocks;
  }
  EventTimer timer;
  try {
    time_loop(state, exec, resident(exec, shape),
              config_for(shape, engine, shape.gpu_steps, fused_blocks), plan,
              [&](auto&& work) { return timer.seconds(exec.stream(), work); });
  } catch (const Error& error) {  // an experiment this GPU cannot run: its row says why
    state.SkipWithError(error.what());
    return;
  }
  set_step_counters(state, shape, shape.gpu_steps);
}

// The phase profile: gpu_steps' run of `variant` with the kernel that times its steps
// (FusedLayout::phase_clock_sums, the post's rule), reporting besides its own step time each
// phase's time a step ("phase_us:INDEX:NAME", INDEX its place in the step, NAME from
// kFusedPhases or kBatchSplitPhases), averaged over the
// blocks, each block's cycles turned into time by its own clock rate over the loop ("clock_GHz",
// their mean).
void gpu_phases(benchmark::State& state, Shape shape, int fused_blocks, FusedVariant variant) {
  if (skip_without_gpu(state)) return;
  CudaExec exec;
  FusedPlan plan = variant_plan(exec, shape, fused_blocks, variant);
  if (!plan.unavailable.empty()) {
    state.SkipWithError(plan.unavailable.c_str());
    return;
  }
  const int blocks = plan.layout.blocks;
  DeviceBuffer<unsigned long long> sums(static_cast<int64_t>(blocks) * kPhaseClockSlots);
  exec.zero(sums);
  plan.layout.phase_clock_sums = sums.data();
  state.counters["blocks"] = blocks;
  EventTimer timer;
  try {
    time_loop(state, exec, resident(exec, shape),
              config_for(shape, Engine::kFused, shape.gpu_steps, fused_blocks), plan,
              [&](auto&& work) { return timer.seconds(exec.stream(), work); });
  } catch (const Error& error) {
    state.SkipWithError(error.what());
    return;
  }
  set_step_counters(state, shape, shape.gpu_steps);
  // time_loop's warm-up run and its timed ones all added to the sums (the warm-up is one of the
  // dozens of runs Google Benchmark's half second takes).
  const std::vector<unsigned long long> rows = exec.download(sums, sums.size());
  const double steps_run =
      static_cast<double>(shape.gpu_steps) * static_cast<double>(state.iterations() + 1);
  const bool split = plan.layout.batch_split();
  const int phases = split ? kernels::batch_split_phases(plan.layout)
                           : static_cast<int>(std::size(kernels::kFusedPhases));
  std::vector<double> microseconds(static_cast<size_t>(phases), 0.0);
  double ghz = 0.0;
  for (int b = 0; b < blocks; ++b) {
    const unsigned long long* row = rows.data() + static_cast<int64_t>(b) * kPhaseClockSlots;
    if (row[kPhaseClockLoopNanoseconds] == 0) {
      state.SkipWithError("the timed kernel recorded no time");
      return;
    }
    const double cycles_per_ns = static_cast<double>(row[kPhaseClockLoopCycles]) /
                                 static_cast<double>(row[kPhaseClockLoopNanoseconds]);
    ghz += cycles_per_ns / blocks;
    for (int p = 0; p < phases; ++p) {
      microseconds[static_cast<size_t>(p)] +=
          static_cast<double>(row[p]) / cycles_per_ns * 1e-3 / steps_run / blocks;
    }
  }
  for (int p = 0; p < phases; ++p) {
    const char* name = split ? kernels::kBatchSplitPhases[p] : kernels::kFusedPhases[p];
    state.counters["phase_us:" + std::to_string(p) + ":" + name] =
        microseconds[static_cast<size_t>(p)];
  }
  state.counters["clock_GHz"] = ghz;
}

// A primitive's cost (gpu_probes.hpp): one run of `probe`, its nanoseconds a round and the clock.
void gpu_probe(benchmark::State& state, const std::function<ProbeTiming()>& probe) {
  if (skip_without_gpu(state)) return;
  ProbeTiming timing;
  try {
    for (auto _ : state) {
      timing = probe();
      state.SetIterationTime(timing.nanoseconds_per_round * 1e-9);
    }
  } catch (const Error& error) {  // a primitive this GPU or build lacks: its row says why
    state.SkipWithError(error.what());
    return;
  }
  state.counters["ns_per_round"] = timing.nanoseconds_per_round;
  state.counters["clock_GHz"] = timing.clock_ghz;
}

void cpu_steps(benchmark::State& state, Shape shape, Engine engine) {
  HostExec exec(1);
  time_loop(state, exec, resident(exec, shape), config_for(shape, engine, shape.cpu_steps, 0),
            exec.plan_fused(shape.features, shape.batch, 0),
            [](auto&& work) { return wall_seconds(work); });
  state.counters["threads"] = exec.threads();
  set_step_counters(state, shape, shape.cpu_steps);
}

// The floor of a CPU step: reading the B rows it samples from the shape's resident X (the same
// data, rows drawn uniformly as a step draws them), once each, by OpenBLAS's runtime-dispatched
// sdot against a cached vector of ones (its fastest reading kernel), with nothing else a step
// does. Where X fits in cache this is the cache's
// read bandwidth, else the memory's. A step of linsgd over it is the ratio to the floor.
void cpu_read_floor(benchmark::State& state, Shape shape) {
  HostExec exec(1);
  const ResidentData<HostExec>& data = resident(exec, shape);
  const auto d = static_cast<int>(shape.features);
  std::mt19937_64 engine(11);
  std::uniform_int_distribution<int64_t> draw(0, shape.rows - 1);
  std::vector<int64_t> rows(static_cast<size_t>(shape.cpu_steps * shape.batch));
  for (int64_t& row : rows) row = draw(engine);
  const std::vector<float> ones(static_cast<size_t>(d), 1.0f);
  const auto read_all = [&] {
    float total = 0.0f;
    for (const int64_t row : rows) {
      total += cblas_sdot(d, data.X + row * shape.features, 1, ones.data(), 1);
    }
    benchmark::DoNotOptimize(total);
  };
  read_all();  // warm-up, as time_loop's
  for (auto _ : state) state.SetIterationTime(wall_seconds(read_all));
  set_step_counters(state, shape, shape.cpu_steps);
}

// The post's problem end to end on the GPU: 2000 steps and the loss history copied back, as a
// user's run would do (wall clock, so launch overheads count).
void gpu_post_whole_run(benchmark::State& state, Shape shape, Engine engine) {
  if (skip_without_gpu(state)) return;
  CudaExec exec;
  const FusedPlan plan = exec.plan_fused(shape.features, shape.batch, 0);
  if (engine == Engine::kFused && !plan.unavailable.empty()) {
    state.SkipWithError(plan.unavailable.c_str());
    return;
  }
  time_loop(state, exec, resident(exec, shape), config_for(shape, engine, shape.gpu_steps, 0), plan,
            [](auto&& work) { return wall_seconds(work); });
  state.counters["steps"] = static_cast<double>(shape.gpu_steps);
}

// Steps on the GPU with the shape's X and y left in host memory, pinned and mapped
// (DataPlacement::kHostMapped, as --device-memory-limit or data larger than the GPU make them):
// each step's gather reads its sampled rows over the bus. The gemv engine, as such runs use.
void gpu_steps_from_host(benchmark::State& state, Shape shape) {
  if (skip_without_gpu(state)) return;
  HostExec host(1);
  const ResidentData<HostExec>& on_host = resident(host, shape);  // the CPU rows' data
  CudaExec exec;
  ResidentData<CudaExec> mapped;
  mapped.rows = shape.rows;
  mapped.features = shape.features;
  mapped.X = exec.map_host(on_host.X, shape.rows * shape.features, "X");
  mapped.y = exec.map_host(on_host.y, shape.rows, "y");
  mapped.weight_sum = static_cast<double>(shape.rows);
  EventTimer timer;
  time_loop(state, exec, mapped, config_for(shape, Engine::kGemv, shape.gpu_steps, 0),
            exec.plan_fused(shape.features, shape.batch, 0),
            [&](auto&& work) { return timer.seconds(exec.stream(), work); });
  set_step_counters(state, shape, shape.gpu_steps);
}

// The bus's reference: copy_bytes() from pinned host memory to the device per iteration.
void host_to_device_copy(benchmark::State& state) {
  if (skip_without_gpu(state)) return;
  const int64_t bytes = copy_bytes();
  void* pinned = nullptr;
  LINSGD_CUDA_CHECK(cudaMallocHost(&pinned, static_cast<size_t>(bytes)));
  std::memset(pinned, 1, static_cast<size_t>(bytes));
  DeviceBuffer<unsigned char> destination(bytes);
  EventTimer timer;
  for (auto _ : state) {
    state.SetIterationTime(timer.seconds(nullptr, [&] {
      LINSGD_CUDA_CHECK(cudaMemcpyAsync(destination.data(), pinned, static_cast<size_t>(bytes),
                                        cudaMemcpyHostToDevice));
    }));
  }
  LINSGD_CUDA_CHECK(cudaFreeHost(pinned));
  state.counters["h2d_GBps"] = benchmark::Counter(static_cast<double>(bytes) * 1e-9,
                                                  benchmark::Counter::kIsIterationInvariantRate);
}

// The bandwidth reference: copy_bytes() read and as many written, per iteration.
void gpu_copy(benchmark::State& state) {
  if (skip_without_gpu(state)) return;
  const int64_t bytes = copy_bytes();
  DeviceBuffer<unsigned char> source(bytes), destination(bytes);
  LINSGD_CUDA_CHECK(cudaMemset(source.data(), 1, bytes));
  LINSGD_CUDA_CHECK(cudaMemcpy(destination.data(), source.data(), bytes, cudaMemcpyDeviceToDevice));
  EventTimer timer;
  for (auto _ : state) {
    state.SetIterationTime(timer.seconds(nullptr, [&] {
      LINSGD_CUDA_CHECK(
          cudaMemcpyAsync(destination.data(), source.data(), bytes, cudaMemcpyDeviceToDevice));
    }));
  }
  state.counters["copy_GBps"] = benchmark::Counter(2.0 * static_cast<double>(bytes) * 1e-9,
                                                   benchmark::Counter::kIsIterationInvariantRate);
}

void cpu_copy(benchmark::State& state) {
  const auto bytes = static_cast<size_t>(copy_bytes());
  std::vector<unsigned char> source(bytes, 1), destination(bytes, 0);
  for (auto _ : state) {
    state.SetIterationTime(wall_seconds([&] {
      std::memcpy(destination.data(), source.data(), bytes);
      benchmark::ClobberMemory();
    }));
  }
  state.counters["copy_GBps"] = benchmark::Counter(2.0 * static_cast<double>(bytes) * 1e-9,
                                                   benchmark::Counter::kIsIterationInvariantRate);
}

void register_all() {
  benchmark::RegisterBenchmark("copy/cuda", gpu_copy)->UseManualTime()->Iterations(10);
  benchmark::RegisterBenchmark("copy/cpu", cpu_copy)->UseManualTime()->Iterations(5);
  for (const Shape& shape : benchmark_shapes()) {
    benchmark::RegisterBenchmark(("floor/cpu/" + shape.name).c_str(), cpu_read_floor, shape)
        ->UseManualTime()
        ->Unit(benchmark::kMillisecond)
        ->Iterations(shape.name == "post" ? 5 : 2);
    for (Engine engine : {Engine::kGemv, Engine::kFused}) {
      const std::string tag = std::string(to_string(engine)) + "/" + shape.name;
      benchmark::RegisterBenchmark(("steps/cuda/" + tag).c_str(), gpu_steps, shape, engine, 0,
                                   FusedVariant::kPlan)
          ->UseManualTime()
          ->Unit(benchmark::kMillisecond);
      benchmark::RegisterBenchmark(("steps/cpu/" + tag).c_str(), cpu_steps, shape, engine)
          ->UseManualTime()
          ->Unit(benchmark::kMillisecond)
          ->Iterations(shape.name == "post" ? 5 : 2);
      if (shape.name == "post") {
        benchmark::RegisterBenchmark(("whole_run/cuda/" + tag).c_str(), gpu_post_whole_run, shape,
                                     engine)
            ->UseManualTime()
            ->Unit(benchmark::kMillisecond);
      }
    }
  }
}

// The fused kernel's block count, asked for (0: the plan's own) on the shapes it serves, and its
// experiments beside it.
void register_fused_block_sweep() {
  if (!cuda_device_available()) return;
  const int m = query_fused_gpu_limits().multiprocessors;
  for (const Shape& shape : benchmark_shapes()) {
    const auto experiment = [&](const std::string& name, int blocks, FusedVariant variant) {
      const std::string full =
          "sweep/cuda/fused/" + shape.name + "+" + name + "/blocks:" + std::to_string(blocks);
      benchmark::RegisterBenchmark(full.c_str(), gpu_steps, shape, Engine::kFused, blocks, variant)
          ->UseManualTime()
          ->Unit(benchmark::kMillisecond);
    };
    // The gemv engine, what every row is also compared with in the same run.
    benchmark::RegisterBenchmark(("sweep/cuda/fused/" + shape.name + "+gemv/blocks:0").c_str(),
                                 gpu_steps, shape, Engine::kGemv, 0, FusedVariant::kPlan)
        ->UseManualTime()
        ->Unit(benchmark::kMillisecond);
    // The batch split, every shape: a block per multiprocessor (0) and half as many; its
    // experiments: one barrier a step (FusedLayout::one_barrier) at a block per multiprocessor,
    // half and a quarter as many (fewer blocks, fewer partials every block adds); the rows copied
    // by the TMA (bulk_copy); both.
    experiment("batch-split", 0, FusedVariant::kBatchSplit);
    experiment("batch-split", m / 2, FusedVariant::kBatchSplit);
    for (const int blocks : {0, m / 2, m / 4}) {
      experiment("batch-split+one-barrier", blocks, FusedVariant::kBatchSplitOneBarrier);
    }
    experiment("batch-split+bulk-copy", 0, FusedVariant::kBatchSplitBulkCopy);
    for (const int blocks : {0, m / 4}) {
      experiment("batch-split+one-barrier+bulk-copy", blocks,
                 FusedVariant::kBatchSplitOneBarrierBulkCopy);
    }
    if (shape.name == "big-batch") continue;  // beyond the feature split's shared memory
    // The kept kernel around the optimum the full sweep of c699578 found (a quarter of the
    // multiprocessors; 11 to 132 blocks were timed then: benchmarks/NOTES.md); wide runs 91
    // blocks below 132 whatever is asked (its tile sets the count).
    const std::vector<int> counts =
        shape.name == "wide" ? std::vector<int>{0, m} : std::vector<int>{0, m / 6, m / 4, m / 3};
    for (const int blocks : counts) {
      const std::string name =
          "sweep/cuda/fused/" + shape.name + "/blocks:" + std::to_string(blocks);
      benchmark::RegisterBenchmark(name.c_str(), gpu_steps, shape, Engine::kFused, blocks,
                                   FusedVariant::kKept)
          ->UseManualTime()
          ->Unit(benchmark::kMillisecond);
    }
    // The experiments beside the kept kernel, each alone: the post's rule read at run time, not
    // compiled in (FusedLayout::rule_read_at_run_time), at the plan's count; the next step's
    // tile copied during the barrier (FusedLayout::double_buffered_tile), at the plan's count;
    // the blocks in one cluster (FusedLayout::cluster_exchange) of a portable 8 and of Hopper's
    // 16, where the GPU has clusters and they hold the shape; and the cluster of 16 with the
    // double-buffered tile.
    if (shape.name == "post") {
      experiment("rule-read-at-run-time", 0, FusedVariant::kRuleReadAtRunTime);
    }
    // The kernel as c699578 ran it, ptxas keeping it lean with 3 partial loads in flight (sm_90)
    // (FusedLayout::register_lean); 32 partials a round in place of 16, with one tile and two
    // (FusedLayout::partial_loads_in_flight: one round for the post's 32 blocks, not two), where
    // more than 16 blocks exchange.
    experiment("register-lean", 0, FusedVariant::kRegisterLean);
    if (shape.name != "tall") experiment("32-partial-loads", 0, FusedVariant::kWidePartialLoads);
    if (shape.name == "post") {
      experiment("double-buffered-tile+32-partial-loads", 0,
                 FusedVariant::kDoubleBufferedWidePartialLoads);
    }
    experiment("double-buffered-tile", 0, FusedVariant::kDoubleBufferedTile);
    experiment("cluster", 8, FusedVariant::kCluster);
    experiment("cluster", 16, FusedVariant::kCluster);
    experiment("cluster+double-buffered-tile", 16, FusedVariant::kClusterDoubleBufferedTile);
    // The tile copied by the TMA (FusedLayout::bulk_copy), on the grid at the plan's count and
    // in a cluster of 16, with one tile and two.
    experiment("bulk-copy", 0, FusedVariant::kBulkCopy);
    experiment("cluster+bulk-copy", 16, FusedVariant::kClusterBulkCopy);
    experiment("double-buffered-tile+bulk-copy", 0, FusedVariant::kDoubleBufferedBulkCopy);
    experiment("cluster+double-buffered-tile+bulk-copy", 16,
               FusedVariant::kClusterDoubleBufferedBulkCopy);
    // The same with one block a multiprocessor, whatever the block scheduler would pack.
    if (shape.name == "post") {
      experiment("spread", 0, FusedVariant::kSpread);
      experiment("cluster-spread", 16, FusedVariant::kClusterSpread);
    }
  }
  // Where the plan's two splits meet: the post's data at 256 rows a step (the plan splits the
  // features: a 256 x 64 tile a block) and at 512 (it splits the rows: the tile would be past
  // kFusedFasterTileFloats), each split at its plan's count beside gemv.
  for (const Shape& post : benchmark_shapes()) {
    if (post.name != "post") continue;
    for (const int64_t batch : {256, 512}) {
      Shape shape = post;
      shape.name = "post-B" + std::to_string(batch);
      shape.batch = batch;
      const std::string prefix = "sweep/cuda/fused/" + shape.name;
      for (const auto& [name, engine, variant] :
           {std::tuple{"+gemv", Engine::kGemv, FusedVariant::kPlan},
            std::tuple{"", Engine::kFused, FusedVariant::kKept},
            std::tuple{"+batch-split", Engine::kFused, FusedVariant::kBatchSplit}}) {
        benchmark::RegisterBenchmark((prefix + name + "/blocks:0").c_str(), gpu_steps, shape,
                                     engine, 0, variant)
            ->UseManualTime()
            ->Unit(benchmark::kMillisecond);
      }
    }
  }
  // Last, as the one whose fault would trap (its waits are bounded) and end the process: the
  // cluster's partials pushed (FusedLayout::cluster_push), post and tall, 16 blocks.
  for (const Shape& shape : benchmark_shapes()) {
    if (shape.name != "post" && shape.name != "tall") continue;
    benchmark::RegisterBenchmark(
        ("sweep/cuda/fused/" + shape.name + "+cluster-push/blocks:16").c_str(), gpu_steps, shape,
        Engine::kFused, 16, FusedVariant::kClusterPush)
        ->UseManualTime()
        ->Unit(benchmark::kMillisecond);
  }
}

// Where the steps spend their time (gpu_phases), for the kept kernel and the experiments that
// may replace it, and the primitives' costs (gpu_probe): the floors a step's phases stand on.
// Registered after the sweep, run by a second process (sweep_fused_blocks.sh), so that a fault
// here costs no sweep row.
void register_phase_profile_and_probes() {
  if (!cuda_device_available()) return;
  const int m = query_fused_gpu_limits().multiprocessors;
  constexpr int kRounds = 10000;
  const auto probe = [](const std::string& name, std::function<ProbeTiming()> run) {
    benchmark::RegisterBenchmark(("probe/cuda/" + name).c_str(), gpu_probe, std::move(run))
        ->UseManualTime()
        ->Iterations(1);
  };
  probe("block-barrier/threads:256", [] { return probe_block_barrier(256, kRounds); });
  for (const int blocks : {8, 16, 32, m / 2, m}) {
    probe("grid-barrier/blocks:" + std::to_string(blocks),
          [blocks] { return probe_grid_barrier(blocks, kRounds); });
  }
  for (const int blocks : {2, 8, 16}) {
    probe("cluster-barrier-spread/blocks:" + std::to_string(blocks),
          [blocks] { return probe_cluster_barrier(blocks, true, kRounds); });
  }
  probe("cluster-barrier/blocks:16", [] { return probe_cluster_barrier(16, false, kRounds); });
  probe("l2-load/4MiB", [] { return probe_dependent_loads(int64_t{4} << 20, true, kRounds); });
  probe("hbm-load/1GiB", [] { return probe_dependent_loads(int64_t{1} << 30, false, kRounds); });
  probe("remote-shared-load/cluster:2", [] { return probe_remote_shared_loads(kRounds); });

  const auto profile = [&](const Shape& shape, const std::string& name, int blocks,
                           FusedVariant variant) {
    const std::string full = "phase/cuda/fused/" + shape.name + (name.empty() ? "" : "+" + name) +
                             "/blocks:" + std::to_string(blocks);
    benchmark::RegisterBenchmark(full.c_str(), gpu_phases, shape, blocks, variant)
        ->UseManualTime()
        ->Unit(benchmark::kMillisecond);
  };
  for (const Shape& shape : benchmark_shapes()) {
    profile(shape, "batch-split", 0, FusedVariant::kBatchSplit);
    profile(shape, "batch-split+one-barrier", 0, FusedVariant::kBatchSplitOneBarrier);
    // At a quarter of the blocks (the count the sweep asks as 33 on a 132-multiprocessor card),
    // where the one barrier's reads of every block's partials are fewest.
    profile(shape, "batch-split+one-barrier", m / 4, FusedVariant::kBatchSplitOneBarrier);
    profile(shape, "batch-split+bulk-copy", 0, FusedVariant::kBatchSplitBulkCopy);
    if (shape.name == "big-batch") continue;
    profile(shape, "", 0, FusedVariant::kKept);
    profile(shape, "bulk-copy", 0, FusedVariant::kBulkCopy);
    if (shape.name != "post") continue;
    profile(shape, "cluster+bulk-copy", 16, FusedVariant::kClusterBulkCopy);
    profile(shape, "cluster+double-buffered-tile+bulk-copy", 16,
            FusedVariant::kClusterDoubleBufferedBulkCopy);
    profile(shape, "double-buffered-tile", 0, FusedVariant::kDoubleBufferedTile);
    profile(shape, "cluster", 16, FusedVariant::kCluster);
    profile(shape, "cluster-spread", 16, FusedVariant::kClusterSpread);
    profile(shape, "cluster+double-buffered-tile", 16, FusedVariant::kClusterDoubleBufferedTile);
    profile(shape, "cluster-push", 16, FusedVariant::kClusterPush);  // last: its fault traps
  }
}

// Training from host memory (benchmarks/stream_from_host.sh): the bus's copy bandwidth, and the
// tall and big-batch shapes' steps with their data in host memory, beside the same steps on
// device-resident data.
void register_host_streaming() {
  if (!cuda_device_available()) return;
  benchmark::RegisterBenchmark("stream/copy/h2d", host_to_device_copy)
      ->UseManualTime()
      ->Iterations(10);
  for (const Shape& shape : benchmark_shapes()) {
    if (shape.name != "tall" && shape.name != "big-batch") continue;
    benchmark::RegisterBenchmark(("stream/host/" + shape.name).c_str(), gpu_steps_from_host, shape)
        ->UseManualTime()
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("stream/device/" + shape.name).c_str(), gpu_steps, shape,
                                 Engine::kGemv, 0, FusedVariant::kPlan)
        ->UseManualTime()
        ->Unit(benchmark::kMillisecond);
  }
}

}  // namespace
}  // namespace linsgd::bench

int main(int argc, char** argv) {
  linsgd::restart_on_the_cpus_blas_kernels(argv);  // the kernels the command line runs
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  linsgd::bench::register_all();
  const char* sweep = std::getenv("LINSGD_BENCH_SWEEP");
  if (sweep != nullptr && std::string(sweep) == "1") {
    linsgd::bench::register_fused_block_sweep();
    linsgd::bench::register_phase_profile_and_probes();
  }
  const char* stream = std::getenv("LINSGD_BENCH_STREAM");
  if (stream != nullptr && std::string(stream) == "1") linsgd::bench::register_host_streaming();
  benchmark::RunSpecifiedBenchmarks();
  linsgd::bench::resident_cache<linsgd::CudaExec>().reset();
  linsgd::bench::resident_cache<linsgd::HostExec>().reset();
  benchmark::Shutdown();
  return 0;
}
