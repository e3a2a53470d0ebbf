// Data whose X holds more than 2^31 floats, for the tests that every index past 2^31 is
// computed in 64 bits: 1.5 x 2^30 rows of 2 features (12 GiB of X, 6 GiB of y) in address space
// only (MAP_NORESERVE), with values written just into the rows a run samples. A third of the
// samples land past float 2^31. Rows never sampled read as 0.
#pragma once

#include <sys/mman.h>

#include <cstdint>
#include <unordered_set>
#include <vector>

#include "linsgd/config.hpp"
#include "reference_sgd.hpp"

namespace linsgd::testing {

inline constexpr int64_t kLargeRows = int64_t{3} << 29;
inline constexpr int64_t kLargeFeatures = 2;
inline constexpr int64_t kTwoTo31 = int64_t{1} << 31;

// An anonymous mapping of `count` floats that reserves no memory: pages appear when written.
class SparseFloats {
 public:
  explicit SparseFloats(int64_t count) : bytes_(static_cast<size_t>(count) * sizeof(float)) {
    void* address = ::mmap(nullptr, bytes_, PROT_READ | PROT_WRITE,
                           MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    data_ = address == MAP_FAILED ? nullptr : static_cast<float*>(address);
  }
  ~SparseFloats() {
    if (data_ != nullptr) ::munmap(data_, bytes_);
  }
  SparseFloats(const SparseFloats&) = delete;
  SparseFloats& operator=(const SparseFloats&) = delete;
  float* data() const { return data_; }  // null when the mapping was refused

 private:
  size_t bytes_;
  float* data_ = nullptr;
};

// A run over the large data: 300 steps of 16 rows, a learning rate that learns the targets.
inline TrainConfig large_config(DeviceKind device, Engine engine) {
  TrainConfig config;
  config.rows = kLargeRows;
  config.features = kLargeFeatures;
  config.batch_size = 16;
  config.steps = 300;
  config.learning_rate = 0.05;
  config.seed = 4;
  config.device = device;
  config.engine = engine;
  return config;
}

// A value in [-1, 1) for X[row, j], from SplitMix64 of its index: no two rows alike.
inline float large_feature(int64_t row, int64_t j) {
  uint64_t x = static_cast<uint64_t>(row * kLargeFeatures + j) + 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  x ^= x >> 31;
  return static_cast<float>(static_cast<double>(x >> 40) / static_cast<double>(1 << 23) - 1.0);
}

// y = 1.5 x0 - 0.5 x1 + 0.25: learnable, so the run moves its weights far from their start.
inline float large_target(int64_t row) {
  return 1.5f * large_feature(row, 0) - 0.5f * large_feature(row, 1) + 0.25f;
}

// The distinct rows a run of `config` samples from the large data, in the order first sampled.
inline std::vector<int64_t> large_sampled_rows(const TrainConfig& config) {
  std::vector<int64_t> distinct;
  std::unordered_set<int64_t> seen;
  for (int64_t row : reference_sampled_rows(kLargeRows, kLargeFeatures, config)) {
    if (seen.insert(row).second) distinct.push_back(row);
  }
  return distinct;
}

// Runs an SgdLoop's every step and returns the losses its checkpoints handed out, in order.
template <class Loop>
std::vector<float> run_collecting_losses(Loop& loop) {
  std::vector<float> all;
  loop.run([&](int64_t, const std::vector<float>& losses) {
    all.insert(all.end(), losses.begin(), losses.end());
  });
  return all;
}

}  // namespace linsgd::testing
