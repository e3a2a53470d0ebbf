// Data in an execution policy's memory (host vectors, or device buffers): the post's synthetic
// problem generated in place following rng_plan.hpp, or a dataset's arrays (uploaded once, or
// used where they lie).
#pragma once

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "core/gemv_op.hpp"
#include "core/memory_plan.hpp"
#include "core/random_generator.hpp"
#include "core/rng_plan.hpp"
#include "linsgd/dataset.hpp"
#include "linsgd/errors.hpp"

namespace linsgd {

// A dataset in the policy's memory: X row-major rows x features, y of length rows. X and y point
// into the storage buffers, or, on the CPU, straight at a host dataset the caller keeps alive
// (no second copy of a large X).
template <class Exec>
struct ResidentData {
  int64_t rows = 0;  // n: all processes' rows in a data-parallel run
  int64_t features = 0;
  // The rows X, y and the weights hold: [first_row, first_row + held_rows()); local_rows -1 (or
  // unset): all n, as for any data but a shard of a data-parallel run.
  int64_t first_row = 0;
  int64_t local_rows = -1;
  int64_t held_rows() const { return local_rows < 0 ? rows : local_rows; }
  const float* X = nullptr;
  const float* y = nullptr;
  const float* sample_weights = nullptr;  // rows, or null (every weight 1)
  double weight_sum = 0.0;                // sum of the sample weights (rows without them)
  typename Exec::template Buffer<float> X_storage;
  typename Exec::template Buffer<float> y_storage;
  typename Exec::template Buffer<float> weight_storage;
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
  RandomGenerator generator = exec.make_generator(rng_plan::data_seed(seed), true);
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
  data.weight_sum = static_cast<double>(rows);
}

// Makes a view's arrays resident. On the CPU host arrays are used where they are; on the GPU host
// arrays are uploaded once, or with DataPlacement::kHostMapped pinned and mapped where they are
// (exec.map_host), and CUDA arrays used where they are. Arrays used in place must outlive
// `data`. (The caller has refused CUDA arrays on the CPU.)
template <class Exec>
void make_resident(Exec& exec, const DataView& view, ResidentData<Exec>& data,
                   DataPlacement placement = DataPlacement::kDevice) {
  data.rows = view.rows;
  data.features = view.features;
  data.weight_sum = static_cast<double>(view.rows);
  const bool in_place = Exec::kUsesHostMemory || view.memory == MemoryKind::kCuda;
  if (in_place) {
    data.X = view.X;
    data.y = view.y;
    data.sample_weights = view.sample_weights;
  } else if (placement == DataPlacement::kHostMapped) {
    if constexpr (!Exec::kUsesHostMemory) {
      data.X = exec.map_host(view.X, view.rows * view.features, "X");
      data.y = exec.map_host(view.y, view.rows, "y");
      if (view.has_sample_weights()) {
        data.sample_weights = exec.map_host(view.sample_weights, view.rows, "the sample weights");
      }
    }
  } else {
    data.X_storage = exec.template allocate<float>(view.rows * view.features);
    exec.upload_from(data.X_storage, view.X, view.rows * view.features);
    data.y_storage = exec.template allocate<float>(view.rows);
    exec.upload_from(data.y_storage, view.y, view.rows);
    data.X = data.X_storage.data();
    data.y = data.y_storage.data();
    if (view.has_sample_weights()) {
      data.weight_storage = exec.template allocate<float>(view.rows);
      exec.upload_from(data.weight_storage, view.sample_weights, view.rows);
      data.sample_weights = data.weight_storage.data();
    }
  }
  if (view.has_sample_weights()) {
    if (view.memory == MemoryKind::kHost) {
      data.weight_sum = 0.0;
      for (int64_t i = 0; i < view.rows; ++i) data.weight_sum += view.sample_weights[i];
    } else {
      data.weight_sum = exec.sum(data.sample_weights, view.rows);
      if (!(data.weight_sum > 0.0) || !std::isfinite(data.weight_sum)) {
        throw InputError(view.source + ": the sample weights sum to " +
                         std::to_string(data.weight_sum) +
                         " (they must be finite and >= 0, and not all 0)");
      }
    }
    // Relative to a mean given: every use of the sum (the steps' s_k rows / sum, the
    // objective's division, --lr auto's mean weight) then takes s_k / weight_mean.
    if (view.weight_mean > 0.0) data.weight_sum = view.weight_mean * static_cast<double>(view.rows);
  }
}

template <class Exec>
void make_resident(Exec& exec, const Dataset& dataset, ResidentData<Exec>& data) {
  make_resident(exec, view_of(dataset), data);
}

}  // namespace linsgd
