// How much device memory a training run needs, and the check that refuses a run that would not
// fit before anything is allocated.
#pragma once

#include <cstdint>
#include <string>

namespace linsgd {

// Bytes the CUDA backend allocates to train on a rows x features dataset: X, y, the synthetic
// truth, w, the gathered batch, the index draws of one chunk, residuals, gradient, the loss
// history, the full-dataset predictions and the cuBLAS workspace.
uint64_t training_device_bytes(int64_t rows, int64_t features, int64_t batch_size, int64_t steps);

// Throws InputError ("... needs 12.0 GiB of GPU memory but <device> has 9.5 GiB free") when
// `required` exceeds `available`.
void require_device_memory(uint64_t required, uint64_t available, const std::string& device);

std::string format_bytes(uint64_t bytes);  // "512 B", "3.5 MiB", "12.0 GiB"

}  // namespace linsgd
