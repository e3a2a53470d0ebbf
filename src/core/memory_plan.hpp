// How much device memory a training run needs, and the check that refuses a run that would not
// fit before anything is allocated.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "linsgd/config.hpp"

namespace linsgd {

// Rows a block of the exact solver's Gram accumulation holds: about 64 MiB of doubles.
inline int64_t normal_equations_block_rows(int64_t rows, int64_t features) {
  return std::clamp<int64_t>((int64_t{1} << 23) / (features + 2), 1, rows);
}

// Bytes a backend allocates to train `config` on a rows x features dataset (with a validation set
// of `validation_rows`, and sample weights when `weighted`): X, y and the weights, the synthetic
// truth, w and its momentum and averages, the gathered batch, the rows of one chunk (and an
// epoch's permutation), residuals, gradient, the ring of losses between checkpoints, the
// full-dataset predictions and the cuBLAS workspace; for the exact solver, the normal equations
// and a block of rows in double in place of the steps' buffers.
uint64_t training_memory_bytes(const TrainConfig& config, int64_t rows, int64_t features,
                               int64_t validation_rows = 0, bool weighted = false);

// What a run that does not fit should make smaller: the batch where its buffers (the gathered
// batch and a chunk's draws) outweigh the data, the features (or the solver) where the exact
// solver's normal equations do, else the data.
inline constexpr const char* kShrinkTheData = "use fewer rows or features";
inline constexpr const char* kShrinkTheBatch = "use a smaller --batch-size";
inline constexpr const char* kShrinkTheEquations =
    "use fewer features (the normal equations hold (features + 1)^2 doubles), or --solver sgd";
std::string shrink_advice(const TrainConfig& config, int64_t rows, int64_t features);
// What shrinks a run's buffers alone (the data left aside): the batch, or the exact solver's
// normal equations.
inline const char* buffers_advice(const TrainConfig& config) {
  return config.solver == Solver::kExact ? kShrinkTheEquations : kShrinkTheBatch;
}

// The bytes of X and y of a rows x features dataset and of its validation set: what
// training_memory_bytes counts for data that a run uses where it lies instead.
uint64_t data_bytes(int64_t rows, int64_t features, int64_t validation_rows);

// Throws InputError ("... needs 12.0 GiB of GPU memory but <device> has 9.5 GiB free") when
// `required` exceeds `available`.
// `shrink` ends the message: what to make smaller (see shrink_advice).
void require_device_memory(uint64_t required, uint64_t available, const std::string& device,
                           const std::string& shrink = kShrinkTheData);

// Where a GPU run keeps its data. kDevice: X, y and the weights are copied to device memory
// (or are CUDA arrays already). kHostMapped: they stay in host memory, pinned and mapped into the
// device's address space, and each step's gather reads its sampled rows over the bus: data
// larger than the device trains at the bus's speed instead of being refused.
enum class DataPlacement { kDevice, kHostMapped };

// kDevice when the run's `required` bytes fit `available`; else kHostMapped when the data is in
// host memory (`host_data`) and the run without its `data` bytes fits; else throws InputError
// naming both sizes and `device` (as require_device_memory, adding what streaming would need).
DataPlacement plan_data_placement(uint64_t required, uint64_t data, bool host_data,
                                  uint64_t available, const std::string& device,
                                  const std::string& shrink = kShrinkTheData,
                                  const std::string& buffers_shrink = kShrinkTheBatch);

// The CPU backend's counterpart: throws InputError ("... need 12.0 GiB of host memory but 9.5
// GiB is available ...") when `required` exceeds `available`.
void require_host_memory(uint64_t required, uint64_t available,
                         const std::string& shrink = kShrinkTheData);

// MemAvailable of /proc/meminfo, or UINT64_MAX where that cannot be read.
uint64_t available_host_memory();

// The MemAvailable line of a /proc/meminfo text ("MemAvailable:   131379572 kB"), in bytes; none
// where the line is absent or unreadable, or reads 0, which no running process can have: such a
// reading says the system does not report it. Parsed line by line with std::from_chars, so no
// locale and no line without a unit (HugePages_Total:  0) can shift it.
std::optional<uint64_t> mem_available_bytes(std::string_view meminfo);

std::string format_bytes(uint64_t bytes);  // "512 B", "3.5 MiB", "12.0 GiB"

}  // namespace linsgd
