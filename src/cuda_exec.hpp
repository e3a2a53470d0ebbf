// The CUDA execution policy of the SGD engine: device buffers, cuBLAS SGEMV, a device cuRAND
// generator bound to the policy's stream, and the kernels of kernels/sgd_kernels.cuh. Everything
// is enqueued on one stream; nothing here synchronizes except synchronize(), upload(),
// download*() and residual_square_sum(), which the engine calls only outside the step loop
// (or at its checkpoints).
#pragma once

#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "device_buffer.hpp"
#include "fused_step.hpp"
#include "gemv_op.hpp"
#include "linsgd/cuda_check.hpp"
#include "random_generator.hpp"

namespace linsgd {

// Owning wrappers of the stream, the cuBLAS handle and an instantiated graph.
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
    CUDA_CHECK(cudaStreamBeginCapture(stream, cudaStreamCaptureModeThreadLocal));
    try {
      enqueue();
    } catch (...) {
      cudaGraph_t partial = nullptr;
      cudaStreamEndCapture(stream, &partial);
      if (partial != nullptr) cudaGraphDestroy(partial);
      throw;
    }
    CUDA_CHECK(cudaStreamEndCapture(stream, &result.graph_));
    CUDA_CHECK(cudaGraphInstantiate(&result.exec_, result.graph_, 0));
    return result;
  }
  void launch(cudaStream_t stream) { CUDA_CHECK(cudaGraphLaunch(exec_, stream)); }

 private:
  cudaGraph_t graph_ = nullptr;
  cudaGraphExec_t exec_ = nullptr;
};

// Name and memory of the current CUDA device, for messages and the memory check.
struct CudaDeviceInfo {
  std::string name;
  size_t free_bytes = 0;
  size_t total_bytes = 0;
};
CudaDeviceInfo query_cuda_device();

class CudaExec {
 public:
  template <class T>
  using Buffer = DeviceBuffer<T>;
  static constexpr bool kUsesHostMemory = false;

  CudaExec();

  std::string description() const;
  cudaStream_t stream() const { return stream_.get(); }

  template <class T>
  Buffer<T> allocate(int64_t count) {
    return Buffer<T>(count);
  }
  template <class T>
  void upload(Buffer<T>& destination, const std::vector<T>& source) {
    CUDA_CHECK(cudaMemcpyAsync(destination.data(), source.data(), source.size() * sizeof(T),
                               cudaMemcpyHostToDevice, stream()));
    synchronize();  // `source` may go away when this returns
  }
  template <class T>
  std::vector<T> download(const Buffer<T>& source, int64_t count) {
    return download_range(source, 0, count);
  }
  template <class T>
  std::vector<T> download_range(const Buffer<T>& source, int64_t first, int64_t count) {
    std::vector<T> result(static_cast<size_t>(count));
    CUDA_CHECK(cudaMemcpyAsync(result.data(), source.data() + first, result.size() * sizeof(T),
                               cudaMemcpyDeviceToHost, stream()));
    synchronize();
    return result;
  }
  template <class T>
  void zero(Buffer<T>& buffer) {  // enqueued: no synchronization
    CUDA_CHECK(cudaMemsetAsync(buffer.data(), 0, buffer.size() * sizeof(T), stream()));
  }
  RandomGenerator make_generator(uint64_t seed) {
    return RandomGenerator(RandomGenerator::Location::kDevice, seed, stream());
  }
  void synchronize() { CUDA_CHECK(cudaStreamSynchronize(stream())); }

  void gemv(GemvOp op, int64_t m, int64_t n, const float* A, const float* x, float beta, float* y);

  void gather_batch(int64_t batch, int64_t features, int64_t rows, const uint32_t* draws,
                    const float* X, const float* y, const float* bias, float* X_batch,
                    float* residual);
  void sgd_update(int64_t features, int64_t batch, float scale, const float* gradient,
                  const float* residual, float* w, float* bias, float* loss_history,
                  int64_t* step_counter);
  void synthetic_offset(int64_t rows, const float* true_bias, const float* noise, float* y);
  double residual_square_sum(int64_t rows, const float* predictions, const float* bias,
                             const float* y);

  // The fused engine: one cooperative persistent kernel per chunk (kernels/fused_sgd.cuh).
  FusedPlan plan_fused(int64_t features, int64_t batch, int64_t wanted_blocks);
  void fused_steps(const FusedPlan& plan, int64_t count, const FusedStepArgs& args);

  // Replays chunks of steps as CUDA Graphs: one graph per chunk length, captured by prepare()
  // before the loop. A captured graph keeps its kernel arguments, so the enqueued steps must
  // read everything that changes between chunks (indices, step counter) through device memory.
  class StepReplayer {
   public:
    explicit StepReplayer(cudaStream_t stream) : stream_(stream) {}
    template <class EnqueueSteps>
    void prepare(int64_t steps, EnqueueSteps&& enqueue) {
      if (graphs_.count(steps) != 0) return;
      graphs_.emplace(steps, CudaGraph::capture(stream_, [&] { enqueue(steps); }));
    }
    template <class EnqueueSteps>
    void run(int64_t steps, EnqueueSteps&& /*enqueue*/) {
      graphs_.at(steps).launch(stream_);
    }

   private:
    cudaStream_t stream_;
    std::map<int64_t, CudaGraph> graphs_;
  };
  StepReplayer make_step_replayer() { return StepReplayer(stream()); }

 private:
  CudaStream stream_;
  CublasHandle cublas_;
};

}  // namespace linsgd
