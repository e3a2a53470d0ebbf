// query_cuda_device, query_fused_gpu_limits, and the public cuda_device_available.
#include "cuda/cuda_device.hpp"

#include <cuda_runtime.h>

#include "core/cuda_check.hpp"
#include "cuda/cuda_libraries.hpp"
#include "kernels/fused_sgd.cuh"
#include "linsgd/trainer.hpp"
#include "linsgd/version.hpp"

namespace linsgd {

bool cuda_device_available() {
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess) {
    cudaGetLastError();  // no driver or no device: clear the error, report none
    return false;
  }
  return count > 0;
}

void start_gpu_context() {
  // cudaFree(nullptr) creates the current device's primary context, which every later call on
  // any thread shares. A failure's error is this thread's, cleared: training reports its own.
  if (cudaFree(nullptr) != cudaSuccess) cudaGetLastError();
  // cuBLAS and cuSOLVER load here too (tenths of a second); a failure is training's to report.
  try {
    cublas_library();
    cusolver_library();
  } catch (const Error&) {
  }
}

namespace {

// 13000 -> "13.0" (CUDA's version numbers are 1000 x major + 10 x minor).
std::string cuda_version_text(int version) {
  return std::to_string(version / 1000) + "." + std::to_string(version % 1000 / 10);
}

}  // namespace

std::string cuda_versions() {
  int runtime = 0;
  int driver = 0;
  if (cudaRuntimeGetVersion(&runtime) != cudaSuccess) runtime = 0;
  if (cudaDriverGetVersion(&driver) != cudaSuccess) driver = 0;
  cudaGetLastError();
  return "CUDA " + cuda_version_text(CUDART_VERSION) + " at build; runtime " +
         cuda_version_text(runtime) + "; " +
         (driver == 0 ? std::string("no NVIDIA driver found")
                      : "the NVIDIA driver supports CUDA " + cuda_version_text(driver));
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

FusedGpuLimits query_fused_gpu_limits(bool clusters) {
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
  // Hopper's clusters hold up to 16 blocks with the non-portable size the kernel opts in to;
  // whether a given plan's cluster is resident is checked when it is prepared. Asked only by
  // the cluster experiments: the query loads a kernel a run would not.
  int cluster_launch = 0;
  LINSGD_CUDA_CHECK(cudaDeviceGetAttribute(&cluster_launch, cudaDevAttrClusterLaunch, device));
  limits.max_cluster_blocks =
      clusters && cluster_launch != 0 ? kernels::fused_cluster_blocks_most() : 0;
  return limits;
}

}  // namespace linsgd
