// Owning wrappers (RAII, move-only or pinned) of the CUDA objects the GPU policy holds: a
// non-blocking stream, a cuBLAS handle bound to it with its workspace, and an instantiated CUDA
// Graph captured from work enqueued on a stream.
#pragma once

#include <cublas_v2.h>
#include <cuda_runtime.h>

#include "core/cuda_check.hpp"
#include "cuda/device_buffer.hpp"

namespace linsgd {

class CudaStream {
 public:
  CudaStream();
  ~CudaStream();
  CudaStream(const CudaStream&) = delete;
  CudaStream& operator=(const CudaStream&) = delete;
  cudaStream_t get() const { return stream_; }

 private:
  cudaStream_t stream_ = nullptr;
};

class CublasHandle {
 public:
  explicit CublasHandle(cudaStream_t stream);
  ~CublasHandle();
  CublasHandle(const CublasHandle&) = delete;
  CublasHandle& operator=(const CublasHandle&) = delete;
  cublasHandle_t get() const { return handle_; }

 private:
  cublasHandle_t handle_ = nullptr;
  // cuBLAS gets its workspace before any capture, so captured calls allocate nothing.
  DeviceBuffer<unsigned char> workspace_;
};

class CudaGraph {
 public:
  CudaGraph() = default;
  ~CudaGraph();
  CudaGraph(CudaGraph&& other) noexcept;
  CudaGraph& operator=(CudaGraph&& other) noexcept;
  CudaGraph(const CudaGraph&) = delete;
  CudaGraph& operator=(const CudaGraph&) = delete;

  // Records what `enqueue` puts on `stream` (without running it) and instantiates it.
  template <class Enqueue>
  static CudaGraph capture(cudaStream_t stream, Enqueue&& enqueue) {
    CudaGraph result;
    LINSGD_CUDA_CHECK(cudaStreamBeginCapture(stream, cudaStreamCaptureModeThreadLocal));
    try {
      enqueue();
    } catch (...) {
      cudaGraph_t partial = nullptr;
      cudaStreamEndCapture(stream, &partial);
      if (partial != nullptr) cudaGraphDestroy(partial);
      cudaGetLastError();  // the failed capture's error is the one being thrown
      throw;
    }
    LINSGD_CUDA_CHECK(cudaStreamEndCapture(stream, &result.graph_));
    LINSGD_CUDA_CHECK(cudaGraphInstantiate(&result.exec_, result.graph_, 0));
    return result;
  }
  void launch(cudaStream_t stream) { LINSGD_CUDA_CHECK(cudaGraphLaunch(exec_, stream)); }

 private:
  cudaGraph_t graph_ = nullptr;
  cudaGraphExec_t exec_ = nullptr;
};

}  // namespace linsgd
