// Data in an execution policy's memory (host vectors, or device buffers): the post's synthetic
// problem generated in place following rng_plan.hpp, a host dataset uploaded once, and the
// full-dataset loss over it.
#pragma once

#include <cstdint>
#include <vector>

#include "core/gemv_op.hpp"
#include "core/random_generator.hpp"
#include "core/rng_plan.hpp"

namespace linsgd {

// A dataset in the policy's memory: X row-major rows x features, y of length rows. X and y point
// into the storage buffers, or, on the CPU, straight at a host dataset the caller keeps alive
// (no second copy of a large X).
template <class Exec>
struct ResidentData {
  int64_t rows = 0;
  int64_t features = 0;
  const float* X = nullptr;
  const float* y = nullptr;
  typename Exec::template Buffer<float> X_storage;
  typename Exec::template Buffer<float> y_storage;
};

// The parameters the synthetic data was drawn from.
template <class Exec>
struct ResidentTruth {
  typename Exec::template Buffer<float> weights;
  typename Exec::template Buffer<float> bias;  // one element
};

// The post's synthetic problem, drawn in the order rng_plan.hpp gives:
// y = X w* + b* + 0.01 N(0, 1), with X, w* ~ N(0, 1) and b* ~ U(0, 1).
template <class Exec>
void generate_synthetic(Exec& exec, int64_t rows, int64_t features, uint64_t seed,
                        ResidentData<Exec>& data, ResidentTruth<Exec>& truth) {
  using rng_plan::even_count;
  RandomGenerator generator = exec.make_generator(rng_plan::data_seed(seed));
  data.rows = rows;
  data.features = features;
  truth.weights = exec.template allocate<float>(even_count(features));
  generator.normal(truth.weights.data(), even_count(features), 0.0f, 1.0f);
  truth.bias = exec.template allocate<float>(1);
  generator.uniform(truth.bias.data(), 1);
  data.X_storage = exec.template allocate<float>(even_count(rows * features));
  generator.normal(data.X_storage.data(), even_count(rows * features), 0.0f, 1.0f);
  data.y_storage = exec.template allocate<float>(even_count(rows));
  float* y = data.y_storage.data();
  generator.normal(y, even_count(rows), 0.0f, 1.0f);  // the noise, turned into y:
  exec.synthetic_offset(rows, truth.bias.data(), y, y);
  exec.gemv(GemvOp::kTrans, features, rows, data.X_storage.data(), truth.weights.data(), 1.0f, y);
  data.X = data.X_storage.data();
  data.y = y;
}

// Makes a host dataset resident: one upload on the GPU; on the CPU, X and y are used where they
// are, so they must outlive `data`.
template <class Exec>
void make_resident(Exec& exec, const std::vector<float>& X, const std::vector<float>& y,
                   int64_t rows, int64_t features, ResidentData<Exec>& data) {
  data.rows = rows;
  data.features = features;
  if constexpr (Exec::kUsesHostMemory) {
    data.X = X.data();
    data.y = y.data();
  } else {
    data.X_storage = exec.template allocate<float>(rows * features);
    exec.upload(data.X_storage, X);
    data.y_storage = exec.template allocate<float>(rows);
    exec.upload(data.y_storage, y);
    data.X = data.X_storage.data();
    data.y = data.y_storage.data();
  }
}

// 0.5 * mean((X w + b - y)^2) over the whole dataset, accumulated in double. Synchronizes.
template <class Exec>
double full_dataset_loss(Exec& exec, const ResidentData<Exec>& data, const float* weights,
                         const float* bias) {
  auto predictions = exec.template allocate<float>(data.rows);
  exec.gemv(GemvOp::kTrans, data.features, data.rows, data.X, weights, 0.0f, predictions.data());
  const double square_sum = exec.residual_square_sum(data.rows, predictions.data(), bias, data.y);
  return 0.5 * square_sum / static_cast<double>(data.rows);
}

}  // namespace linsgd
