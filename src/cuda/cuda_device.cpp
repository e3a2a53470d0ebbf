// query_cuda_device, query_fused_gpu_limits, and the public cuda_device_available.
#include "cuda/cuda_device.hpp"

#include <cuda_runtime.h>

#include "core/cuda_check.hpp"
#include "kernels/fused_sgd.cuh"
#include "linsgd/trainer.hpp"

namespace linsgd {

bool cuda_device_available() {
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess) {
    cudaGetLastError();  // no driver or no device: clear the error, report none
    return false;
  }
  return count > 0;
}

CudaDeviceInfo query_cuda_device() {
  int device = 0;
  LINSGD_CUDA_CHECK(cudaGetDevice(&device));
  cudaDeviceProp properties{};
  LINSGD_CUDA_CHECK(cudaGetDeviceProperties(&properties, device));
  CudaDeviceInfo info;
  info.name = properties.name;
  LINSGD_CUDA_CHECK(cudaMemGetInfo(&info.free_bytes, &info.total_bytes));
  return info;
}

FusedGpuLimits query_fused_gpu_limits() {
  int device = 0;
  LINSGD_CUDA_CHECK(cudaGetDevice(&device));
  FusedGpuLimits limits;
  int optin_shared = 0;
  int cooperative = 0;
  LINSGD_CUDA_CHECK(
      cudaDeviceGetAttribute(&limits.multiprocessors, cudaDevAttrMultiProcessorCount, device));
  LINSGD_CUDA_CHECK(
      cudaDeviceGetAttribute(&optin_shared, cudaDevAttrMaxSharedMemoryPerBlockOptin, device));
  LINSGD_CUDA_CHECK(cudaDeviceGetAttribute(&cooperative, cudaDevAttrCooperativeLaunch, device));
  limits.shared_bytes_per_block = optin_shared - kernels::fused_kernel_static_shared_bytes();
  limits.cooperative_launch = cooperative != 0;
  return limits;
}

}  // namespace linsgd
