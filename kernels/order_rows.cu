// order_by_keys: cub::DeviceRadixSort::SortPairs over the 32-bit keys.
#include "kernels/order_rows.cuh"

#include <cub/device/device_radix_sort.cuh>

#include <algorithm>

#include "core/cuda_check.hpp"

namespace linsgd::kernels {
namespace {

constexpr int kBlockSize = 256;

__global__ void fill_row_numbers_kernel(uint32_t* rows_in_order, int64_t rows) {
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < rows;
       i += stride) {
    rows_in_order[i] = static_cast<uint32_t>(i);
  }
}

}  // namespace

size_t order_scratch_bytes(int64_t rows) {
  size_t bytes = 0;
  LINSGD_CUDA_CHECK(cub::DeviceRadixSort::SortPairs(
      nullptr, bytes, static_cast<const uint32_t*>(nullptr), static_cast<uint32_t*>(nullptr),
      static_cast<const uint32_t*>(nullptr), static_cast<uint32_t*>(nullptr),
      static_cast<int>(rows)));
  return bytes;
}

void fill_row_numbers(cudaStream_t stream, uint32_t* rows_in_order, int64_t rows) {
  const auto blocks =
      static_cast<unsigned>(std::clamp<int64_t>((rows + kBlockSize - 1) / kBlockSize, 1, 65535));
  fill_row_numbers_kernel<<<blocks, kBlockSize, 0, stream>>>(rows_in_order, rows);
  LINSGD_CUDA_CHECK_LAUNCH();
}

void order_by_keys(cudaStream_t stream, const uint32_t* keys, const uint32_t* rows_in_order,
                   uint32_t* sorted_keys, uint32_t* order, int64_t rows, void* scratch,
                   size_t scratch_bytes) {
  LINSGD_CUDA_CHECK(cub::DeviceRadixSort::SortPairs(scratch, scratch_bytes, keys, sorted_keys,
                                                    rows_in_order, order, static_cast<int>(rows), 0,
                                                    32, stream));
}

}  // namespace linsgd::kernels
