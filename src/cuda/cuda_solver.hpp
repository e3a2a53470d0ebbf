// The Cholesky solve of the exact solver on the GPU (cuSOLVER's dense potrf and potrs), with
// its handle, workspace and status owned for the one call.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

namespace linsgd {

// Solves G x = rhs for a symmetric positive definite G (its upper triangle, column-major,
// dimension x dimension, device memory); rhs is overwritten with x and G with its Cholesky
// factor R. Returns -1, or the column (0-based) where G proved not positive definite.
// Synchronizes.
int64_t cholesky_solve_on_device(cudaStream_t stream, double* G, double* rhs, int64_t dimension);

}  // namespace linsgd
