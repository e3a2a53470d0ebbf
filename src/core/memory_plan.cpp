// Device-memory estimate of a training run and the refusal when it does not fit.
#include "core/memory_plan.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <system_error>

#include "core/checkpoints.hpp"
#include "core/rng_plan.hpp"
#include "linsgd/errors.hpp"

namespace linsgd {

uint64_t training_memory_bytes(const TrainConfig& config, int64_t rows, int64_t features,
                               int64_t validation_rows, bool weighted) {
  using rng_plan::even_count;
  constexpr uint64_t kFloat = sizeof(float);
  constexpr uint64_t kCublasWorkspace = uint64_t{32} << 20;
  const uint64_t n = static_cast<uint64_t>(rows);
  const uint64_t v = static_cast<uint64_t>(validation_rows);
  const uint64_t d = static_cast<uint64_t>(features);
  const uint64_t b = static_cast<uint64_t>(config.batch_size);
  const uint64_t chunk =
      static_cast<uint64_t>(rng_plan::steps_per_chunk(config.batch_size, config.steps));
  // X, y (and weights) of the data and of the validation set, and their predictions (doubles:
  // two floats each).
  const uint64_t data =
      kFloat * (static_cast<uint64_t>(even_count(rows * features)) +
                static_cast<uint64_t>(even_count(rows)) + 2 * n + v * (d + 3) + (weighted ? n : 0));
  // w, the truth, the gradient, the momentum and the averages.
  const uint64_t parameters = kFloat * (5 * static_cast<uint64_t>(even_count(features)) + 6);
  if (config.solver == Solver::kExact) {
    // The normal equations (d + 1)^2 and their right-hand side, and a block of rows widened to
    // double (see solve_normal_equations), in place of the steps' buffers.
    // (Counted in double: (d + 1)^2 doubles pass 2^64 bytes for d near 1.5e9; held to 2^63.)
    const double dimension = static_cast<double>(d) + 1.0;
    const auto block = static_cast<double>(normal_equations_block_rows(rows, features));
    const double equations =
        sizeof(double) * (dimension * dimension + dimension + block * (dimension + 1.0));
    return data + parameters + kCublasWorkspace +
           static_cast<uint64_t>(std::min(equations, 0x1p63));
  }
  // The gathered batch, residuals, derivatives and loss terms, the chunk's rows, and an epoch's
  // keys, order and sorted keys with the sort's scratch (about as much again).
  const uint64_t epoch = config.sampling != Sampling::kReplacement ? kFloat * 5 * n : 0;
  const uint64_t step_buffers = kFloat * (b * d + 3 * b + chunk * b) + epoch + 64;
  const uint64_t losses =
      kFloat * static_cast<uint64_t>(loss_ring_capacity(config.batch_size, config.steps));
  return data + parameters + step_buffers + losses + kCublasWorkspace;
}

std::string shrink_advice(const TrainConfig& config, int64_t rows, int64_t features) {
  if (config.solver == Solver::kExact) {
    // The equations' 8 (d + 1)^2 bytes against the data's 4 n (d + 1).
    const uint64_t dimension = static_cast<uint64_t>(features) + 1;
    return 2 * dimension > static_cast<uint64_t>(rows) ? kShrinkTheEquations : kShrinkTheData;
  }
  const auto b = static_cast<uint64_t>(config.batch_size);
  const auto chunk =
      static_cast<uint64_t>(rng_plan::steps_per_chunk(config.batch_size, config.steps));
  const uint64_t batch = b * static_cast<uint64_t>(features) + chunk * b;
  return batch > static_cast<uint64_t>(rows) * static_cast<uint64_t>(features + 1) ? kShrinkTheBatch
                                                                                   : kShrinkTheData;
}

uint64_t data_bytes(int64_t rows, int64_t features, int64_t validation_rows) {
  return sizeof(float) * static_cast<uint64_t>(rows + validation_rows) *
         static_cast<uint64_t>(features + 1);
}

std::string format_bytes(uint64_t bytes) {
  static const char* const kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  double value = static_cast<double>(bytes);
  int unit = 0;
  while (value >= 1024.0 && unit < 5) {
    value /= 1024.0;
    ++unit;
  }
  char text[32];
  if (unit == 0) {
    std::snprintf(text, sizeof(text), "%llu B", static_cast<unsigned long long>(bytes));
  } else {
    std::snprintf(text, sizeof(text), "%.1f %s", value, kUnits[unit]);
  }
  return text;
}

void require_host_memory(uint64_t required, uint64_t available, const std::string& shrink) {
  if (required <= available) return;
  throw InputError("the data and training buffers need " + format_bytes(required) +
                   " of host memory but " + format_bytes(available) + " is available; " + shrink);
}

std::optional<uint64_t> mem_available_bytes(std::string_view meminfo) {
  constexpr std::string_view kKey = "MemAvailable:";
  while (!meminfo.empty()) {
    const size_t end = meminfo.find('\n');
    std::string_view line = meminfo.substr(0, end);
    meminfo = end == std::string_view::npos ? std::string_view{} : meminfo.substr(end + 1);
    if (line.substr(0, kKey.size()) != kKey) continue;
    line.remove_prefix(kKey.size());
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    uint64_t kibibytes = 0;
    const auto [rest, error] = std::from_chars(line.data(), line.data() + line.size(), kibibytes);
    const std::string_view unit(rest, static_cast<size_t>(line.data() + line.size() - rest));
    if (error != std::errc() || (unit != " kB" && unit != "kB" && !unit.empty())) {
      return std::nullopt;
    }
    if (kibibytes == 0 || kibibytes > UINT64_MAX / 1024) return std::nullopt;
    return kibibytes * 1024;
  }
  return std::nullopt;
}

uint64_t available_host_memory() {
  std::ifstream file("/proc/meminfo");
  std::ostringstream text;
  text << file.rdbuf();
  return mem_available_bytes(text.str()).value_or(UINT64_MAX);
}

DataPlacement plan_data_placement(uint64_t required, uint64_t data, bool host_data,
                                  uint64_t available, const std::string& device,
                                  const std::string& shrink, const std::string& buffers_shrink) {
  if (required <= available) return DataPlacement::kDevice;
  const uint64_t without_data = required - std::min(data, required);
  if (host_data && without_data <= available) return DataPlacement::kHostMapped;
  if (!host_data) require_device_memory(required, available, device, shrink);  // throws
  throw InputError("the training buffers need " + format_bytes(without_data) +
                   " of GPU memory even with the data (" + format_bytes(data) +
                   ") left in host memory, but " + device + " has " + format_bytes(available) +
                   " free; " + buffers_shrink + ", or --device cpu");
}

void require_device_memory(uint64_t required, uint64_t available, const std::string& device,
                           const std::string& shrink) {
  if (required <= available) return;
  throw InputError("the data and training buffers need " + format_bytes(required) +
                   " of GPU memory but " + device + " has " + format_bytes(available) + " free; " +
                   shrink + ", or --device cpu");
}

}  // namespace linsgd
