// Rows copied into shared memory by the Tensor Memory Accelerator (Hopper and later), the
// experiment of FusedLayout::bulk_copy: one bulk copy (cp.async.bulk) a row, issued by the lanes
// of one warp, each completing its bytes on one transaction barrier (an mbarrier) in the block's
// shared memory; in place of 16-byte cp.async copies by every thread, each a separate request.
// A round of copies completes the barrier's current phase once all its bytes have landed, so
// round i (counted from 0) is waited for at phase parity i % 2.
//
// Code compiled for an architecture before sm_90 traps here: the plans offer the experiment only
// where the GPU runs this build's sm_90 code (with_bulk_copy).
#pragma once

#include <cuda_runtime.h>

#include <cstdint>
#include <cstdio>

#include <cuda/ptx>

#include "core/cuda_check.hpp"
#include "core/fused_plan.hpp"
#include "linsgd/errors.hpp"

namespace linsgd::kernels {

// On the host, before a launch: throws Error unless `kernel` (the layout's) can run its bulk
// copies here: 16-byte copies, and this build's sm_90 code on the GPU (the plans offer bulk
// copies only then: with_bulk_copy; this holds a hand-made layout to it too).
inline void check_bulk_copies_can_run(const FusedLayout& layout, const void* kernel) {
  if (!layout.bulk_copy) return;
  if (!layout.vector_copy) {
    throw Error("the TMA's bulk copies need 16-byte copies (features a multiple of 4)");
  }
  cudaFuncAttributes attributes{};
  LINSGD_CUDA_CHECK(cudaFuncGetAttributes(&attributes, kernel));
  if (attributes.ptxVersion < 90) {
    throw Error("the TMA's bulk copies need sm_90 code on a Hopper GPU (or later)");
  }
}

struct RowsLanded {
  uint64_t* barrier;  // in shared memory, 8-byte aligned

  // Once, by the whole block, before the first round: one arrival (the issuing lane's) a phase.
  __device__ void start() const {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
    if (threadIdx.x == 0) {
      cuda::ptx::mbarrier_init(barrier, 1);
      // The barrier's initialization is visible to the TMA (the async proxy) before its copies.
      cuda::ptx::fence_mbarrier_init(cuda::ptx::sem_release, cuda::ptx::scope_cluster);
    }
    __syncthreads();
#else
    __trap();
#endif
  }

  // A round: by every lane of one warp (the others skip it), `rows` bulk copies of `row_bytes`
  // each (a multiple of 16), row k from `source(k)` in global memory to `destination(k)` in this
  // block's shared memory, both 16-byte aligned. The caller has passed a block barrier since the
  // block last read the destinations. The lanes compute the addresses; the copies themselves
  // issue one lane at a time (sm_90 SASS: a uniform-datapath UBLKCP a lane), as from one thread.
  template <class Source, class Destination>
  __device__ void copy(int64_t rows, uint32_t row_bytes, Source source,
                       Destination destination) const {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
    const int lane = static_cast<int>(threadIdx.x) % 32;
    // The block's reads of these rows (the generic proxy) before the TMA's writes over them.
    cuda::ptx::fence_proxy_async(cuda::ptx::space_shared);
    if (lane == 0) {
      // The round's bytes, at most a block's shared memory (< 2^20, the transaction count's
      // limit), expected before any copy of the round is issued (the __syncwarp below); the
      // phase completes once this arrival and all the bytes are in.
      cuda::ptx::mbarrier_arrive_expect_tx(cuda::ptx::sem_release, cuda::ptx::scope_cta,
                                           cuda::ptx::space_shared, barrier,
                                           static_cast<uint32_t>(rows) * row_bytes);
    }
    __syncwarp();
    for (int64_t k = lane; k < rows; k += 32) {
      cuda::ptx::cp_async_bulk(cuda::ptx::space_cluster, cuda::ptx::space_global, destination(k),
                               source(k), row_bytes, barrier);
    }
#else
    __trap();
#endif
  }

  // By every thread that reads the rows: until round `round` has landed. Bounded by the clock
  // (10 s, a thousand times any step under the sanitizers), so that a fault ends the run with a
  // message rather than hangs the GPU.
  __device__ void wait(int64_t round) const {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
    const auto parity = static_cast<uint32_t>(round % 2);
    const uint64_t began = cuda::ptx::get_sreg_globaltimer();
    while (!cuda::ptx::mbarrier_try_wait_parity(barrier, parity)) {
      if (cuda::ptx::get_sreg_globaltimer() - began > 10'000'000'000ull) {
        printf("bulk copies: block %u waited 10 s for round %lld's rows\n", blockIdx.x,
               static_cast<long long>(round));
        __trap();
      }
    }
#else
    __trap();
#endif
  }
};

}  // namespace linsgd::kernels
