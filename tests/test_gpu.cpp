// GPU suite (ctest label `gpu`): every kernel against its CPU twin on random data of awkward
// sizes, the device and host cuRAND generators against each other, a whole training run on the
// GPU against the CPU run of the same seed, and the refusal of a run larger than free memory.
// Each test skips when no CUDA device is present.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdlib>
#include <iterator>
#include <limits>
#include <numeric>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "cli_runner.hpp"
#include "core/evaluation.hpp"
#include "core/memory_plan.hpp"
#include "core/rng_plan.hpp"
#include "core/sgd_loop.hpp"
#include "cpu/host_exec.hpp"
#include "cpu/host_kernels.hpp"
#include "cuda/cuda_device.hpp"
#include "cuda/cuda_exec.hpp"
#include "cuda/nccl_group.hpp"
#include "kernels/batch_split_sgd.cuh"
#include "kernels/fused_sgd.cuh"
#include "large_index_data.hpp"
#include "linsgd/errors.hpp"
#include "linsgd/trainer.hpp"
#include "option_sets.hpp"
#include "reference_sgd.hpp"
#include "test_support.hpp"

namespace linsgd {
namespace {

template <class T>
DeviceBuffer<T> to_device(CudaExec& exec, const std::vector<T>& values) {
  DeviceBuffer<T> buffer(static_cast<int64_t>(values.size()));
  exec.upload(buffer, values);
  return buffer;
}

// `data`'s arrays (its weights, if any) copied to the device, and the CUDA view of them: the
// Python package's CuPy or PyTorch input. (Moving the buffers keeps the view's pointers.)
struct DeviceArrays {
  DeviceBuffer<float> X, y, weights;
  DataView view;
};
DeviceArrays to_device(CudaExec& exec, const Dataset& data) {
  DeviceArrays copy{to_device(exec, data.X), to_device(exec, data.y),
                    to_device(exec, data.sample_weights), view_of(data)};
  copy.view.X = copy.X.data();
  copy.view.y = copy.y.data();
  copy.view.sample_weights = data.has_sample_weights() ? copy.weights.data() : nullptr;
  copy.view.memory = MemoryKind::kCuda;
  return copy;
}

// cuRAND's normals come in Box-Muller pairs (r cos a, r sin a) from two uniforms. The host and
// device generators draw the same uniforms, but round the float argument of the angle a
// differently by an ulp or two (seen on an H200: up to 7e-7 radians), which moves
// each output of a pair by up to r x (angle error): a pair's outputs agree to 2e-6 radians times
// its radius r (a tiny output of a long pair moves as much as a large one), plus 1e-6 for the
// rounding of r itself.
::testing::AssertionResult same_normal_pairs(const std::vector<float>& device,
                                             const std::vector<float>& host) {
  if (device.size() != host.size() || host.size() % 2 != 0) {
    return ::testing::AssertionFailure()
           << "sizes " << device.size() << " and " << host.size() << " are not the same even count";
  }
  for (size_t i = 0; i < host.size(); ++i) {
    const size_t pair = i - i % 2;
    const double radius = std::hypot(double{host[pair]}, double{host[pair + 1]});
    const double difference = std::abs(double{device[i]} - double{host[i]});
    if (difference > 2e-6 * radius + 1e-6) {
      return ::testing::AssertionFailure()
             << "[" << i << "] device " << device[i] << " vs host " << host[i] << " (pair radius "
             << radius << ", difference " << difference << ")";
    }
  }
  return ::testing::AssertionSuccess();
}

using testing::Shape;
using testing::shape_name;

class GpuKernels : public ::testing::TestWithParam<Shape> {};

TEST_P(GpuKernels, DrawsBecomeTheCpusRows) {
  LINSGD_SKIP_WITHOUT_GPU();
  const auto [rows, features, batch] = GetParam();
  (void)features;
  std::vector<uint32_t> cpu = testing::random_bits(3 * batch, 3);
  CudaExec exec;
  auto d_rows = to_device(exec, cpu);
  // Offset as a data-parallel process's share (local SGD) maps them.
  host_kernels::rows_from_draws(cpu.data(), 3 * batch, rows, 17);
  exec.rows_from_draws(d_rows.data(), 3 * batch, rows, 17);
  EXPECT_TRUE(testing::all_close(exec.download(d_rows, 3 * batch), cpu, 0.0, 0.0));
}

TEST_P(GpuKernels, GatherMatchesItsCpuTwin) {
  LINSGD_SKIP_WITHOUT_GPU();
  const auto [rows, features, batch] = GetParam();
  const auto X = testing::random_normals(rows * features, 1);
  const auto y = testing::random_normals(rows, 2);
  const auto sampled = testing::random_rows(2 * batch, rows, 3);  // a chunk of two; slot 1 runs
  std::vector<float> bias{0.3f};
  // All the rows; and, as a data-parallel process holds them, the middle third (the rows of
  // the others become zero rows with residual 0).
  const int64_t third = rows / 3;
  for (const auto& [first_row, local_rows] : {std::pair<int64_t, int64_t>{0, -1}, {third, third}}) {
    SCOPED_TRACE("first row " + std::to_string(first_row));
    const int64_t offset = first_row * features;
    std::vector<float> cpu_batch(batch * features, NAN), cpu_residual(batch, NAN);
    StepArgs cpu = testing::gather_step(rows, features, batch, sampled.data(), X.data() + offset,
                                        y.data() + first_row, bias.data(), cpu_batch.data(),
                                        cpu_residual.data());
    cpu.first_row = first_row;
    cpu.local_rows = local_rows;
    host_kernels::gather_batch(cpu, 1);

    CudaExec exec;
    auto d_X = to_device(exec, X);
    auto d_y = to_device(exec, y);
    auto d_sampled = to_device(exec, sampled);
    auto d_bias = to_device(exec, bias);
    DeviceBuffer<float> d_batch(batch * features), d_residual(batch);
    StepArgs gpu = testing::gather_step(rows, features, batch, d_sampled.data(),
                                        d_X.data() + offset, d_y.data() + first_row, d_bias.data(),
                                        d_batch.data(), d_residual.data());
    gpu.first_row = first_row;
    gpu.local_rows = local_rows;
    exec.gather_batch(gpu, 1);
    // A copy: bit-identical.
    EXPECT_TRUE(testing::all_close(exec.download(d_batch, batch * features), cpu_batch, 0.0, 0.0));
    EXPECT_TRUE(testing::all_close(exec.download(d_residual, batch), cpu_residual, 0.0, 0.0));
  }
}

// The rules the update and derive kernels are compared under: the post's, and every option's.
std::vector<std::pair<std::string, StepRule>> rules_to_compare(int64_t rows, int64_t batch) {
  std::vector<std::pair<std::string, StepRule>> rules;
  rules.emplace_back("post", StepRule{});
  StepRule general;
  general.loss = Loss::kHuber;
  general.epsilon = 0.3f;
  general.l2 = 0.01f;
  general.l1 = 0.002f;
  general.momentum = 0.9f;
  general.nesterov = true;
  general.schedule = Schedule::kInvScaling;
  general.total_steps = 100;
  general.average_from = 2;
  general.epoch_sampling = true;
  general.steps_per_epoch = (rows + batch - 1) / batch;
  general.weighted = true;
  general.weight_scale = 0.8;
  general.plain_data = false;
  general.plain_update = false;
  rules.emplace_back("huber-elasticnet-nesterov-invscaling-average-epoch-weighted", general);
  for (const Loss loss : {Loss::kEpsilonInsensitive, Loss::kSquaredEpsilonInsensitive}) {
    StepRule other = general;
    other.loss = loss;
    other.schedule = Schedule::kCosine;
    other.warmup = 3;
    other.nesterov = false;
    rules.emplace_back(to_string(loss), other);
  }
  return rules;
}

TEST_P(GpuKernels, DeriveAndUpdateMatchTheirCpuTwinsUnderEveryRule) {
  LINSGD_SKIP_WITHOUT_GPU();
  const auto [rows, features, batch] = GetParam();
  for (const auto& [name, rule] : rules_to_compare(rows, batch)) {
    // Step 7 of the run: the last of an epoch when the epoch takes 8 steps (a short batch).
    const int64_t step = 7;
    auto gradient = testing::random_normals(features, 4, 10.0f);
    auto residual = testing::random_normals(batch, 5);
    auto cpu_w = testing::random_normals(features, 6);
    auto cpu_velocity = testing::random_normals(features + 1, 7);
    auto cpu_average = testing::random_normals(features + 1, 8);
    const auto weights = testing::random_normals(rows, 9, 0.5f);
    std::vector<float> sample_weights(weights.size());
    for (size_t i = 0; i < weights.size(); ++i) sample_weights[i] = std::abs(weights[i]);
    const auto sampled = testing::random_rows(batch, rows, 10);
    std::vector<float> cpu_bias{-0.25f}, cpu_history(4, 0.0f), cpu_derivative(batch),
        cpu_loss_terms(batch);
    int64_t cpu_counter = step;
    const std::vector<double> learning_rate{0.01};

    StepArgs cpu = testing::update_step(features, batch, learning_rate.data(), gradient.data(),
                                        residual.data(), cpu_w.data(), cpu_bias.data(),
                                        cpu_history.data(), 4, &cpu_counter);
    cpu.rows = rows;
    cpu.rule = rule;
    cpu.sampled_rows = sampled.data();
    cpu.sample_weights = rule.weighted ? sample_weights.data() : nullptr;
    cpu.velocity = cpu_velocity.data();
    cpu.average = cpu_average.data();
    cpu.derivative = cpu_derivative.data();
    cpu.loss_terms = cpu_loss_terms.data();

    CudaExec exec;
    auto d_gradient = to_device(exec, gradient);
    auto d_residual = to_device(exec, residual);
    auto d_w = to_device(exec, cpu_w);
    auto d_velocity = to_device(exec, cpu_velocity);
    auto d_average = to_device(exec, cpu_average);
    auto d_weights = to_device(exec, sample_weights);
    auto d_sampled = to_device(exec, sampled);
    auto d_bias = to_device(exec, cpu_bias);
    auto d_history = to_device(exec, cpu_history);
    auto d_counter = to_device(exec, std::vector<int64_t>{cpu_counter});
    auto d_learning_rate = to_device(exec, learning_rate);
    auto d_blocks_done = to_device(exec, std::vector<unsigned>{0});
    DeviceBuffer<float> d_derivative(batch), d_loss_terms(batch);
    StepArgs gpu = cpu;
    gpu.gradient = d_gradient.data();
    gpu.residual = d_residual.data();
    gpu.weights = d_w.data();
    gpu.velocity = d_velocity.data();
    gpu.average = d_average.data();
    gpu.sample_weights = rule.weighted ? d_weights.data() : nullptr;
    gpu.sampled_rows = d_sampled.data();
    gpu.bias = d_bias.data();
    gpu.loss_history = d_history.data();
    gpu.step_counter = d_counter.data();
    gpu.learning_rate = d_learning_rate.data();
    gpu.blocks_done = d_blocks_done.data();
    gpu.derivative = d_derivative.data();
    gpu.loss_terms = d_loss_terms.data();

    if (!rule.plain_data) {
      host_kernels::derive(cpu, 0);
      exec.derive(gpu, 0);
      // The same float formulas per row: bit-identical.
      EXPECT_TRUE(testing::all_close(exec.download(d_derivative, batch), cpu_derivative, 0.0, 0.0))
          << name;
      EXPECT_TRUE(testing::all_close(exec.download(d_loss_terms, batch), cpu_loss_terms, 0.0, 0.0))
          << name;
    }
    host_kernels::sgd_update(cpu);
    exec.sgd_update(gpu);
    // The same unfused float formula per weight (multiply_add_unfused): bit-identical. The double
    // sums differ only in summation order.
    EXPECT_TRUE(testing::all_close(exec.download(d_w, features), cpu_w, 0.0, 0.0)) << name;
    EXPECT_TRUE(
        testing::all_close(exec.download(d_velocity, features + 1), cpu_velocity, 1e-6, 1e-5))
        << name;
    EXPECT_TRUE(testing::all_close(exec.download(d_average, features + 1), cpu_average, 1e-6, 1e-5))
        << name;
    EXPECT_TRUE(testing::all_close(exec.download(d_bias, 1), cpu_bias, 1e-7, 1e-6)) << name;
    EXPECT_TRUE(testing::all_close(exec.download(d_history, 4), cpu_history, 1e-7, 1e-6)) << name;
    EXPECT_EQ(exec.download(d_counter, 1)[0], cpu_counter) << name;
    EXPECT_EQ(exec.download(d_blocks_done, 1)[0], 0u) << name << ": the last block resets it";
  }
}

TEST_P(GpuKernels, GemvMatchesTheCpuBlasInBothLayouts) {
  LINSGD_SKIP_WITHOUT_GPU();
  const auto [rows, features, batch] = GetParam();
  (void)rows;
  const auto X_batch = testing::random_normals(batch * features, 7);
  const auto w = testing::random_normals(features, 8);
  const auto r = testing::random_normals(batch, 9);
  HostExec host(1);
  std::vector<float> cpu_predictions = r, cpu_gradient(features);
  host.gemv(GemvOp::kTrans, features, batch, X_batch.data(), w.data(), 1.0f,
            cpu_predictions.data());
  host.gemv(GemvOp::kNoTrans, features, batch, X_batch.data(), r.data(), 0.0f, cpu_gradient.data());
  CudaExec exec;
  auto d_X = to_device(exec, X_batch);
  auto d_w = to_device(exec, w);
  auto d_r = to_device(exec, r);
  auto d_predictions = to_device(exec, r);
  DeviceBuffer<float> d_gradient(features);
  exec.gemv(GemvOp::kTrans, features, batch, d_X.data(), d_w.data(), 1.0f, d_predictions.data());
  exec.gemv(GemvOp::kNoTrans, features, batch, d_X.data(), d_r.data(), 0.0f, d_gradient.data());
  // Dot products of up to 2000 terms of size ~1: rounding ~ sqrt(terms) * 6e-8 * magnitude.
  EXPECT_TRUE(testing::all_close(exec.download(d_predictions, batch), cpu_predictions, 1e-4, 1e-5));
  EXPECT_TRUE(testing::all_close(exec.download(d_gradient, features), cpu_gradient, 1e-4, 1e-5));
}

// An evaluation's dot products, in double on both sides: the same to double rounding (the lanes
// add in another order than HostExec's four running sums).
TEST_P(GpuKernels, PredictionsInDoubleMatchTheirCpuTwin) {
  LINSGD_SKIP_WITHOUT_GPU();
  const int64_t rows = GetParam().rows, features = GetParam().features;
  const auto X = testing::random_normals(rows * features, 21);
  const auto w = testing::random_normals(features, 22);
  HostExec host(1);
  std::vector<double> expected(static_cast<size_t>(rows));
  host.predict_in_double(rows, features, X.data(), w.data(), expected.data());
  CudaExec exec;
  auto d_X = to_device(exec, X);
  auto d_w = to_device(exec, w);
  DeviceBuffer<double> d_predictions(rows);
  exec.predict_in_double(rows, features, d_X.data(), d_w.data(), d_predictions.data());
  const std::vector<double> found = exec.download(d_predictions, rows);
  for (int64_t i = 0; i < rows; ++i) {
    double magnitude = 0.0;  // of the products: what the rounding is relative to
    for (int64_t j = 0; j < features; ++j) magnitude += std::abs(X[i * features + j] * w[j]);
    ASSERT_NEAR(found[i], expected[i], 1e-14 * magnitude + 1e-300) << "row " << i;
  }
}

TEST_P(GpuKernels, FullLossSumMatchesItsCpuTwin) {
  LINSGD_SKIP_WITHOUT_GPU();
  const auto rows = GetParam().rows;
  const auto normals = testing::random_normals(rows, 10);
  const std::vector<double> predictions(normals.begin(), normals.end());
  const auto y = testing::random_normals(rows, 11);
  const std::vector<float> bias{0.7f};
  CudaExec exec;
  auto d_p = to_device(exec, predictions);
  auto d_y = to_device(exec, y);
  auto d_b = to_device(exec, bias);
  const double cpu =
      host_kernels::residual_square_sum(rows, predictions.data(), bias.data(), y.data());
  EXPECT_NEAR(exec.residual_square_sum(rows, d_p.data(), d_b.data(), d_y.data()), cpu, 1e-12 * cpu);
  // The objective's sums: each loss, weighted; the norms of w.
  const auto weights = testing::random_normals(rows, 12);
  auto d_weights = to_device(exec, weights);
  for (const Loss loss : {Loss::kSquared, Loss::kHuber, Loss::kEpsilonInsensitive,
                          Loss::kSquaredEpsilonInsensitive}) {
    const double expected = host_kernels::weighted_loss_sum(rows, predictions.data(), bias.data(),
                                                            y.data(), weights.data(), loss, 0.3);
    EXPECT_NEAR(exec.weighted_loss_sum(rows, d_p.data(), d_b.data(), d_y.data(), d_weights.data(),
                                       loss, 0.3),
                expected, 1e-12 * std::abs(expected) + 1e-12)
        << to_string(loss);
  }
  const auto [squares, absolutes] = host_kernels::norm_sums(weights.data(), rows);
  const auto [d_squares, d_absolutes] = exec.norm_sums(d_weights.data(), rows);
  EXPECT_NEAR(d_squares, squares, 1e-12 * squares);
  EXPECT_NEAR(d_absolutes, absolutes, 1e-12 * absolutes);
}

TEST_P(GpuKernels, EpochOrderIsTheCpusStableSortByKey) {
  LINSGD_SKIP_WITHOUT_GPU();
  const int64_t rows = GetParam().rows;
  // Keys with many ties (32 values): ties keep the row order on both.
  std::vector<uint32_t> keys = testing::random_bits(rows, 13);
  for (uint32_t& key : keys) key %= 32;
  std::vector<uint32_t> cpu(rows);
  HostExec host(1);
  host.make_key_sorter(rows).order(keys.data(), cpu.data());
  CudaExec exec;
  auto d_keys = to_device(exec, keys);
  DeviceBuffer<uint32_t> d_order(rows);
  auto sorter = exec.make_key_sorter(rows);
  sorter.order(d_keys.data(), d_order.data());
  EXPECT_TRUE(testing::all_close(exec.download(d_order, rows), cpu, 0.0, 0.0));
}

INSTANTIATE_TEST_SUITE_P(AwkwardSizes, GpuKernels,
                         ::testing::Values(Shape{4000, 2000, 64}, Shape{37, 33, 1}, Shape{5, 1, 17},
                                           Shape{100, 257, 300}, Shape{3, 70000, 5}),
                         shape_name);

TEST(GpuRandom, DeviceAndHostGeneratorsDrawTheSameNumbers) {
  LINSGD_SKIP_WITHOUT_GPU();
  CudaExec exec;
  HostExec host(1);
  RandomGenerator d_gen = exec.make_generator(77), h_gen = host.make_generator(77);
  constexpr int64_t kCount = 64 * 256 + 2;
  DeviceBuffer<uint32_t> d_bits(kCount);
  DeviceBuffer<float> d_normals(kCount);
  std::vector<uint32_t> h_bits(kCount);
  std::vector<float> h_normals(kCount);
  d_gen.uniform_bits(d_bits.data(), kCount);
  h_gen.uniform_bits(h_bits.data(), kCount);
  d_gen.normal(d_normals.data(), kCount, 0.0f, 1.0f);
  h_gen.normal(h_normals.data(), kCount, 0.0f, 1.0f);
  EXPECT_TRUE(testing::all_close(exec.download(d_bits, kCount), h_bits, 0.0, 0.0));
  EXPECT_TRUE(same_normal_pairs(exec.download(d_normals, kCount), h_normals));
}

TEST(GpuRandom, SyntheticDataMatchesTheHostGeneration) {
  LINSGD_SKIP_WITHOUT_GPU();
  constexpr int64_t kRows = 333, kFeatures = 65;
  CudaExec exec;
  HostExec host(1);
  ResidentData<CudaExec> d_data;
  ResidentTruth<CudaExec> d_truth;
  ResidentData<HostExec> h_data;
  ResidentTruth<HostExec> h_truth;
  generate_synthetic(exec, kRows, kFeatures, 5, d_data, d_truth);
  generate_synthetic(host, kRows, kFeatures, 5, h_data, h_truth);
  // X is drawn as even_count(n x d) normals: compare whole pairs, the padding one included.
  const int64_t x_count = rng_plan::even_count(kRows * kFeatures);
  const std::vector<float> h_X(h_data.X, h_data.X + x_count);
  const std::vector<float> h_y(h_data.y, h_data.y + kRows);
  EXPECT_TRUE(same_normal_pairs(exec.download(d_data.X_storage, x_count), h_X));
  EXPECT_TRUE(testing::all_close(exec.download(d_data.y_storage, kRows), h_y, 1e-4, 1e-5));
  EXPECT_EQ(exec.download(d_truth.bias, 1)[0], h_truth.bias[0]);
}

class GpuEngines : public ::testing::TestWithParam<Engine> {};

TEST_P(GpuEngines, PostRunMatchesTheCpuRunOfTheSameSeed) {
  LINSGD_SKIP_WITHOUT_GPU();
  TrainConfig config;  // the post's problem, 2000 steps
  config.seed = 2024;
  config.device = DeviceKind::kCuda;
  config.engine = GetParam();
  const TrainResult gpu = train_synthetic(config);
  config.device = DeviceKind::kCpu;
  const TrainResult cpu = train_synthetic(config);
  EXPECT_EQ(gpu.backend, DeviceKind::kCuda);
  EXPECT_EQ(gpu.config.engine, GetParam());
  EXPECT_TRUE(testing::all_close(gpu.loss_history, cpu.loss_history, 1e-7, 1e-4));
  EXPECT_TRUE(testing::all_close(gpu.weights, cpu.weights, 1e-6, 1e-4));
  EXPECT_NEAR(gpu.full_loss, cpu.full_loss, 1e-4 * cpu.full_loss);
  RecordProperty("gpu_full_loss", std::to_string(gpu.full_loss));
  RecordProperty("gpu_train_seconds", std::to_string(gpu.train_seconds));
}

TEST_P(GpuEngines, AwkwardShapesMatchTheCpu) {
  LINSGD_SKIP_WITHOUT_GPU();
  // d = 1, B = 1, B > n, d not a multiple of 4 (one-float copies) or of 32, uneven feature
  // slices, a 512-row batch (2 passes of the feature split's rows, in 5 blocks), a 4096-row
  // batch (the batch split: 32 rows a block), 541 rows of 10000 features (past 512 rows, but
  // too long for the batch split: the feature split in 100 blocks), slices wider than a block's
  // 256 threads; the learning rate keeps lr x d / B well below 2. 300 steps = chunks of 256 and
  // 44.
  for (const auto& [rows, features, batch, learning_rate] :
       {std::tuple{50, 1, 7, 0.002}, std::tuple{777, 129, 1, 0.002}, std::tuple{9, 70, 25, 0.002},
        std::tuple{300, 2001, 64, 0.002}, std::tuple{600, 40, 512, 0.002},
        std::tuple{5000, 40, 4096, 0.002}, std::tuple{600, 10000, 541, 0.002},
        std::tuple{20, 70001, 5, 1e-6}}) {
    TrainConfig config;
    config.rows = rows;
    config.features = features;
    config.batch_size = batch;
    config.steps = 300;
    config.learning_rate = learning_rate;
    config.engine = GetParam();
    config.device = DeviceKind::kCuda;
    const TrainResult gpu = train_synthetic(config);
    config.device = DeviceKind::kCpu;
    const TrainResult cpu = train_synthetic(config);
    EXPECT_TRUE(testing::all_close(gpu.loss_history, cpu.loss_history, 1e-7, 1e-4))
        << rows << " x " << features << ", B " << batch;
    EXPECT_TRUE(testing::all_close(gpu.weights, cpu.weights, 1e-6, 1e-4))
        << rows << " x " << features << ", B " << batch;
    EXPECT_NEAR(gpu.bias, cpu.bias, 1e-5 + 1e-4 * std::abs(cpu.bias));
  }
}

TEST_P(GpuEngines, SameSeedIsBitIdenticalOnTheGpu) {
  LINSGD_SKIP_WITHOUT_GPU();
  TrainConfig config;
  config.device = DeviceKind::kCuda;
  config.engine = GetParam();
  config.steps = 500;
  const TrainResult a = train_synthetic(config);
  const TrainResult b = train_synthetic(config);
  EXPECT_TRUE(testing::all_close(a.loss_history, b.loss_history, 0.0, 0.0));
  EXPECT_TRUE(testing::all_close(a.weights, b.weights, 0.0, 0.0));
}

std::string engine_name(const ::testing::TestParamInfo<Engine>& engine) {
  return to_string(engine.param);
}

INSTANTIATE_TEST_SUITE_P(Engines, GpuEngines, ::testing::Values(Engine::kGemv, Engine::kFused),
                         engine_name);

// Every option combination, both engines: the GPU run follows the CPU run of the same seed up to
// float rounding (the GPU's GEMVs and reductions sum in other orders).
class GpuOptions : public ::testing::TestWithParam<std::tuple<testing::Options, Engine>> {};

TEST_P(GpuOptions, RunsMatchTheCpuRunOfTheSameSeed) {
  LINSGD_SKIP_WITHOUT_GPU();
  const auto& [options, engine] = GetParam();
  Dataset data = testing::regression_data(203, 12, 7);
  if (options.weighted) data.sample_weights = testing::integer_weights(data.rows, 8);
  TrainConfig config;
  config.engine = engine;
  config.batch_size = 16;
  config.steps = 300;
  config.learning_rate = 0.02;
  config.seed = 3;
  options.apply(config);
  config.device = DeviceKind::kCuda;
  const TrainResult gpu = train_on_data(config, data);
  config.device = DeviceKind::kCpu;
  const TrainResult cpu = train_on_data(config, data);
  EXPECT_EQ(gpu.config.engine, engine);
  EXPECT_TRUE(testing::all_close(gpu.loss_history, cpu.loss_history, 1e-6, 1e-4));
  EXPECT_TRUE(testing::all_close(gpu.weights, cpu.weights, 1e-5, 1e-4));
  EXPECT_NEAR(gpu.bias, cpu.bias, 1e-5 + 1e-4 * std::abs(cpu.bias));
  EXPECT_NEAR(gpu.objective, cpu.objective, 1e-5 * cpu.objective);
}

INSTANTIATE_TEST_SUITE_P(Combinations, GpuOptions,
                         ::testing::Combine(::testing::ValuesIn(testing::kOptionSets),
                                            ::testing::Values(Engine::kGemv, Engine::kFused)),
                         testing::options_name);

TEST(GpuFit, AutoRateExactSolverAndStoppingMatchTheCpu) {
  LINSGD_SKIP_WITHOUT_GPU();
  Dataset data = testing::regression_data(2000, 50, 9);
  data.sample_weights = testing::integer_weights(data.rows, 10);
  TrainConfig config;
  config.penalty = Penalty::kL2;
  config.alpha = 0.01;
  config.solver = Solver::kExact;
  config.device = DeviceKind::kCuda;
  const TrainResult gpu_exact = train_on_data(config, data);
  config.device = DeviceKind::kCpu;
  const TrainResult cpu_exact = train_on_data(config, data);
  EXPECT_TRUE(testing::all_close(gpu_exact.weights, cpu_exact.weights, 1e-6, 1e-5));
  EXPECT_NEAR(gpu_exact.bias, cpu_exact.bias, 1e-6);
  // Without an intercept: the bias's equations pinned to b = 0 in the device's Gram matrix.
  config.fit_intercept = false;
  config.device = DeviceKind::kCuda;
  const TrainResult gpu_origin = train_on_data(config, data);
  config.device = DeviceKind::kCpu;
  const TrainResult cpu_origin = train_on_data(config, data);
  EXPECT_TRUE(testing::all_close(gpu_origin.weights, cpu_origin.weights, 1e-6, 1e-5));
  EXPECT_EQ(gpu_origin.bias, 0.0f);
  config.fit_intercept = true;

  // --lr auto: each backend's Lanczos iteration within its 0.1 % of the eigenvalue (with and
  // without the bias's column).
  config.solver = Solver::kSgd;
  config.learning_rate_auto = true;
  config.steps = 10;
  double cpu_rate = 0.0;  // with the intercept (the last), for the runs below
  for (const bool intercept : {false, true}) {
    config.fit_intercept = intercept;
    config.device = DeviceKind::kCuda;
    const double gpu_rate = train_on_data(config, data).learning_rate;
    config.device = DeviceKind::kCpu;
    cpu_rate = train_on_data(config, data).learning_rate;
    EXPECT_NEAR(gpu_rate, cpu_rate, 3e-3 * cpu_rate) << intercept;
  }

  // Epoch sampling with evaluations across epochs and the tol rule, at a fixed rate.
  config.learning_rate_auto = false;
  config.learning_rate = 0.5 * cpu_rate;
  config.sampling = Sampling::kEpoch;
  config.epochs = 50;
  config.tol = 1e-6;
  config.eval_every = 31;  // an epoch is 32 steps: evaluations cross epochs
  config.device = DeviceKind::kCuda;
  const TrainResult gpu = train_on_data(config, data);
  config.device = DeviceKind::kCpu;
  const TrainResult cpu = train_on_data(config, data);
  EXPECT_EQ(gpu.stopped_by, cpu.stopped_by);
  EXPECT_EQ(gpu.steps_done, cpu.steps_done);
  EXPECT_TRUE(testing::all_close(gpu.weights, cpu.weights, 1e-5, 1e-4));
}

// CUDA arrays (the Python package's CuPy and PyTorch input) are trained on in place: the same
// run as the upload of the same host arrays, bit for bit, with weights and a warm start.
TEST(GpuTraining, CudaArraysAreTrainedInPlaceAsTheirUploadIs) {
  LINSGD_SKIP_WITHOUT_GPU();
  Dataset data = testing::regression_data(3000, 40, 12);
  data.sample_weights = testing::integer_weights(data.rows, 5);
  CudaExec exec;
  const DeviceArrays arrays = to_device(exec, data);
  const DataView& on_device = arrays.view;
  const InitialParameters start{std::vector<float>(40, 0.25f), -1.0f};
  for (const Engine engine : {Engine::kGemv, Engine::kFused}) {
    TrainConfig config;
    config.device = DeviceKind::kCuda;
    config.engine = engine;
    config.sampling = Sampling::kEpoch;
    config.epochs = 3;
    config.penalty = Penalty::kL2;
    const DataView on_host = view_of(data);
    const TrainResult uploaded = train_on_view(config, on_host, nullptr, &start);
    const TrainResult in_place = train_on_view(config, on_device, nullptr, &start);
    EXPECT_EQ(in_place.weights, uploaded.weights) << to_string(engine);
    EXPECT_EQ(in_place.bias, uploaded.bias) << to_string(engine);
    EXPECT_TRUE(in_place.weighted);
  }
}

// A warm start that goes on with the schedule from earlier runs (InitialParameters::
// schedule_step and learning_rate_cap, Python's partial_fit) steps on the device as on the CPU,
// both engines; the cap binds (a third of the auto rate).
TEST(GpuTraining, AWarmStartGoesOnWithTheScheduleAsOnTheCpu) {
  LINSGD_SKIP_WITHOUT_GPU();
  const Dataset data = testing::regression_data(3000, 40, 13);
  const DataView view = view_of(data);
  for (const Engine engine : {Engine::kGemv, Engine::kFused}) {
    TrainConfig config;
    config.engine = engine;
    config.sampling = Sampling::kEpoch;
    config.schedule = Schedule::kInvScaling;
    config.epochs = 2;
    config.learning_rate_auto = true;
    config.device = DeviceKind::kCpu;
    const double automatic = train_on_data(config, data).learning_rate;
    const InitialParameters start{std::vector<float>(40, 0.25f), -1.0f, 500, automatic / 3};
    const TrainResult cpu = train_on_view(config, view, nullptr, &start);
    config.device = DeviceKind::kCuda;
    const TrainResult gpu = train_on_view(config, view, nullptr, &start);
    EXPECT_EQ(cpu.learning_rate, automatic / 3);
    EXPECT_EQ(gpu.learning_rate, automatic / 3) << to_string(engine);
    EXPECT_TRUE(testing::all_close(gpu.weights, cpu.weights, 1e-5, 1e-4)) << to_string(engine);
    EXPECT_NEAR(gpu.bias, cpu.bias, 1e-4) << to_string(engine);
  }
}

// CUDA arrays still being written when the run starts, on a stream of their producer's (as
// PyTorch and CuPy write theirs): the run waits for that work, so it trains on the values written,
// not on what the buffers held before (zeros here).
TEST(GpuTraining, CudaArraysStillBeingWrittenAreWaitedFor) {
  LINSGD_SKIP_WITHOUT_GPU();
  const Dataset data = testing::regression_data(3000, 40, 12);
  CudaExec exec;
  DeviceBuffer<float> source_X(data.rows * data.features), source_y(data.rows);
  DeviceBuffer<float> X(data.rows * data.features), y(data.rows);
  exec.upload(source_X, data.X);
  exec.upload(source_y, data.y);
  exec.zero(X);
  exec.zero(y);
  exec.synchronize();
  cudaStream_t producer = nullptr;
  LINSGD_CUDA_CHECK(cudaStreamCreateWithFlags(&producer, cudaStreamNonBlocking));
  // The producer's copies wait behind 300 ms on its stream; enqueuing them returns at once.
  LINSGD_CUDA_CHECK(cudaLaunchHostFunc(
      producer, [](void*) { std::this_thread::sleep_for(std::chrono::milliseconds(300)); },
      nullptr));
  LINSGD_CUDA_CHECK(cudaMemcpyAsync(X.data(), source_X.data(), data.X.size() * sizeof(float),
                                    cudaMemcpyDeviceToDevice, producer));
  LINSGD_CUDA_CHECK(cudaMemcpyAsync(y.data(), source_y.data(), data.y.size() * sizeof(float),
                                    cudaMemcpyDeviceToDevice, producer));
  DataView on_device = view_of(data);
  on_device.X = X.data();
  on_device.y = y.data();
  on_device.memory = MemoryKind::kCuda;
  TrainConfig config;
  config.device = DeviceKind::kCuda;
  config.steps = 200;
  const TrainResult in_place = train_on_view(config, on_device);
  LINSGD_CUDA_CHECK(cudaStreamSynchronize(producer));
  LINSGD_CUDA_CHECK(cudaStreamDestroy(producer));
  const TrainResult uploaded = train_on_view(config, view_of(data));
  EXPECT_EQ(in_place.weights, uploaded.weights);
  EXPECT_EQ(in_place.bias, uploaded.bias);
}

TEST(GpuTraining, ExactSolverNamesDependentFeaturesAndWeighsAZeroFeatureZero) {
  LINSGD_SKIP_WITHOUT_GPU();
  testing::expect_exact_solver_handles_dependent_features(DeviceKind::kCuda);
}

// CUDA arrays' targets and weights are held to the host's rules, checked on the device: the
// first bad row is named, as for a host view.
TEST(GpuTraining, CudaArraysWithUnusableTargetsOrWeightsAreRefused) {
  LINSGD_SKIP_WITHOUT_GPU();
  Dataset data = testing::regression_data(500, 6, 3);
  data.sample_weights = testing::integer_weights(data.rows, 4);
  data.sample_weights[17] = -0.5f;  // the sum stays positive: only the row check finds it
  data.source = "arrays";
  CudaExec exec;
  DeviceArrays arrays = to_device(exec, data);
  const DataView& on_device = arrays.view;
  TrainConfig config;
  config.device = DeviceKind::kCuda;
  config.steps = 10;
  EXPECT_EQ(testing::message_of<InputError>([&] { train_on_view(config, on_device); }),
            "arrays: row 17 (counted from 0): sample weight -0.500000 (must be finite and >= 0)");
  data.y[230] = std::numeric_limits<float>::quiet_NaN();
  exec.upload(arrays.y, data.y);
  EXPECT_EQ(testing::message_of<InputError>([&] { train_on_view(config, on_device); }),
            "arrays: row 230 (counted from 0): the target is NaN (not finite)");
}

TEST(GpuTraining, AskedFusedBlockCountsMatchTheCpu) {
  LINSGD_SKIP_WITHOUT_GPU();
  // --fused-blocks on the post's shape, 300 steps: 1 (raised to 3: one block cannot hold the
  // batch), a third of this card's multiprocessors and all of them (slices rounded to multiples
  // of 4 features may leave a few blocks fewer).
  const int multiprocessors = query_fused_gpu_limits().multiprocessors;
  for (const int blocks : {1, std::max(1, multiprocessors / 3), multiprocessors}) {
    TrainConfig config;
    config.steps = 300;
    config.engine = Engine::kFused;
    config.fused_blocks = blocks;
    config.device = DeviceKind::kCuda;
    const TrainResult gpu = train_synthetic(config);
    config.device = DeviceKind::kCpu;
    config.fused_blocks = 0;  // a GPU option: the CPU refuses it
    const TrainResult cpu = train_synthetic(config);
    EXPECT_TRUE(testing::all_close(gpu.loss_history, cpu.loss_history, 1e-7, 1e-4)) << blocks;
    EXPECT_TRUE(testing::all_close(gpu.weights, cpu.weights, 1e-6, 1e-4)) << blocks;
    EXPECT_NEAR(gpu.bias, cpu.bias, 1e-5 + 1e-4 * std::abs(cpu.bias)) << blocks;
  }
}

TEST(GpuTraining, AResumedRunEndsAsTheRunThatWasNeverStopped) {
  LINSGD_SKIP_WITHOUT_GPU();
  // Both engines, epoch sampling (a state in the middle of an epoch), momentum and averaging:
  // the resumed GPU run equals the uninterrupted GPU run bit for bit.
  Dataset data = testing::regression_data(1003, 24, 41);
  for (const Engine engine : {Engine::kGemv, Engine::kFused}) {
    TrainConfig config;
    config.device = DeviceKind::kCuda;
    config.engine = engine;
    config.batch_size = 32;
    config.steps = 1500;
    config.sampling = Sampling::kEpoch;
    config.momentum = 0.5;
    config.average_from = 400;
    std::vector<TrainingState> states;
    TrainHooks hooks;
    hooks.state_every = 500;
    hooks.on_state = [&](const TrainingState& state) { states.push_back(state); };
    const TrainResult whole = train_on_data(config, data, hooks);
    ASSERT_EQ(states.size(), 2u) << to_string(engine);
    TrainHooks resume;
    resume.resume_from = &states[0];
    const TrainResult resumed = train_on_data(config, data, resume);
    EXPECT_EQ(resumed.weights, whole.weights) << to_string(engine);
    EXPECT_EQ(resumed.bias, whole.bias) << to_string(engine);
    EXPECT_EQ(resumed.loss_history, whole.loss_history) << to_string(engine);
    // A state from a run that evaluated every 100 steps for its curve (chunks of 100, a state
    // after step 500), resumed without the curve (chunks of 256 from step 500: a last chunk of
    // 1000 mod 256 steps, which the uninterrupted run's graphs do not have).
    TrainHooks curve = hooks;
    std::vector<TrainingState> curve_states;
    curve.on_state = [&](const TrainingState& state) { curve_states.push_back(state); };
    curve.on_evaluation = [](const Evaluation&) {};
    TrainConfig evaluated = config;
    evaluated.eval_every = 100;
    train_on_data(evaluated, data, curve);
    ASSERT_FALSE(curve_states.empty());
    EXPECT_EQ(curve_states[0].steps_done, 500);
    resume.resume_from = &curve_states[0];
    const TrainResult resumed_without_curve = train_on_data(evaluated, data, resume);
    EXPECT_EQ(resumed_without_curve.weights, whole.weights) << to_string(engine);
    EXPECT_EQ(resumed_without_curve.loss_history, whole.loss_history) << to_string(engine);
  }
}

// The GPU twin of CpuEngines.ChunksCutAtEvaluationsChangeNoDraw: cuRAND on the device draws the
// same however the steps are cut into chunks, for both engines.
TEST(GpuTraining, ChunksCutAtEvaluationsChangeNoDraw) {
  LINSGD_SKIP_WITHOUT_GPU();
  for (const Engine engine : {Engine::kGemv, Engine::kFused}) {
    testing::expect_chunks_cut_at_evaluations_change_no_draw(DeviceKind::kCuda, engine);
  }
}

// What a fused run of `config` on resident `data` with the given plan ends with: its batch losses,
// its model (the running averages once averaging has begun, as a run returns them) and its last
// iterate (the model itself without averaging).
struct FusedOutcome {
  std::vector<float> losses, weights, iterate_weights;
  float bias = 0.0f, iterate_bias = 0.0f;
};
FusedOutcome run_fused(CudaExec& exec, const ResidentData<CudaExec>& data,
                       const TrainConfig& config, const FusedPlan& plan) {
  FusedOutcome outcome;
  if (!plan.unavailable.empty()) {
    ADD_FAILURE() << plan.unavailable;
    return outcome;
  }
  SgdLoop<CudaExec> loop(exec, data, config, plan);
  outcome.losses = testing::run_collecting_losses(loop);
  const auto steps = static_cast<int64_t>(outcome.losses.size());
  outcome.weights = exec.download_from(loop.model_weights_data(steps), data.features);
  outcome.bias = exec.download_from(loop.model_bias_data(steps), 1)[0];
  outcome.iterate_weights = loop.weights();
  outcome.iterate_bias = loop.bias();
  // It trained: the last tenth of the batch losses below the first tenth, on average.
  if (outcome.losses.size() != static_cast<size_t>(config.steps)) {
    ADD_FAILURE() << outcome.losses.size() << " losses for " << config.steps << " steps";
    return outcome;
  }
  const auto tenth = static_cast<std::ptrdiff_t>(config.steps / 10);
  EXPECT_LT(std::accumulate(outcome.losses.end() - tenth, outcome.losses.end(), 0.0),
            std::accumulate(outcome.losses.begin(), outcome.losses.begin() + tenth, 0.0));
  return outcome;
}

// Two fused runs that must give the same floats, bit for bit.
void expect_same_run(const FusedOutcome& a, const FusedOutcome& b) {
  EXPECT_EQ(a.losses, b.losses);
  EXPECT_EQ(a.weights, b.weights);
  EXPECT_EQ(a.bias, b.bias);
  EXPECT_EQ(a.iterate_weights, b.iterate_weights);
  EXPECT_EQ(a.iterate_bias, b.iterate_bias);
}

// The steps of the fused kernel's experiments' tests: `steps`, or 257 (a chunk of 256 and a
// last chunk of one step) when LINSGD_SHORT_GPU_TESTS is set, for the sanitizers, which slow
// the kernels a thousandfold (scripts/gpu_sanitize.sh).
int64_t experiment_steps(int64_t steps) {
  return std::getenv("LINSGD_SHORT_GPU_TESTS") != nullptr ? 257 : steps;
}

// The post's problem on the GPU and its configuration for the fused engine, `steps` steps.
struct PostOnGpu {
  ResidentData<CudaExec> data;
  ResidentTruth<CudaExec> truth;
  TrainConfig config;
  PostOnGpu(CudaExec& exec, int64_t steps) {
    generate_synthetic(exec, 4000, 2000, 42, data, truth);
    config.device = DeviceKind::kCuda;
    config.engine = Engine::kFused;
    config.steps = steps;
  }
};

// 1003 x 40 with sample weights, trained by the fused kernel's general rule (Huber, momentum,
// averaging) in batches of 32, for `steps` steps.
struct GeneralRuleOnGpu {
  ResidentData<CudaExec> data;
  TrainConfig config;
  GeneralRuleOnGpu(CudaExec& exec, int64_t steps) {
    Dataset dataset = testing::regression_data(1003, 40, 41);
    dataset.sample_weights = testing::integer_weights(dataset.rows, 5);
    make_resident(exec, dataset, data);
    config.device = DeviceKind::kCuda;
    config.engine = Engine::kFused;
    config.batch_size = 32;
    config.steps = steps;
    config.loss = Loss::kHuber;
    config.momentum = 0.5;
    config.average_from = 200;
    EXPECT_FALSE(is_post_rule(step_rule(config, data)));
  }
};

// An experiment compiled for the post's rule alone (`plan`, made for 40 features and batches of
// 32) is refused, with a message, when prepared for another rule.
void expect_refused_for_another_rule(CudaExec& exec, const FusedPlan& plan) {
  const GeneralRuleOnGpu general(exec, 10);
  try {
    SgdLoop<CudaExec> loop(exec, general.data, general.config, plan);
    ADD_FAILURE() << "an experiment of the post's rule was prepared for another rule";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("the post's rule only"), std::string::npos)
        << error.what();
  }
}

TEST(GpuTraining, ThePostsRuleCompiledInStepsAsTheRuleReadAtRunTime) {
  LINSGD_SKIP_WITHOUT_GPU();
  // The fused kernel with the post's rule compiled in (what the post's problem runs) against the
  // kernel that reads the rule (FusedLayout::rule_read_at_run_time, the benchmark's
  // experiment): the same floats, bit for bit, across a chunk boundary (300 steps).
  CudaExec exec;
  const PostOnGpu post(exec, 300);
  ASSERT_TRUE(is_post_rule(step_rule(post.config, post.data)));
  FusedPlan plan = exec.plan_fused(2000, 64, 0);
  const FusedOutcome compiled_in = run_fused(exec, post.data, post.config, plan);
  plan.layout.rule_read_at_run_time = true;
  expect_same_run(run_fused(exec, post.data, post.config, plan), compiled_in);
}

TEST(GpuTraining, TheLeanKernelAndWiderRoundsOfPartialsStepAsTheKeptKernel) {
  LINSGD_SKIP_WITHOUT_GPU();
  // The experiments on how a thread loads the blocks' partials: the register-lean kernel
  // (FusedLayout::register_lean, the partials' loads interleaved with their adds) and 32
  // partials a round in place of 16 (partial_loads_in_flight), with one tile and two, against the
  // kept kernel: the same floats, bit for bit, on the post's problem at the plan's count (32 on a
  // 132-multiprocessor H100 or H200: two rounds of 16, one of 32) and at 42 (rounds of 16, 16
  // and 10; of 32 and 10), across a chunk boundary. Another rule is refused with a message.
  // (Which kernel each layout runs is tested without a GPU: tests/test_fused_dispatch.cpp.)
  const FusedGpuLimits limits = query_fused_gpu_limits();
  CudaExec exec;
  const PostOnGpu post(exec, experiment_steps(300));
  for (const int blocks : {0, 44}) {
    const FusedPlan kept = exec.plan_fused(2000, 64, blocks);
    SCOPED_TRACE(std::to_string(kept.layout.blocks) + " blocks");
    ASSERT_GT(kept.layout.blocks, kFusedPartialLoads);
    const FusedOutcome on_kept = run_fused(exec, post.data, post.config, kept);
    FusedPlan lean = kept;
    lean.layout.register_lean = true;
    expect_same_run(run_fused(exec, post.data, post.config, lean), on_kept);
    FusedPlan wide = kept;
    wide.layout.partial_loads_in_flight = kFusedPartialLoadsWide;
    expect_same_run(run_fused(exec, post.data, post.config, wide), on_kept);
    const FusedPlan doubled_wide = with_double_buffered_tile(wide, 2000, 64, limits);
    ASSERT_EQ(doubled_wide.unavailable, "");
    expect_same_run(run_fused(exec, post.data, post.config, doubled_wide), on_kept);
  }
  FusedPlan lean = exec.plan_fused(40, 32, 1);
  lean.layout.register_lean = true;
  expect_refused_for_another_rule(exec, lean);
}

TEST(GpuTraining, AClusterOfBlocksStepsAsTheGridOfTheSameBlocks) {
  LINSGD_SKIP_WITHOUT_GPU();
  // The cluster experiments (FusedLayout::cluster_exchange): the blocks' partials read through
  // distributed shared memory under the cluster's barrier, or pushed into every block's shared
  // memory under transaction barriers (cluster_push), against the grid of the same blocks (the
  // same slices) through global memory under the grid barrier: the same floats, bit for bit,
  // across chunk boundaries. The post's problem in clusters of 8 and 16 blocks (the compiled-in
  // rule), and the general rule in 5.
  const FusedGpuLimits limits = query_fused_gpu_limits(true);
  if (limits.max_cluster_blocks == 0) GTEST_SKIP() << "this GPU has no thread-block clusters";
  CudaExec exec;
  {
    const PostOnGpu post(exec, experiment_steps(300));
    for (const int blocks : {8, 16}) {
      SCOPED_TRACE("post, " + std::to_string(blocks) + " blocks");
      if (limits.max_cluster_blocks < blocks) continue;  // the general rule runs in 5
      const FusedPlan grid = exec.plan_fused(2000, 64, blocks);
      const FusedOutcome on_grid = run_fused(exec, post.data, post.config, grid);
      for (const bool push : {false, true}) {
        SCOPED_TRACE(push ? "pushed" : "read");
        const FusedPlan cluster = plan_fused_gpu_cluster(2000, 64, limits, blocks, push);
        ASSERT_EQ(cluster.layout.blocks, blocks);
        ASSERT_EQ(grid.layout.slice, cluster.layout.slice);
        expect_same_run(run_fused(exec, post.data, post.config, cluster), on_grid);
      }
    }
  }
  SCOPED_TRACE("huber, weighted, momentum, averaging");
  const GeneralRuleOnGpu general(exec, experiment_steps(600));
  const FusedOutcome on_grid =
      run_fused(exec, general.data, general.config, exec.plan_fused(40, 32, 8));
  for (const bool push : {false, true}) {
    SCOPED_TRACE(push ? "pushed" : "read");
    const FusedPlan cluster = plan_fused_gpu_cluster(40, 32, limits, 8, push);  // 5 blocks of 8
    ASSERT_EQ(cluster.layout.blocks, 5);
    expect_same_run(run_fused(exec, general.data, general.config, cluster), on_grid);
  }
}

TEST(GpuTraining, ADoubleBufferedTileStepsAsOneTile) {
  LINSGD_SKIP_WITHOUT_GPU();
  // The experiment of FusedLayout::double_buffered_tile (the next step's copies in flight during
  // the barrier) against the same plan with one tile: the same floats, bit for bit. The post's
  // problem at the plan's count and, where the GPU has clusters, in a cluster of 16 (read and
  // pushed); the general rule in 5 blocks, 513 steps (a last chunk of one step).
  const FusedGpuLimits limits = query_fused_gpu_limits(true);
  CudaExec exec;
  const auto expect_same_as_one_tile = [&](const ResidentData<CudaExec>& data,
                                           const TrainConfig& config, const FusedPlan& plan) {
    const FusedPlan doubled =
        with_double_buffered_tile(plan, data.features, config.batch_size, limits);
    ASSERT_TRUE(doubled.layout.double_buffered_tile);
    expect_same_run(run_fused(exec, data, config, doubled), run_fused(exec, data, config, plan));
  };
  {
    const PostOnGpu post(exec, experiment_steps(300));
    SCOPED_TRACE("post, the plan's blocks");
    expect_same_as_one_tile(post.data, post.config, exec.plan_fused(2000, 64, 0));
    if (limits.max_cluster_blocks >= 16) {
      for (const bool push : {false, true}) {
        SCOPED_TRACE(push ? "post, a cluster of 16, pushed" : "post, a cluster of 16");
        expect_same_as_one_tile(post.data, post.config,
                                plan_fused_gpu_cluster(2000, 64, limits, 16, push));
      }
    }
  }
  SCOPED_TRACE("huber, weighted, momentum, averaging");
  const GeneralRuleOnGpu general(exec, experiment_steps(513));
  expect_same_as_one_tile(general.data, general.config, exec.plan_fused(40, 32, 8));
}

// A GPU run (a fused plan's) follows the CPU run of the same seed up to float rounding.
void expect_close_to_cpu(const FusedOutcome& gpu, const TrainResult& cpu) {
  EXPECT_TRUE(testing::all_close(gpu.losses, cpu.loss_history, 1e-6, 1e-4));
  EXPECT_TRUE(testing::all_close(gpu.weights, cpu.weights, 1e-5, 1e-4));
  EXPECT_NEAR(gpu.bias, cpu.bias, 1e-5 + 1e-4 * std::abs(cpu.bias));
}

TEST(GpuTraining, TheBatchSplitMatchesTheCpu) {
  LINSGD_SKIP_WITHOUT_GPU();
  // The batch split (FusedLayout::rows_per_block): blocks own rows of the batch and exchange
  // partial gradients. It sums in another order than the CPU, so it follows the CPU run of the
  // same seed up to float rounding: the post's problem at a row a block (64 blocks) and at 10
  // (7 blocks), the same floats twice; 300 rows of 37 features in 7 blocks (one float a copy, an
  // uneven last block); 1024 rows of 64 features in a block a multiprocessor (more than 64
  // blocks: every lane adds several blocks' partials); and every option set, in 4 blocks of 4
  // rows.
  const FusedGpuLimits limits = query_fused_gpu_limits(true);
  CudaExec exec;
  {
    const PostOnGpu post(exec, experiment_steps(300));
    TrainConfig cpu_config = post.config;
    cpu_config.device = DeviceKind::kCpu;
    const TrainResult cpu = train_synthetic(cpu_config);
    for (const int blocks : {0, 7}) {
      SCOPED_TRACE("post, blocks asked " + std::to_string(blocks));
      const FusedPlan plan = plan_fused_gpu_batch_split(2000, 64, limits, blocks);
      ASSERT_EQ(plan.unavailable, "");
      const FusedOutcome gpu = run_fused(exec, post.data, post.config, plan);
      expect_close_to_cpu(gpu, cpu);
      expect_same_run(run_fused(exec, post.data, post.config, plan), gpu);
    }
  }
  const auto check = [&](const Dataset& dataset, TrainConfig config, int blocks) {
    ResidentData<CudaExec> data;
    make_resident(exec, dataset, data);
    config.device = DeviceKind::kCuda;
    config.engine = Engine::kFused;
    const FusedOutcome gpu =
        run_fused(exec, data, config,
                  plan_fused_gpu_batch_split(dataset.features, config.batch_size, limits, blocks));
    config.device = DeviceKind::kCpu;
    expect_close_to_cpu(gpu, train_on_data(config, dataset));
  };
  {
    SCOPED_TRACE("300 rows of 37 features in 7 blocks");
    TrainConfig config;
    config.batch_size = 300;
    config.steps = experiment_steps(300);
    config.learning_rate = 0.02;
    check(testing::regression_data(3001, 37, 5), config, 7);
  }
  {
    SCOPED_TRACE("the whole data a step: 700 rows of 24 features, epoch sampling, B = n");
    TrainConfig config;
    config.batch_size = 700;
    config.sampling = Sampling::kEpoch;
    config.steps = experiment_steps(300);
    config.learning_rate = 0.05;
    check(testing::regression_data(700, 24, 13), config, 0);
  }
  {
    // (The trainer steps such a batch as every row: the CPU run, B = n, follows the rows in order;
    // the kernel, driven here directly, gathers them permuted. The same sums up to their order.)
    SCOPED_TRACE("epoch sampling with B > n: 300 rows a step of a 700-row batch, weighted");
    Dataset dataset = testing::regression_data(300, 24, 17);
    dataset.sample_weights = testing::integer_weights(dataset.rows, 19);
    TrainConfig config;
    config.batch_size = 700;
    config.sampling = Sampling::kEpoch;
    config.steps = experiment_steps(300);
    config.learning_rate = 0.05;
    check(dataset, config, 0);
  }
  {
    SCOPED_TRACE("1024 rows of 64 features, a block a multiprocessor");
    TrainConfig config;
    config.batch_size = 1024;
    config.steps = experiment_steps(300);
    config.learning_rate = 0.05;
    ASSERT_GT(plan_fused_gpu_batch_split(64, 1024, limits, 0).layout.blocks, 64);
    check(testing::regression_data(20000, 64, 11), config, 0);
  }
  for (const testing::Options& options : testing::kOptionSets) {
    SCOPED_TRACE(options.name);
    Dataset dataset = testing::regression_data(203, 12, 7);
    if (options.weighted) dataset.sample_weights = testing::integer_weights(dataset.rows, 8);
    TrainConfig config;
    config.batch_size = 16;
    config.steps = experiment_steps(300);
    config.learning_rate = 0.02;
    config.seed = 3;
    options.apply(config);
    check(dataset, config, 4);
  }
}

TEST(GpuTraining, TheBatchSplitsExperimentsStepAsItsKeptKernel) {
  LINSGD_SKIP_WITHOUT_GPU();
  // The batch split's experiments (the post's rule only): one barrier a step
  // (FusedLayout::one_barrier: every block adds every feature's partials and steps all the
  // weights itself), the rows copied by the TMA (bulk_copy, where the GPU runs sm_90 code), and
  // both, against the kept batch split of the same blocks: the same floats, bit for bit, across
  // a chunk boundary. The post's problem at a row a block (64 blocks) and at 10 (7 blocks, the
  // last of 4 rows); 1024 rows of 64 features a block a multiprocessor (more than 64 blocks: a
  // lane adds several blocks' partials; not in the sanitizers' shortened runs); 300 rows of 36
  // features in 7 blocks (a warp's round of 8 features running past the 36). Another rule is
  // refused with a message.
  const FusedGpuLimits limits = query_fused_gpu_limits(true);
  CudaExec exec;
  const auto expect_experiments_as_kept = [&](const ResidentData<CudaExec>& data,
                                              const TrainConfig& config, int blocks) {
    const FusedPlan kept =
        plan_fused_gpu_batch_split(data.features, config.batch_size, limits, blocks);
    ASSERT_EQ(kept.unavailable, "");
    SCOPED_TRACE(std::to_string(kept.layout.blocks) + " blocks of " +
                 std::to_string(kept.layout.rows_per_block) + " rows");
    const FusedOutcome on_kept = run_fused(exec, data, config, kept);
    const FusedPlan one = with_one_barrier(kept, data.features);
    ASSERT_TRUE(one.layout.one_barrier);
    expect_same_run(run_fused(exec, data, config, one), on_kept);
    if (limits.max_cluster_blocks == 0) return;  // no sm_90 code here: no TMA
    for (const FusedPlan& plan : {kept, one}) {
      SCOPED_TRACE(plan.layout.one_barrier ? "bulk copies, one barrier" : "bulk copies");
      const FusedPlan bulk = with_bulk_copy(plan, data.features, config.batch_size, limits);
      ASSERT_TRUE(bulk.layout.bulk_copy);
      expect_same_run(run_fused(exec, data, config, bulk), on_kept);
    }
  };
  {
    const PostOnGpu post(exec, experiment_steps(300));
    for (const int blocks : {0, 7}) expect_experiments_as_kept(post.data, post.config, blocks);
  }
  const auto on_data = [&](const Dataset& dataset, int64_t batch, double rate, int blocks) {
    ResidentData<CudaExec> data;
    make_resident(exec, dataset, data);
    TrainConfig config;
    config.device = DeviceKind::kCuda;
    config.engine = Engine::kFused;
    config.batch_size = batch;
    config.steps = experiment_steps(300);
    config.learning_rate = rate;
    ASSERT_TRUE(is_post_rule(step_rule(config, data)));
    expect_experiments_as_kept(data, config, blocks);
  };
  on_data(testing::regression_data(3001, 36, 5), 300, 0.02, 7);
  expect_refused_for_another_rule(
      exec, with_one_barrier(plan_fused_gpu_batch_split(40, 32, limits, 4), 40));
  // Under the sanitizers (shortened runs), which check shared memory, not the global exchange
  // that more than 64 blocks exercise, the largest case is left to the plain runs.
  if (std::getenv("LINSGD_SHORT_GPU_TESTS") != nullptr) return;
  ASSERT_GT(plan_fused_gpu_batch_split(64, 1024, limits, 0).layout.blocks, 64);
  on_data(testing::regression_data(20000, 64, 11), 1024, 0.05, 0);
}

TEST(GpuTraining, TheTmasBulkCopiesOfTheTileStepAsTheKeptKernel) {
  LINSGD_SKIP_WITHOUT_GPU();
  // The feature split's experiment of FusedLayout::bulk_copy (a bulk copy a tile row, issued by
  // one warp, in place of every thread's 16-byte copies) against the same blocks without it: the
  // same floats, bit for bit, across a chunk boundary; the post's problem at the plan's count
  // (the grid) and in a cluster of 16, each with one tile and two (the next step's round of
  // copies in flight during the exchange). Another rule is refused with a message.
  const FusedGpuLimits limits = query_fused_gpu_limits(true);
  if (limits.max_cluster_blocks == 0) GTEST_SKIP() << "no sm_90 code runs on this GPU: no TMA";
  CudaExec exec;
  const PostOnGpu post(exec, experiment_steps(300));
  std::vector<std::pair<std::string, FusedPlan>> plans = {{"grid", exec.plan_fused(2000, 64, 0)}};
  if (limits.max_cluster_blocks >= 16) {
    plans.emplace_back("a cluster of 16", plan_fused_gpu_cluster(2000, 64, limits, 16));
  }
  for (const auto& [name, plan] : plans) {
    SCOPED_TRACE(name);
    const FusedOutcome on_kept = run_fused(exec, post.data, post.config, plan);
    for (const bool two_tiles : {false, true}) {
      SCOPED_TRACE(two_tiles ? "two tiles" : "one tile");
      const FusedPlan tiles = two_tiles ? with_double_buffered_tile(plan, 2000, 64, limits) : plan;
      const FusedPlan bulk = with_bulk_copy(tiles, 2000, 64, limits);
      ASSERT_TRUE(bulk.layout.bulk_copy);
      expect_same_run(run_fused(exec, post.data, post.config, bulk), on_kept);
    }
  }
  expect_refused_for_another_rule(exec, with_bulk_copy(exec.plan_fused(40, 32, 1), 40, 32, limits));
}

// A phase profile's row of a block, checked: every named phase took time, and the phases
// cover the loop (they are its consecutive spans); the loop's time was read too.
void expect_profile_covers_the_loop(const std::vector<unsigned long long>& sums, int blocks,
                                    int named_phases) {
  ASSERT_EQ(sums.size(), static_cast<size_t>(blocks) * kPhaseClockSlots);
  for (int b = 0; b < blocks; ++b) {
    SCOPED_TRACE("block " + std::to_string(b));
    const unsigned long long* row = sums.data() + static_cast<int64_t>(b) * kPhaseClockSlots;
    unsigned long long phases = 0;
    for (int p = 0; p < kPhaseClockPhases; ++p) {
      if (p < named_phases) {
        EXPECT_GT(row[p], 0u) << "phase " << p;
      } else {
        EXPECT_EQ(row[p], 0u) << "phase " << p;
      }
      phases += row[p];
    }
    EXPECT_LE(phases, row[kPhaseClockLoopCycles]);
    EXPECT_GE(static_cast<double>(phases), 0.9 * static_cast<double>(row[kPhaseClockLoopCycles]));
    EXPECT_GT(row[kPhaseClockLoopNanoseconds], 0u);
  }
}

TEST(GpuTraining, ThePhaseProfileLeavesTheFloatsAsTheyAre) {
  LINSGD_SKIP_WITHOUT_GPU();
  // The kernels that time their phases for the benchmark's profile
  // (FusedLayout::phase_clock_sums) against the ones users run: the same floats, bit for bit,
  // on the post's problem (the one rule they are compiled for) across a chunk boundary, for
  // every kernel the profile times: the kept plan, with a double-buffered tile, the batch split
  // (with two barriers a step and one) and, where the GPU has clusters, a cluster of 16 read
  // (with one tile and two) and pushed, and the bulk copies (the grid's, the cluster's, the batch
  // split's); each block's row covers the loop. Another rule is refused with a message.
  const FusedGpuLimits limits = query_fused_gpu_limits(true);
  CudaExec exec;
  const PostOnGpu post(exec, experiment_steps(300));
  const FusedPlan kept = exec.plan_fused(2000, 64, 0);
  std::vector<std::pair<std::string, FusedPlan>> plans = {
      {"the plan's", kept},
      {"a double-buffered tile", with_double_buffered_tile(kept, 2000, 64, limits)},
      {"the batch split", plan_fused_gpu_batch_split(2000, 64, limits, 0)},
      {"the batch split, one barrier",
       with_one_barrier(plan_fused_gpu_batch_split(2000, 64, limits, 0), 2000)}};
  if (limits.max_cluster_blocks > 0) {
    plans.emplace_back("bulk copies", with_bulk_copy(kept, 2000, 64, limits));
    plans.emplace_back(
        "the batch split, bulk copies",
        with_bulk_copy(plan_fused_gpu_batch_split(2000, 64, limits, 0), 2000, 64, limits));
  }
  if (limits.max_cluster_blocks >= 16) {
    const FusedPlan cluster = plan_fused_gpu_cluster(2000, 64, limits, 16);
    plans.emplace_back("a cluster of 16", cluster);
    plans.emplace_back("a cluster of 16, a double-buffered tile",
                       with_double_buffered_tile(cluster, 2000, 64, limits));
    plans.emplace_back("a cluster of 16, pushed",
                       plan_fused_gpu_cluster(2000, 64, limits, 16, true));
    plans.emplace_back("a cluster of 16, bulk copies", with_bulk_copy(cluster, 2000, 64, limits));
    plans.emplace_back(
        "a cluster of 16, a double-buffered tile, bulk copies",
        with_bulk_copy(with_double_buffered_tile(cluster, 2000, 64, limits), 2000, 64, limits));
  }
  for (const auto& [name, plan] : plans) {
    SCOPED_TRACE(name);
    ASSERT_EQ(plan.unavailable, "");
    const FusedOutcome plain = run_fused(exec, post.data, post.config, plan);
    CudaExec::Buffer<unsigned long long> sums =
        exec.allocate<unsigned long long>(int64_t{plan.layout.blocks} * kPhaseClockSlots);
    exec.zero(sums);
    FusedPlan timed = plan;
    timed.layout.phase_clock_sums = sums.data();
    expect_same_run(run_fused(exec, post.data, post.config, timed), plain);
    expect_profile_covers_the_loop(exec.download(sums, sums.size()), plan.layout.blocks,
                                   plan.layout.batch_split()
                                       ? kernels::batch_split_phases(plan.layout)
                                       : static_cast<int>(std::size(kernels::kFusedPhases)));
  }
  CudaExec::Buffer<unsigned long long> sums = exec.allocate<unsigned long long>(kPhaseClockSlots);
  FusedPlan timed = exec.plan_fused(40, 32, 1);
  timed.layout.phase_clock_sums = sums.data();
  expect_refused_for_another_rule(exec, timed);
}

TEST(GpuDistributed, OneProcessOverNcclIsTheLoneGemvRun) {
  LINSGD_SKIP_WITHOUT_GPU();
  // The data-parallel path on one GPU: a one-process NCCL group (its sums are then the values
  // themselves), summing the gradient and, for Huber with sample weights, the per-row terms every
  // step: the same floats as the lone gemv run, bit for bit. (Several processes, and local SGD,
  // which needs more than one, are proven on the CPU path: under mpirun and in
  // test_data_parallel.)
  if (!gpu_groups_available()) GTEST_SKIP() << "this linsgd was built without NCCL";
  Dataset data = testing::regression_data(1003, 24, 43);
  std::vector<float> weights(data.rows);
  for (int64_t i = 0; i < data.rows; ++i) weights[i] = static_cast<float>(1 + i % 3);
  for (const bool general : {false, true}) {
    data.sample_weights = general ? weights : std::vector<float>{};
    TrainConfig config;
    config.device = DeviceKind::kCuda;
    config.engine = Engine::kGemv;
    config.batch_size = 32;
    config.steps = 600;
    config.momentum = 0.5;
    if (general) config.loss = Loss::kHuber;
    const TrainResult lone = train_on_data(config, data);
    SCOPED_TRACE(general ? "huber, weighted" : "post's loss");
    DataShard shard;
    shard.rows = shard.total_rows = data.rows;
    shard.gpu_group_id = new_gpu_group_id();      // an id serves one run
    shard.sum_doubles = [](double*, int64_t) {};  // one process: its own values
    TrainHooks hooks;
    hooks.shard = &shard;
    const TrainResult together = train_on_data(config, data, hooks);
    EXPECT_EQ(together.weights, lone.weights);
    EXPECT_EQ(together.bias, lone.bias);
    EXPECT_EQ(together.loss_history, lone.loss_history);
  }
}

TEST(GpuDistributed, AOneProcessGroupSumsAndAveragesToItsOwnValues) {
  LINSGD_SKIP_WITHOUT_GPU();
  // NcclGroup's two operations (local SGD's average among them, which a one-GPU run never
  // reaches) on one process: in place, the values themselves, bit for bit.
  if (!gpu_groups_available()) GTEST_SKIP() << "this linsgd was built without NCCL";
  const std::vector<float> values = testing::random_normals(1001, 5);
  CudaExec exec;
  auto on_device = to_device(exec, values);
  const NcclGroup group(new_gpu_group_id(), 0, 1);
  group.sum(on_device.data(), 1001, exec.stream());
  EXPECT_EQ(exec.download(on_device, 1001), values);
  group.average(on_device.data(), 1001, exec.stream());
  EXPECT_EQ(exec.download(on_device, 1001), values);
}

TEST(GpuTraining, DataBeyondTheMemoryLimitStreamFromHostAsTheResidentRunTrains) {
  LINSGD_SKIP_WITHOUT_GPU();
  // A limit that holds the run but not its data: X, y and the weights stay in host memory,
  // mapped, and the steps and evaluations read them there. The same kernels read the same
  // values, so the run is the resident run's, bit for bit.
  Dataset data = testing::regression_data(20000, 64, 43);
  data.sample_weights = testing::integer_weights(data.rows, 44);
  TrainConfig config;
  config.device = DeviceKind::kCuda;
  config.batch_size = 256;
  config.steps = 600;
  config.sampling = Sampling::kEpoch;
  config.momentum = 0.5;
  config.tol = 1e-9;
  config.eval_every = 100;
  const TrainResult resident = train_on_data(config, data);
  const uint64_t without_data = training_memory_bytes(resolve_for_rows(config, data.rows),
                                                      data.rows, data.features, 0, true) -
                                data_bytes(data.rows, data.features, 0);
  config.device_memory_limit = without_data + (uint64_t{1} << 20);
  const TrainResult streamed = train_on_data(config, data);
  EXPECT_EQ(streamed.config.engine, Engine::kGemv);
  config.device_memory_limit = 0;
  config.engine = Engine::kGemv;
  const TrainResult resident_gemv = train_on_data(config, data);
  EXPECT_EQ(streamed.weights, resident_gemv.weights);
  EXPECT_EQ(streamed.bias, resident_gemv.bias);
  EXPECT_EQ(streamed.loss_history, resident_gemv.loss_history);
  EXPECT_EQ(streamed.objective, resident_gemv.objective);

  // Where such data lie: host memory, the device reading it through a mapping; no device copy.
  {
    CudaExec exec;
    ResidentData<CudaExec> mapped;
    make_resident(exec, view_of(data), mapped, DataPlacement::kHostMapped);
    cudaPointerAttributes attributes{};
    LINSGD_CUDA_CHECK(cudaPointerGetAttributes(&attributes, mapped.X));
    EXPECT_EQ(attributes.type, cudaMemoryTypeHost);
    EXPECT_EQ(attributes.hostPointer, static_cast<const void*>(data.X.data()));
    EXPECT_EQ(mapped.X_storage.data(), nullptr);
  }

  config.device_memory_limit = without_data + (uint64_t{1} << 20);
  config.engine = Engine::kFused;
  EXPECT_NE(testing::message_of<UsageError>([&] {
              train_on_data(config, data);
            }).find("--engine fused reads X from GPU memory"),
            std::string::npos);
  config.engine = Engine::kAuto;
  config.device_memory_limit = without_data / 2;
  EXPECT_NE(testing::message_of<InputError>([&] {
              train_on_data(config, data);
            }).find("even with the data"),
            std::string::npos);
}

TEST(GpuTraining, FusedEngineRefusesABatchBeyondSharedMemoryAndAutoPicksGemv) {
  LINSGD_SKIP_WITHOUT_GPU();
  TrainConfig config;
  config.device = DeviceKind::kCuda;
  config.rows = 300;
  config.features = 8192;
  // 2048 x 8192 floats: 64 MiB, beyond any GPU's blocks' shared memory split by features (132
  // slices of 64 need 512 KiB each on an H100 or H200) and by rows (16 rows need 512 KiB).
  config.batch_size = 2048;
  config.steps = 3;
  config.engine = Engine::kFused;
  try {
    train_synthetic(config);
    FAIL() << "--engine fused ran a batch of 2048 x 8192";
  } catch (const UsageError& error) {
    EXPECT_NE(std::string(error.what()).find("--engine fused: the fused engine cannot hold"),
              std::string::npos)
        << error.what();
  }
  config.engine = Engine::kAuto;
  EXPECT_EQ(train_synthetic(config).config.engine, Engine::kGemv);
}

TEST(GpuTraining, RunLargerThanFreeMemoryIsRefusedBeforeAllocating) {
  LINSGD_SKIP_WITHOUT_GPU();
  const CudaDeviceInfo device = query_cuda_device();
  TrainConfig config;
  config.device = DeviceKind::kCuda;
  config.features = 4096;
  // Enough rows that X alone exceeds the free memory by a quarter.
  config.rows = static_cast<int64_t>(device.free_bytes / (4 * 4096) * 5 / 4);
  try {
    train_synthetic(config);
    FAIL() << "a " << config.rows << " x 4096 run was not refused";
  } catch (const InputError& error) {
    EXPECT_NE(std::string(error.what()).find("free"), std::string::npos) << error.what();
  }
  EXPECT_GE(query_cuda_device().free_bytes, device.free_bytes * 9 / 10) << "memory leaked";
}

TEST(GpuTraining, RowsPastFloatTwoTo31FollowTheReference) {
  LINSGD_SKIP_WITHOUT_GPU();
  using testing::kLargeFeatures;
  using testing::kLargeRows;
  // X (12 GiB), y (6 GiB) and the full loss's predictions (doubles: 12 GiB) on the device.
  if (query_cuda_device().free_bytes < (size_t{32} << 30)) GTEST_SKIP() << "needs 32 GiB free";
  TrainConfig config = testing::large_config(DeviceKind::kCuda, Engine::kGemv);
  testing::SparseFloats h_X(kLargeRows * kLargeFeatures), h_y(kLargeRows);
  ASSERT_TRUE(h_X.data() != nullptr && h_y.data() != nullptr);
  CudaExec exec;
  DeviceBuffer<float> d_X(kLargeRows * kLargeFeatures), d_y(kLargeRows);
  exec.zero(d_X);
  exec.zero(d_y);
  const std::vector<int64_t> rows = testing::large_sampled_rows(config);
  for (int64_t row : rows) {
    float* x = h_X.data() + row * kLargeFeatures;
    for (int64_t j = 0; j < kLargeFeatures; ++j) x[j] = testing::large_feature(row, j);
    h_y.data()[row] = testing::large_target(row);
    LINSGD_CUDA_CHECK(cudaMemcpyAsync(d_X.data() + row * kLargeFeatures, x,
                                      kLargeFeatures * sizeof(float), cudaMemcpyHostToDevice,
                                      exec.stream()));
    LINSGD_CUDA_CHECK(cudaMemcpyAsync(d_y.data() + row, h_y.data() + row, sizeof(float),
                                      cudaMemcpyHostToDevice, exec.stream()));
  }
  exec.synchronize();
  const testing::ReferenceRun reference =
      testing::reference_sgd(h_X.data(), h_y.data(), kLargeRows, kLargeFeatures, config, false);
  ResidentData<CudaExec> data;
  data.rows = kLargeRows;
  data.features = kLargeFeatures;
  data.X = d_X.data();
  data.y = d_y.data();
  for (const Engine engine : {Engine::kGemv, Engine::kFused}) {
    config.engine = engine;
    SgdLoop<CudaExec> loop(exec, data, config, exec.plan_fused(kLargeFeatures, 16, 0));
    const std::vector<float> losses = testing::run_collecting_losses(loop);
    EXPECT_TRUE(testing::all_close(losses, reference.loss_history, 1e-7, 1e-4))
        << to_string(engine);
    EXPECT_TRUE(testing::all_close(loop.weights(), reference.weights, 1e-6, 1e-4))
        << to_string(engine);
    // The full loss's dot products run over all 3.2e9 floats: rows never sampled are 0 with
    // target 0, so each adds b^2.
    const std::vector<float> w = loop.weights();
    const double b = loop.bias();
    double square_sum = static_cast<double>(kLargeRows - static_cast<int64_t>(rows.size())) * b * b;
    for (int64_t row : rows) {
      const float* x = h_X.data() + row * kLargeFeatures;
      const double r = double{x[0]} * w[0] + double{x[1]} * w[1] + b - h_y.data()[row];
      square_sum += r * r;
    }
    const double expected = 0.5 * square_sum / static_cast<double>(kLargeRows);
    DeviceBuffer<double> predictions(kLargeRows);
    EXPECT_NEAR(full_dataset_loss(exec, data, loop.weights_data(), loop.bias_data(), predictions),
                expected, 1e-5 * expected)
        << to_string(engine);
  }
}

// Three steps on 100 rows of 8 features, on the GPU: a run that shows the GPU is usable.
TrainConfig three_gpu_steps() {
  TrainConfig config;
  config.device = DeviceKind::kCuda;
  config.rows = 100;
  config.features = 8;
  config.steps = 3;
  return config;
}

TEST(GpuErrors, AFailedCallClearsItsErrorSoTheNextLaunchIsNotBlamed) {
  LINSGD_SKIP_WITHOUT_GPU();
  void* pointer = nullptr;
  const size_t too_much = size_t{1} << 62;
  EXPECT_THROW(LINSGD_CUDA_CHECK(cudaMalloc(&pointer, too_much)), Error);
  EXPECT_EQ(cudaPeekAtLastError(), cudaSuccess);
  // A launch after it is checked clean: a step of training runs.
  EXPECT_NO_THROW(train_synthetic(three_gpu_steps()));
}

TEST(GpuErrors, AContextStartedOnAnotherThreadServesTheRun) {
  LINSGD_SKIP_WITHOUT_GPU();
  // As `linsgd train` does while it reads the data: the context made there is the run's.
  std::thread early(start_gpu_context);
  early.join();
  EXPECT_EQ(cudaPeekAtLastError(), cudaSuccess);
  const TrainResult result = train_synthetic(three_gpu_steps());
  EXPECT_EQ(result.steps_done, 3);
  EXPECT_TRUE(std::isfinite(result.full_loss));
}

TEST(GpuCli, ThreadsAreRefusedWhereTheRunTrainsOnTheGpu) {
  LINSGD_SKIP_WITHOUT_GPU();
  testing::ScratchDir scratch;
  for (const char* device : {"auto", "cuda"}) {
    const auto run = testing::run_cli(
        std::string("train --device ") + device + " --threads 2 --rows 50 --features 5 --steps 10",
        scratch);
    EXPECT_EQ(run.exit_code, 2) << run.err;
    EXPECT_EQ(run.err,
              "linsgd: error: --threads 2: applies to the CPU backend, and this run trains on the "
              "GPU (use --device cpu to train on the CPU)\n");
  }
}

}  // namespace
}  // namespace linsgd
