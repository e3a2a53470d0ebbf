// Training configuration. The defaults are the reference post's problem and hyperparameters:
// 4000 x 2000 synthetic data, batch 64, learning rate 0.01, 2000 steps, w ~ N(0, 0.01^2), b = 0.
#pragma once

#include <cstdint>
#include <string>

namespace linsgd {

enum class DeviceKind { kAuto, kCuda, kCpu };

// Parses "auto", "cuda" or "cpu"; throws UsageError naming the option and value otherwise.
DeviceKind parse_device_kind(const std::string& text);
const char* to_string(DeviceKind kind);

// How a step is computed.
//   kGemv:  gather the batch rows, two GEMVs (cuBLAS on the GPU, OpenBLAS on the CPU), one fused
//           update kernel: the design's reference.
//   kFused: no gathered copy. On the GPU one persistent kernel runs a whole chunk of steps, each
//           block owning a slice of the features; on the CPU, dot and axpy straight on X's rows.
//   kAuto:  chosen by device and shape: fused where it is expected to be faster.
enum class Engine { kAuto, kGemv, kFused };
Engine parse_engine(const std::string& text);
const char* to_string(Engine engine);

struct TrainConfig {
  int64_t rows = 4000;      // synthetic data only: n
  int64_t features = 2000;  // synthetic data only: d
  int64_t batch_size = 64;  // B, drawn with replacement
  double learning_rate = 0.01;
  int64_t steps = 2000;  // the post calls them epochs; each is one mini-batch step
  double sigma = 0.01;   // standard deviation of the initial weights
  uint64_t seed = 42;
  DeviceKind device = DeviceKind::kAuto;
  Engine engine = Engine::kAuto;
  int threads = 0;       // CPU backend threads; 0 = automatic (one for small steps, else all)
  int fused_blocks = 0;  // GPU fused engine: about this many blocks; 0 = from the shape
};

// Largest row count: the BLAS dimensions are ints (and row_from_draw needs n <= 2^32).
inline constexpr int64_t kMaxRows = 2147483647LL;

// Throws UsageError with a one-line message naming the option and value when `config` is not
// usable: sizes and steps must be positive, the learning rate positive and finite, sigma finite
// and non-negative, threads and fused blocks non-negative, and no fused blocks with --engine gemv.
void validate(const TrainConfig& config);

}  // namespace linsgd
