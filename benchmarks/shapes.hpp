// The benchmark shapes: the reference post's problem and three large ones, with the steps one
// timed repeat runs on each backend (fewer on the CPU, where large steps take milliseconds).
// LINSGD_BENCH_SMOKE=1 swaps in tiny shapes, for the test that checks the harness itself.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

namespace linsgd::bench {

struct Shape {
  std::string name;
  int64_t rows, features, batch;
  int64_t gpu_steps, cpu_steps;
};

inline bool smoke_mode() {
  const char* value = std::getenv("LINSGD_BENCH_SMOKE");
  return value != nullptr && std::string(value) == "1";
}

inline std::vector<Shape> benchmark_shapes() {
  if (smoke_mode()) {
    return {{"post", 400, 200, 64, 300, 300}, {"tall", 3000, 64, 128, 100, 100}};
  }
  return {{"post", 4000, 2000, 64, 2000, 2000},
          {"tall", 1000000, 256, 1024, 2000, 200},
          {"wide", 20000, 20000, 256, 1000, 20},
          {"big-batch", 2000000, 512, 8192, 500, 10}};
}

// Bytes of the copy-bandwidth reference: 1 GiB read and 1 GiB written (256 MiB in smoke mode).
inline int64_t copy_bytes() {
  return smoke_mode() ? int64_t{1} << 28 : int64_t{1} << 30;
}

}  // namespace linsgd::bench
