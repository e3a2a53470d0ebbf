// An epoch's permutation on the GPU: the rows ordered by a random key each, ties by row, by
// CUB's radix sort of (key, row) pairs (a stable sort, so the CPU's std::stable_sort of the
// same keys gives the same order).
#pragma once

#include <cuda_runtime.h>

#include <cstddef>
#include <cstdint>

namespace linsgd::kernels {

// Scratch bytes order_by_keys needs for `rows` keys.
size_t order_scratch_bytes(int64_t rows);

// rows_in_order[i] = i for i < rows. Enqueued.
void fill_row_numbers(cudaStream_t stream, uint32_t* rows_in_order, int64_t rows);

// order = the row numbers sorted by keys; sorted_keys receives the keys in that order. Enqueued,
// no allocation: `scratch` holds order_scratch_bytes(rows).
void order_by_keys(cudaStream_t stream, const uint32_t* keys, const uint32_t* rows_in_order,
                   uint32_t* sorted_keys, uint32_t* order, int64_t rows, void* scratch,
                   size_t scratch_bytes);

}  // namespace linsgd::kernels
