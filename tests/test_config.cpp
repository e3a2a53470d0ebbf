// Option validation, device parsing and the device-memory refusal: each refusal is a
// UsageError or InputError whose one-line message names the option (or sizes) and the value.
#include <gtest/gtest.h>
#include <sched.h>

#include <cmath>
#include <functional>
#include <string>

#include "core/engine_choice.hpp"
#include "core/memory_plan.hpp"
#include "linsgd/config.hpp"
#include "linsgd/errors.hpp"
#include "linsgd/trainer.hpp"
#include "test_support.hpp"

namespace linsgd {
namespace {

using testing::message_of;

std::string refusal(const std::function<void(TrainConfig&)>& change) {
  TrainConfig config;
  change(config);
  return message_of<UsageError>([&] { validate(config); });
}

TEST(Validate, AcceptsThePostsDefaults) {
  EXPECT_NO_THROW(validate(TrainConfig{}));
}

// --epochs as steps, counted exactly where epochs x rows passes 2^63 (sampling with replacement:
// ceil(epochs x n / B) steps); refused only past --steps' bound, 2^62.
TEST(ResolveForRows, CountsEpochsAsStepsPastTwoTo63Draws) {
  TrainConfig config;
  config.sampling = Sampling::kReplacement;
  config.batch_size = 64;
  config.epochs = 200'000'000'000'000'000;  // x 50 rows: 1e19 draws
  EXPECT_EQ(resolve_for_rows(config, 50).steps, 156'250'000'000'000'000);
  config.sampling = Sampling::kEpoch;  // an epoch is one step of 50 rows
  EXPECT_EQ(resolve_for_rows(config, 50).steps, 200'000'000'000'000'000);
  config.epochs = int64_t{1} << 62;
  EXPECT_THROW(resolve_for_rows(config, 50), UsageError);
}

// Without --eval-every, the rules that act on evaluations get ten in a run shorter than 40960
// steps (at the usual 4096 a 2000-step run would have none), an epoch's with --epochs; a run
// without such a rule keeps 4096 (its chunks, and the GPU graphs, stay as they were).
TEST(ResolveForRows, EvaluatesTenTimesAShortRunThatStopsOrAdaptsOnEvaluations) {
  TrainConfig config;  // 2000 steps
  EXPECT_EQ(resolve_for_rows(config, 4000).eval_every, 4096);
  config.tol = 1e-3;
  EXPECT_EQ(resolve_for_rows(config, 4000).eval_every, 200);
  config.steps = 2001;
  EXPECT_EQ(resolve_for_rows(config, 4000).eval_every, 201);
  config.steps = 1'000'000;
  EXPECT_EQ(resolve_for_rows(config, 4000).eval_every, 4096);
  config.tol.reset();
  config.schedule = Schedule::kAdaptive;
  config.steps = 7;
  EXPECT_EQ(resolve_for_rows(config, 4000).eval_every, 1);
  config.epochs = 3;
  EXPECT_EQ(resolve_for_rows(config, 4000).eval_every, 63);  // ceil(4000 / 64)
}

// The bare --average (from one epoch) past the run's end names the epoch, not a step the user
// never gave.
TEST(ResolveForRows, AveragingFromAnEpochPastTheRunIsRefusedAsAsked) {
  TrainConfig config;
  config.average_from = TrainConfig::kAverageFromOneEpoch;
  config.steps = 20;
  EXPECT_EQ(resolve_for_rows(config, 1000).average_from, 16);  // ceil(1000 / 64)
  config.steps = 16;
  EXPECT_EQ(message_of<UsageError>([&] { resolve_for_rows(config, 1000); }),
            "--average: averaging from one epoch (step 16: 1000 rows in batches of 64) would "
            "start after the run's 16 steps; give it a step, or run longer");
}

TEST(Validate, RefusesEachBadValueByName) {
  EXPECT_EQ(refusal([](TrainConfig& c) { c.rows = 0; }),
            "invalid value for --rows: 0 (must be a positive integer)");
  EXPECT_EQ(refusal([](TrainConfig& c) { c.features = -3; }),
            "invalid value for --features: -3 (must be a positive integer)");
  EXPECT_EQ(refusal([](TrainConfig& c) { c.batch_size = 0; }),
            "invalid value for --batch-size: 0 (must be a positive integer)");
  EXPECT_EQ(refusal([](TrainConfig& c) { c.steps = -1; }),
            "invalid value for --steps: -1 (must be a positive integer)");
  EXPECT_EQ(refusal([](TrainConfig& c) { c.learning_rate = 0.0; }),
            "invalid value for --lr: 0 (must be a positive finite number, or auto)");
  EXPECT_EQ(refusal([](TrainConfig& c) { c.learning_rate = -0.5; }),
            "invalid value for --lr: -0.5 (must be a positive finite number, or auto)");
  EXPECT_EQ(refusal([](TrainConfig& c) { c.learning_rate = NAN; }),
            "invalid value for --lr: nan (must be a positive finite number, or auto)");
  EXPECT_EQ(refusal([](TrainConfig& c) { c.learning_rate = INFINITY; }),
            "invalid value for --lr: inf (must be a positive finite number, or auto)");
  // Rates float cannot hold: 0 (or digits lost) and infinite in the steps.
  EXPECT_EQ(refusal([](TrainConfig& c) { c.learning_rate = 1e-50; }),
            "invalid value for --lr: 1e-50 (must be within float's range, 1.2e-38 to 3.4e38)");
  EXPECT_EQ(refusal([](TrainConfig& c) { c.learning_rate = 1e39; }),
            "invalid value for --lr: 1e+39 (must be within float's range, 1.2e-38 to 3.4e38)");
  EXPECT_EQ(refusal([](TrainConfig& c) { c.warmup = 5; }),  // the schedule is constant
            "invalid value for --warmup: 5 (applies to --schedule cosine)");
  EXPECT_EQ(refusal([](TrainConfig& c) { c.sigma = -1.0; }),
            "invalid value for --sigma: -1 (must be a non-negative finite number)");
  EXPECT_EQ(refusal([](TrainConfig& c) { c.threads = -2; }),
            "invalid value for --threads: -2 (must be 0 (automatic) or more)");
  EXPECT_EQ(refusal([](TrainConfig& c) { c.fused_blocks = -1; }),
            "invalid value for --fused-blocks: -1 (must be 0 (from the shape) or more)");
  EXPECT_EQ(refusal([](TrainConfig& c) {
              c.engine = Engine::kGemv;
              c.fused_blocks = 44;
            }),
            "invalid value for --fused-blocks: 44 (applies to the fused engine, not to --engine "
            "gemv)");
  EXPECT_EQ(refusal([](TrainConfig& c) { c.features = 3000000000LL; }),
            "invalid value for --features: 3000000000 (must be at most 2147483647)");
  EXPECT_EQ(refusal([](TrainConfig& c) {
              c.rows = 2000000000LL;
              c.features = 2000000000LL;
            }),
            "invalid value for --rows: 2000000000 (rows x features must be at most 2^60)");
}

TEST(DeviceKind, OptionsOfTheOtherBackendAreRefused) {
  TrainConfig config;
  config.fused_blocks = 44;
  EXPECT_EQ(message_of<UsageError>([&] { require_options_apply(DeviceKind::kCpu, config); }),
            "--fused-blocks 44: applies to the GPU's fused engine, and this run trains on the CPU");
  EXPECT_NO_THROW(require_options_apply(DeviceKind::kCuda, config));
  config.fused_blocks = 0;
  config.threads = 1;
  EXPECT_EQ(message_of<UsageError>([&] { require_options_apply(DeviceKind::kCuda, config); }),
            "--threads 1: applies to the CPU backend, and this run trains on the GPU (use "
            "--device cpu to train on the CPU)");
  EXPECT_NO_THROW(require_options_apply(DeviceKind::kCpu, config));
  cpu_set_t allowed;
  ASSERT_EQ(sched_getaffinity(0, sizeof(allowed), &allowed), 0);
  const int cores = CPU_COUNT(&allowed);
  config.threads = cores + 1;
  EXPECT_EQ(message_of<UsageError>([&] { require_options_apply(DeviceKind::kCpu, config); }),
            "--threads " + std::to_string(cores + 1) + ": this process may run on " +
                std::to_string(cores) + (cores == 1 ? " core" : " cores") +
                " (more threads than cores only slow the GEMVs down)");
}

// "Every core" is the cores this process may run on (its affinity: taskset, a cpuset), not the
// machine's: with one allowed, one.
TEST(CpuCores, AreTheCoresThisProcessMayRunOn) {
  cpu_set_t allowed;
  ASSERT_EQ(sched_getaffinity(0, sizeof(allowed), &allowed), 0);
  EXPECT_EQ(usable_cpu_cores(), CPU_COUNT(&allowed));
  int first = 0;
  while (!CPU_ISSET(first, &allowed)) ++first;
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(first, &one);
  ASSERT_EQ(sched_setaffinity(0, sizeof(one), &one), 0);  // this thread's
  struct Restore {  // the rest of the suite runs on every allowed core, whatever fails here
    cpu_set_t mask;
    ~Restore() { sched_setaffinity(0, sizeof(mask), &mask); }
  } const restore{allowed};
  EXPECT_EQ(usable_cpu_cores(), 1);
  TrainConfig config;
  config.threads = 2;
  EXPECT_EQ(message_of<UsageError>([&] { require_options_apply(DeviceKind::kCpu, config); }),
            "--threads 2: this process may run on 1 core (more threads than cores only slow the "
            "GEMVs down)");
}

TEST(DeviceKind, ParsesTheThreeNamesAndRefusesOthers) {
  EXPECT_EQ(parse_device_kind("auto"), DeviceKind::kAuto);
  EXPECT_EQ(parse_device_kind("cuda"), DeviceKind::kCuda);
  EXPECT_EQ(parse_device_kind("cpu"), DeviceKind::kCpu);
  EXPECT_EQ(message_of<UsageError>([] { parse_device_kind("gpu"); }),
            "invalid value for --device: gpu (expected auto, cuda or cpu)");
}

TEST(EngineChoice, AutoIsFusedWhereAvailableAndFasterAndFusedNamesWhyNot) {
  const FusedPlan available;  // as the CPU's for a small batch
  FusedPlan unavailable;
  unavailable.unavailable = "the fused engine cannot hold a batch of 8192 x 512 here";
  FusedPlan slower;  // a GPU plan with a large tile
  slower.faster_than_gemv = false;
  EXPECT_EQ(choose_engine(Engine::kAuto, available, 0), Engine::kFused);
  EXPECT_EQ(choose_engine(Engine::kAuto, unavailable, 0), Engine::kGemv);
  EXPECT_EQ(choose_engine(Engine::kAuto, slower, 0), Engine::kGemv);
  EXPECT_EQ(choose_engine(Engine::kFused, slower, 0), Engine::kFused);
  EXPECT_EQ(choose_engine(Engine::kGemv, available, 0), Engine::kGemv);
  EXPECT_EQ(choose_engine(Engine::kFused, available, 0), Engine::kFused);
  EXPECT_EQ(message_of<UsageError>([&] { choose_engine(Engine::kFused, unavailable, 0); }),
            "--engine fused: the fused engine cannot hold a batch of 8192 x 512 here; use "
            "--engine gemv");
  // A block count asked for asks for the fused engine: auto takes it even where it is expected
  // to be slower, and says why it cannot where the plan is unavailable.
  EXPECT_EQ(choose_engine(Engine::kAuto, slower, 44), Engine::kFused);
  EXPECT_EQ(message_of<UsageError>([&] { choose_engine(Engine::kAuto, unavailable, 44); }),
            "--fused-blocks 44: the fused engine cannot hold a batch of 8192 x 512 here");
  EXPECT_EQ(parse_engine("fused"), Engine::kFused);
  EXPECT_EQ(message_of<UsageError>([] { parse_engine("fast"); }),
            "invalid value for --engine: fast (expected auto, gemv or fused)");
}

TEST(MemoryPlan, CountsTheDatasetAndTheStepBuffers) {
  // The post's problem: X alone is 4000 * 2000 * 4 bytes = 30.5 MiB; with the 32 MiB cuBLAS
  // workspace and small buffers the total lies just above 62.5 MiB.
  const TrainConfig post;
  const uint64_t bytes = training_memory_bytes(post, 4000, 2000);
  EXPECT_GT(bytes, uint64_t{4000} * 2000 * 4 + (uint64_t{32} << 20));
  EXPECT_LT(bytes, uint64_t{64} << 20);
  // Doubling the rows doubles X's share (and y's, a float a row, and the predictions', a double).
  EXPECT_NEAR(static_cast<double>(training_memory_bytes(post, 8000, 2000) - bytes),
              8000.0 * 2000 * 4 / 2 + 4000 * (4 + 8), 1.0);
  // A validation set of 1000 rows adds its X, y and predictions; weights add a float a row;
  // epoch sampling its keys, order, sorted keys and sort scratch (5 words a row).
  EXPECT_NEAR(static_cast<double>(training_memory_bytes(post, 4000, 2000, 1000) - bytes),
              1000.0 * (2001 * 4 + 8), 1.0);
  EXPECT_NEAR(static_cast<double>(training_memory_bytes(post, 4000, 2000, 0, true) - bytes),
              4000.0 * 4, 1.0);
  TrainConfig by_epoch;
  by_epoch.sampling = Sampling::kEpoch;
  EXPECT_NEAR(static_cast<double>(training_memory_bytes(by_epoch, 4000, 2000) - bytes), 4000.0 * 20,
              1.0);
}

// The exact solver holds the normal equations, (d + 1)^2 doubles with their right-hand side, and
// a block of rows widened to double (2^23 / (d + 2) rows, at most every row), not the steps'
// buffers; where the equations outweigh the data, the advice is fewer features or SGD.
TEST(MemoryPlan, CountsTheExactSolversNormalEquations) {
  TrainConfig exact;
  exact.solver = Solver::kExact;
  const double data = 4.0 * 5 * 60001 + 8.0 * 5;  // X and y, the predictions
  const double equations = 8.0 * (60001.0 * 60001 + 60001 + 5 * 60002);
  EXPECT_NEAR(static_cast<double>(training_memory_bytes(exact, 5, 60000)),
              data + equations + 4.0 * (5 * 60000 + 6) + (32 << 20), 8.0);
  EXPECT_EQ(shrink_advice(exact, 5, 60000),
            "use fewer features (the normal equations hold (features + 1)^2 doubles), or "
            "--solver sgd");
  EXPECT_EQ(shrink_advice(exact, 1000000, 256), "use fewer rows or features");
  // 2e9 features: equations of 3.2e19 bytes, past 2^64 when counted in integers; held to 2^63.
  EXPECT_GE(training_memory_bytes(exact, 2, 2000000000), uint64_t{1} << 63);
  EXPECT_LT(training_memory_bytes(exact, 2, 2000000000), (uint64_t{1} << 63) + (uint64_t{1} << 36));
  // Tall: the block of 2^23 / 258 rows, not the million.
  const double tall_block = 8.0 * (8388608 / 258) * 258;
  EXPECT_NEAR(static_cast<double>(training_memory_bytes(exact, 1000000, 256)) -
                  4.0 * 1000000 * 257 - 8.0 * 1000000,
              8.0 * (257.0 * 257 + 257) + tall_block + 4.0 * (5 * 256 + 6) + (32 << 20), 8.0);
}

TEST(MemoryPlan, RefusesARunThatDoesNotFitWithBothSizes) {
  EXPECT_NO_THROW(require_device_memory(100, 100, "Test GPU"));
  EXPECT_EQ(message_of<InputError>(
                [] { require_device_memory(uint64_t{12} << 30, uint64_t{19} << 29, "Test GPU"); }),
            "the data and training buffers need 12.0 GiB of GPU memory but Test GPU has 9.5 GiB "
            "free; use fewer rows or features, or --device cpu");
  EXPECT_EQ(
      message_of<InputError>([] { require_host_memory(uint64_t{3} << 30, uint64_t{1} << 30); }),
      "the data and training buffers need 3.0 GiB of host memory but 1.0 GiB is available; "
      "use fewer rows or features");
  // What to make smaller: the batch where its buffers outweigh the data.
  TrainConfig huge_batch;
  huge_batch.batch_size = 1000000000;
  EXPECT_EQ(shrink_advice(huge_batch, 442, 10), "use a smaller --batch-size");
  EXPECT_EQ(shrink_advice(TrainConfig{}, 4000, 2000), "use fewer rows or features");
  EXPECT_EQ(message_of<InputError>([] {
              require_host_memory(uint64_t{3} << 30, uint64_t{1} << 30,
                                  "use a smaller --batch-size");
            }),
            "the data and training buffers need 3.0 GiB of host memory but 1.0 GiB is available; "
            "use a smaller --batch-size");
  EXPECT_GT(available_host_memory(), uint64_t{1} << 20);
  EXPECT_EQ(format_bytes(512), "512 B");
  EXPECT_EQ(format_bytes(3 * 1024 * 1024 + 512 * 1024), "3.5 MiB");
}

TEST(MemoryPlan, DataBeyondTheGpuStayInHostMemoryWhenTheRestFits) {
  constexpr uint64_t kGiB = uint64_t{1} << 30;
  // The whole run fits: on the device.
  EXPECT_EQ(plan_data_placement(10 * kGiB, 8 * kGiB, true, 10 * kGiB, "Test GPU"),
            DataPlacement::kDevice);
  // The data do not, the rest does: host data stay in host memory, mapped.
  EXPECT_EQ(plan_data_placement(10 * kGiB, 8 * kGiB, true, 3 * kGiB, "Test GPU"),
            DataPlacement::kHostMapped);
  // Data already on the device (or generated there) cannot stay on the host.
  EXPECT_EQ(message_of<InputError>(
                [] { plan_data_placement(10 * kGiB, 8 * kGiB, false, 3 * kGiB, "Test GPU"); }),
            "the data and training buffers need 10.0 GiB of GPU memory but Test GPU has 3.0 GiB "
            "free; use fewer rows or features, or --device cpu");
  // Not even the rest fits.
  EXPECT_EQ(message_of<InputError>(
                [] { plan_data_placement(10 * kGiB, 8 * kGiB, true, kGiB, "Test GPU"); }),
            "the training buffers need 2.0 GiB of GPU memory even with the data (8.0 GiB) left "
            "in host memory, but Test GPU has 1.0 GiB free; use a smaller --batch-size, or "
            "--device cpu");
  // The exact solver's: its normal equations.
  TrainConfig exact;
  exact.solver = Solver::kExact;
  EXPECT_EQ(message_of<InputError>([&] {
              plan_data_placement(10 * kGiB, 8 * kGiB, true, kGiB, "Test GPU", kShrinkTheData,
                                  buffers_advice(exact));
            }),
            "the training buffers need 2.0 GiB of GPU memory even with the data (8.0 GiB) left "
            "in host memory, but Test GPU has 1.0 GiB free; use fewer features (the normal "
            "equations hold (features + 1)^2 doubles), or --solver sgd, or --device cpu");
}

TEST(MemoryPlan, ReadsMemAvailableFromMeminfoText) {
  // A line without a unit before it (as HugePages_ lines have) must not shift the reading.
  EXPECT_EQ(mem_available_bytes("MemTotal:       131981020 kB\nHugePages_Total:       0\n"
                                "MemAvailable:   131379572 kB\nCached: 3309648 kB\n"),
            uint64_t{131379572} * 1024);
  EXPECT_EQ(mem_available_bytes("MemAvailable:\t2048 kB"), uint64_t{2048} * 1024);
  EXPECT_EQ(mem_available_bytes("MemTotal:       131981020 kB\n"), std::nullopt);  // absent
  EXPECT_EQ(mem_available_bytes("MemAvailable:   0 kB\n"), std::nullopt);          // not reported
  EXPECT_EQ(mem_available_bytes("MemAvailable:   12x kB\n"), std::nullopt);
  EXPECT_EQ(mem_available_bytes("MemAvailable:   99999999999999999999 kB\n"), std::nullopt);
  EXPECT_EQ(mem_available_bytes(""), std::nullopt);
}

}  // namespace
}  // namespace linsgd
