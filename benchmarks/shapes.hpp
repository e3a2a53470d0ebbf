// The benchmark shapes, read from benchmarks/shapes.json (the one list the PyTorch peers read
// too): the reference post's problem and three large ones, with the steps one timed repeat runs
// on each backend. LINSGD_BENCH_SMOKE=1 swaps in tiny shapes, for the test that checks the
// harness itself; LINSGD_BENCH_SHAPES names another shapes file.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <stdexcept>
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
  const char* override_path = std::getenv("LINSGD_BENCH_SHAPES");
  const std::string path = override_path != nullptr ? override_path : LINSGD_BENCH_SHAPES_FILE;
  std::ifstream file(path);
  if (!file) throw std::runtime_error("cannot open the benchmark shapes " + path);
  const nlohmann::json json = nlohmann::json::parse(file);
  std::vector<Shape> shapes;
  for (const nlohmann::json& s : json.at(smoke_mode() ? "smoke_shapes" : "shapes")) {
    shapes.push_back({s.at("name").get<std::string>(), s.at("rows").get<int64_t>(),
                      s.at("features").get<int64_t>(), s.at("batch").get<int64_t>(),
                      s.at("gpu_steps").get<int64_t>(), s.at("cpu_steps").get<int64_t>()});
  }
  return shapes;
}

// Bytes of the copy-bandwidth reference: 1 GiB read and 1 GiB written (256 MiB in smoke mode).
inline int64_t copy_bytes() {
  return smoke_mode() ? int64_t{1} << 28 : int64_t{1} << 30;
}

}  // namespace linsgd::bench
