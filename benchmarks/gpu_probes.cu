// The probes of gpu_probes.hpp: one small kernel a primitive, timed from inside.
#include "gpu_probes.hpp"

#include <cuda_runtime.h>

#include <cstdint>
#include <string>

#include <cooperative_groups.h>

#include "core/cuda_check.hpp"
#include "cuda/device_buffer.hpp"
#include "kernels/phase_clock.cuh"
#include "linsgd/errors.hpp"

namespace linsgd::bench {
namespace {

constexpr int kThreads = 256;
// Chains step this many 4-byte words at a time: 16 KiB, past any line and prefetch.
constexpr uint32_t kChainStride = 4097;

// A probe's span (kernels/phase_clock.cuh's ClockSpan); stop() has the first thread of block 0
// write [nanoseconds, cycles] since start() to `out`.
class Stopwatch {
 public:
  __device__ void start() { span_.start(); }
  __device__ void stop(unsigned long long* out) const {
    uint64_t nanoseconds = 0, cycles = 0;
    span_.elapsed(&nanoseconds, &cycles);
    if (blockIdx.x != 0 || threadIdx.x != 0) return;
    out[0] = nanoseconds;
    out[1] = cycles;
  }

 private:
  kernels::ClockSpan span_;
};

__global__ void block_barrier_rounds(int rounds, unsigned long long* out) {
  __syncthreads();
  Stopwatch watch;
  watch.start();
  for (int i = 0; i < rounds; ++i) __syncthreads();
  watch.stop(out);
}

// `rounds` barriers of `group` (a grid or a cluster), timed from the first barrier passed.
template <class Group>
__device__ void barrier_rounds(const Group& group, int rounds, unsigned long long* out) {
  group.sync();
  Stopwatch watch;
  watch.start();
  for (int i = 0; i < rounds; ++i) group.sync();
  watch.stop(out);
}

__global__ void grid_barrier_rounds(int rounds, unsigned long long* out) {
  barrier_rounds(cooperative_groups::this_grid(), rounds, out);
}

__global__ void cluster_barrier_rounds(int rounds, unsigned long long* out) {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
  barrier_rounds(cooperative_groups::this_cluster(), rounds, out);
#else
  __trap();  // cluster_kernel_ready refuses a build without sm_90 code
#endif
}

// chain[i] = (i + kChainStride) mod words, words a power of two: an odd stride visits every word.
__global__ void fill_chain(uint32_t* chain, uint32_t words) {
  const uint32_t i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < words) chain[i] = (i + kChainStride) & (words - 1);
}

// `rounds` links of the chain from word 0, timed; `warm`: after an untimed pass over the same
// links, which leaves them in L2 where they fit.
__global__ void follow_chain(const uint32_t* chain, bool warm, int rounds, unsigned long long* out,
                             uint32_t* end) {
  uint32_t i = 0;
  if (warm) {
    for (int k = 0; k < rounds; ++k) i = __ldcg(chain + i);
  }
  const uint32_t after_warm_up = i;
  i = 0;
  Stopwatch watch;
  watch.start();
  for (int k = 0; k < rounds; ++k) i = __ldcg(chain + i);
  watch.stop(out);
  *end = i + after_warm_up;  // keeps both passes' loads
}

// Block 1 of a cluster of 2 fills its shared memory with a chain; block 0 follows it there.
__global__ void follow_remote_shared_chain(int rounds, unsigned long long* out, uint32_t* end) {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
  constexpr uint32_t kSharedChainWords = 8192;  // 32 KiB
  __shared__ uint32_t chain[kSharedChainWords];
  const cooperative_groups::cluster_group cluster = cooperative_groups::this_cluster();
  for (uint32_t i = threadIdx.x; i < kSharedChainWords; i += blockDim.x) {
    chain[i] = (i + 1031u) & (kSharedChainWords - 1);  // 4 KiB a step
  }
  cluster.sync();
  if (cluster.block_rank() == 0 && threadIdx.x == 0) {
    const uint32_t* remote = cluster.map_shared_rank(chain, 1);
    uint32_t i = 0;
    Stopwatch watch;
    watch.start();
    for (int k = 0; k < rounds; ++k) i = remote[i];
    watch.stop(out);
    *end = i;
  }
  cluster.sync();  // block 1's shared memory outlives block 0's reads
#else
  __trap();
#endif
}

ProbeTiming timing_of(const DeviceBuffer<unsigned long long>& out, int rounds) {
  unsigned long long span[2] = {0, 0};
  LINSGD_CUDA_CHECK(cudaMemcpy(span, out.data(), sizeof(span), cudaMemcpyDeviceToHost));
  ProbeTiming timing;
  timing.nanoseconds_per_round = static_cast<double>(span[0]) / rounds;
  timing.clock_ghz = span[0] > 0 ? static_cast<double>(span[1]) / static_cast<double>(span[0]) : 0;
  return timing;
}

// The dynamic shared memory that leaves room for one block a multiprocessor: all a block may
// opt in to.
int one_block_per_multiprocessor(const void* kernel) {
  int device = 0, optin = 0;
  LINSGD_CUDA_CHECK(cudaGetDevice(&device));
  LINSGD_CUDA_CHECK(
      cudaDeviceGetAttribute(&optin, cudaDevAttrMaxSharedMemoryPerBlockOptin, device));
  cudaFuncAttributes attributes{};
  LINSGD_CUDA_CHECK(cudaFuncGetAttributes(&attributes, kernel));
  const int bytes = optin - static_cast<int>(attributes.sharedSizeBytes);
  LINSGD_CUDA_CHECK(
      cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, bytes));
  return bytes;
}

