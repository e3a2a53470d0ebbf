// Parsing of --device and validation of a TrainConfig, with one-line messages that name the
// option and the offending value.
#include "linsgd/config.hpp"

#include <climits>
#include <cmath>
#include <sstream>

#include "linsgd/errors.hpp"

namespace linsgd {
namespace {

template <class T>
[[noreturn]] void refuse(const char* option, T value, const char* requirement) {
  std::ostringstream message;
  message << "invalid value for " << option << ": " << value << " (" << requirement << ")";
  throw UsageError(message.str());
}

void require_in_range(const char* option, int64_t value, int64_t max) {
  if (value <= 0) refuse(option, value, "must be a positive integer");
  if (value > max) {
    refuse(option, value, ("must be at most " + std::to_string(max)).c_str());
  }
}

}  // namespace

DeviceKind parse_device_kind(const std::string& text) {
  if (text == "auto") return DeviceKind::kAuto;
  if (text == "cuda") return DeviceKind::kCuda;
  if (text == "cpu") return DeviceKind::kCpu;
  throw UsageError("invalid value for --device: " + text + " (expected auto, cuda or cpu)");
}

const char* to_string(DeviceKind kind) {
  switch (kind) {
    case DeviceKind::kAuto:
      return "auto";
    case DeviceKind::kCuda:
      return "cuda";
    case DeviceKind::kCpu:
      return "cpu";
  }
  return "unknown";
}

Engine parse_engine(const std::string& text) {
  if (text == "auto") return Engine::kAuto;
  if (text == "gemv") return Engine::kGemv;
  if (text == "fused") return Engine::kFused;
  throw UsageError("invalid value for --engine: " + text + " (expected auto, gemv or fused)");
}

const char* to_string(Engine engine) {
  switch (engine) {
    case Engine::kAuto:
      return "auto";
    case Engine::kGemv:
      return "gemv";
    case Engine::kFused:
      return "fused";
  }
  return "unknown";
}

void validate(const TrainConfig& config) {
  // cuBLAS and CBLAS take int dimensions: rows, features and the batch must fit in an int.
  require_in_range("--rows", config.rows, kMaxRows);
  require_in_range("--features", config.features, INT_MAX);
  require_in_range("--batch-size", config.batch_size, INT_MAX);
  require_in_range("--steps", config.steps, INT64_MAX / 2);
  if (!std::isfinite(config.learning_rate) || config.learning_rate <= 0.0) {
    refuse("--lr", config.learning_rate, "must be a positive finite number");
  }
  if (!std::isfinite(config.sigma) || config.sigma < 0.0) {
    refuse("--sigma", config.sigma, "must be a non-negative finite number");
  }
  if (config.threads < 0) refuse("--threads", config.threads, "must be 0 (automatic) or more");
  if (config.fused_blocks < 0) {
    refuse("--fused-blocks", config.fused_blocks, "must be 0 (from the shape) or more");
  }
  if (config.fused_blocks > 0 && config.engine == Engine::kGemv) {
    refuse("--fused-blocks", config.fused_blocks,
           "applies to the fused engine, not to --engine gemv");
  }
  // Byte counts of X must not overflow: cap rows x features at 2^60 elements.
  if (config.rows > (int64_t{1} << 60) / config.features) {
    refuse("--rows", config.rows, "rows x features must be at most 2^60");
  }
}

}  // namespace linsgd
