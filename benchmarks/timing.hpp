// The benchmarks' clocks: the host's steady clock around work, and CUDA events around the work
// a stream is given (the GPU's time, not the host's).
#pragma once

#include <cuda_runtime.h>

#include <chrono>

#include "core/cuda_check.hpp"

namespace linsgd::bench {

// Seconds `work` takes by the host's steady clock.
template <class Work>
double wall_seconds(Work&& work) {
  const auto start = std::chrono::steady_clock::now();
  work();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Seconds between two CUDA events recorded around the work `work` enqueues on `stream`.
class EventTimer {
 public:
  EventTimer() {
    LINSGD_CUDA_CHECK(cudaEventCreate(&start_));
    LINSGD_CUDA_CHECK(cudaEventCreate(&stop_));
  }
  ~EventTimer() {
    LINSGD_CUDA_CHECK_NO_THROW(cudaEventDestroy(start_));
    LINSGD_CUDA_CHECK_NO_THROW(cudaEventDestroy(stop_));
  }
  EventTimer(const EventTimer&) = delete;
  EventTimer& operator=(const EventTimer&) = delete;

  template <class Work>
  double seconds(cudaStream_t stream, Work&& work) {
    LINSGD_CUDA_CHECK(cudaEventRecord(start_, stream));
    work();
    LINSGD_CUDA_CHECK(cudaEventRecord(stop_, stream));
    LINSGD_CUDA_CHECK(cudaEventSynchronize(stop_));
    float milliseconds = 0.0f;
    LINSGD_CUDA_CHECK(cudaEventElapsedTime(&milliseconds, start_, stop_));
    return milliseconds * 1e-3;
  }

 private:
  cudaEvent_t start_ = nullptr;
  cudaEvent_t stop_ = nullptr;
};

}  // namespace linsgd::bench
