// How much device memory a training run needs, and the check that refuses a run that would not
// fit before anything is allocated.
#pragma once

#include <cstdint>
#include <string>

namespace linsgd {

// Bytes a backend allocates to train on a rows x features dataset: X, y, the synthetic
// truth, w, the gathered batch, the index draws of one chunk, residuals, gradient, the ring of
// losses between checkpoints, the full-dataset predictions and the cuBLAS workspace.
uint64_t training_memory_bytes(int64_t rows, int64_t features, int64_t batch_size, int64_t steps);

// Throws InputError ("... needs 12.0 GiB of GPU memory but <device> has 9.5 GiB free") when
// `required` exceeds `available`.
void require_device_memory(uint64_t required, uint64_t available, const std::string& device);

// The CPU backend's counterpart: throws InputError ("... need 12.0 GiB of host memory but 9.5
// GiB is available ...") when `required` exceeds `available`.
void require_host_memory(uint64_t required, uint64_t available);

// MemAvailable of /proc/meminfo, or UINT64_MAX where that cannot be read.
uint64_t available_host_memory();

std::string format_bytes(uint64_t bytes);  // "512 B", "3.5 MiB", "12.0 GiB"

}  // namespace linsgd