// Throws unless `kernel` can run as clusters of `blocks` here: sm_90 code and a GPU with
// clusters (it opts in to the non-portable sizes past 8).
void cluster_kernel_ready(const void* kernel, int blocks) {
  int device = 0, cluster_launch = 0;
  LINSGD_CUDA_CHECK(cudaGetDevice(&device));
  LINSGD_CUDA_CHECK(cudaDeviceGetAttribute(&cluster_launch, cudaDevAttrClusterLaunch, device));
  cudaFuncAttributes attributes{};
  LINSGD_CUDA_CHECK(cudaFuncGetAttributes(&attributes, kernel));
  if (cluster_launch == 0 || attributes.ptxVersion < 90) {
    throw Error("no thread-block clusters on this GPU or in this build");
  }
  if (blocks > 8) {
    LINSGD_CUDA_CHECK(
        cudaFuncSetAttribute(kernel, cudaFuncAttributeNonPortableClusterSizeAllowed, 1));
  }
}

// One cluster of `blocks` blocks of kThreads threads, with `shared_bytes` each: throws where
// such a cluster cannot be resident.
struct OneCluster {
  cudaLaunchAttribute attribute{};
  cudaLaunchConfig_t config{};
  OneCluster(const void* kernel, int blocks, int shared_bytes) {
    attribute.id = cudaLaunchAttributeClusterDimension;
    attribute.val.clusterDim.x = static_cast<unsigned>(blocks);
    attribute.val.clusterDim.y = 1;
    attribute.val.clusterDim.z = 1;
    config.gridDim = dim3(static_cast<unsigned>(blocks));
    config.blockDim = dim3(kThreads);
    config.dynamicSmemBytes = static_cast<size_t>(shared_bytes);
    config.attrs = &attribute;
    config.numAttrs = 1;
    int clusters = 0;
    LINSGD_CUDA_CHECK(cudaOccupancyMaxActiveClusters(&clusters, kernel, &config));
    if (clusters < 1) {
      throw Error("a cluster of " + std::to_string(blocks) + " blocks with " +
                  std::to_string(shared_bytes / 1024) +
                  " KiB of shared memory each cannot be resident on this GPU");
    }
  }
};

}  // namespace

ProbeTiming probe_block_barrier(int threads, int rounds) {
  DeviceBuffer<unsigned long long> out(2);
  block_barrier_rounds<<<1, threads>>>(rounds, out.data());
  LINSGD_CUDA_CHECK(cudaGetLastError());
  return timing_of(out, rounds);
}

ProbeTiming probe_grid_barrier(int blocks, int rounds) {
  const void* kernel = reinterpret_cast<const void*>(grid_barrier_rounds);
  const int shared_bytes = one_block_per_multiprocessor(kernel);
  DeviceBuffer<unsigned long long> out(2);
  unsigned long long* out_data = out.data();
  void* parameters[] = {&rounds, &out_data};
  LINSGD_CUDA_CHECK(cudaLaunchCooperativeKernel(kernel, dim3(static_cast<unsigned>(blocks)),
                                                dim3(kThreads), parameters,
                                                static_cast<size_t>(shared_bytes), nullptr));
  return timing_of(out, rounds);
}

ProbeTiming probe_cluster_barrier(int blocks, bool spread, int rounds) {
  const void* kernel = reinterpret_cast<const void*>(cluster_barrier_rounds);
  cluster_kernel_ready(kernel, blocks);
  const OneCluster launch(kernel, blocks, spread ? one_block_per_multiprocessor(kernel) : 0);
  DeviceBuffer<unsigned long long> out(2);
  unsigned long long* out_data = out.data();
  void* parameters[] = {&rounds, &out_data};
  LINSGD_CUDA_CHECK(cudaLaunchKernelExC(&launch.config, kernel, parameters));
  return timing_of(out, rounds);
}

ProbeTiming probe_dependent_loads(int64_t bytes, bool warm, int rounds) {
  uint32_t words = 1;
  while (4 * static_cast<int64_t>(words) * 2 <= bytes) words *= 2;  // a power of two
  DeviceBuffer<uint32_t> chain(words), end(1);
  DeviceBuffer<unsigned long long> out(2);
  fill_chain<<<(words + kThreads - 1) / kThreads, kThreads>>>(chain.data(), words);
  LINSGD_CUDA_CHECK(cudaGetLastError());
  follow_chain<<<1, 1>>>(chain.data(), warm, rounds, out.data(), end.data());
  LINSGD_CUDA_CHECK(cudaGetLastError());
  return timing_of(out, rounds);
}

ProbeTiming probe_remote_shared_loads(int rounds) {
  const void* kernel = reinterpret_cast<const void*>(follow_remote_shared_chain);
  cluster_kernel_ready(kernel, 2);
  const OneCluster launch(kernel, 2, 0);
  DeviceBuffer<unsigned long long> out(2);
  DeviceBuffer<uint32_t> end(1);
  unsigned long long* out_data = out.data();
  uint32_t* end_data = end.data();
  void* parameters[] = {&rounds, &out_data, &end_data};
  LINSGD_CUDA_CHECK(cudaLaunchKernelExC(&launch.config, kernel, parameters));
  return timing_of(out, rounds);
}

}  // namespace linsgd::bench
