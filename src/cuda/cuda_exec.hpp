// The CUDA execution policy of the SGD loop: device buffers, cuBLAS SGEMV, a device cuRAND
// generator bound to the policy's stream, and the kernels of kernels/. Everything is enqueued
// on one stream; nothing here synchronizes except synchronize(), upload(), download*() and
// residual_square_sum(), which the loop calls only outside its steps (or at its checkpoints).
#pragma once

#include <cuda_runtime.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/cuda_check.hpp"
#include "core/fused_plan.hpp"
#include "core/gemv_op.hpp"
#include "core/random_generator.hpp"
#include "core/step_args.hpp"
#include "cuda/cuda_handles.hpp"
#include "cuda/device_buffer.hpp"
#include "cuda/host_mapping.hpp"

namespace linsgd {

class CudaExec {
 public:
  template <class T>
  using Buffer = DeviceBuffer<T>;
  static constexpr bool kUsesHostMemory = false;

  CudaExec();

  std::string description() const;  // "GPU: <name>"
  cudaStream_t stream() const { return stream_.get(); }

  template <class T>
  Buffer<T> allocate(int64_t count) {
    return Buffer<T>(count);
  }
  // `count` floats of host memory (which must outlive this policy), pinned and mapped: the
  // device pointer kernels read them through, over the bus (DataPlacement::kHostMapped).
  const float* map_host(const float* host, int64_t count, const char* what) {
    mappings_.push_back(
        std::make_unique<HostMapping>(host, static_cast<size_t>(count) * sizeof(float), what));
    return static_cast<const float*>(mappings_.back()->device_pointer());
  }

  template <class T>
  void upload(Buffer<T>& destination, const std::vector<T>& source) {
    upload_from(destination, source.data(), static_cast<int64_t>(source.size()));
  }
  template <class T>
  void upload_from(Buffer<T>& destination, const T* source, int64_t count) {
    LINSGD_CUDA_CHECK(cudaMemcpyAsync(destination.data(), source,
                                      static_cast<size_t>(count) * sizeof(T),
                                      cudaMemcpyHostToDevice, stream()));
    synchronize();  // `source` may go away when this returns
  }
  template <class T>
  void upload_range(Buffer<T>& destination, int64_t first, const std::vector<T>& source) {
    LINSGD_CUDA_CHECK(cudaMemcpyAsync(destination.data() + first, source.data(),
                                      source.size() * sizeof(T), cudaMemcpyHostToDevice, stream()));
    synchronize();  // `source` may go away when this returns
  }
  template <class T>
  std::vector<T> download(const Buffer<T>& source, int64_t count) {
    return download_range(source, 0, count);
  }
  template <class T>
  std::vector<T> download_range(const Buffer<T>& source, int64_t first, int64_t count) {
    return download_from(source.data() + first, count);
  }
  template <class T>
  std::vector<T> download_from(const T* source, int64_t count) {
    std::vector<T> result(static_cast<size_t>(count));
    LINSGD_CUDA_CHECK(cudaMemcpyAsync(result.data(), source, result.size() * sizeof(T),
                                      cudaMemcpyDeviceToHost, stream()));
    synchronize();
    return result;
  }
  template <class T>
  void zero(Buffer<T>& buffer) {  // enqueued: no synchronization
    if (buffer.size() == 0) return;
    LINSGD_CUDA_CHECK(cudaMemsetAsync(buffer.data(), 0, buffer.size() * sizeof(T), stream()));
  }
  // Synchronizes (the value is on the host's stack): only outside the step loop.
  template <class T>
  void upload_value(Buffer<T>& destination, T value) {
    LINSGD_CUDA_CHECK(
        cudaMemcpyAsync(destination.data(), &value, sizeof(T), cudaMemcpyHostToDevice, stream()));
    synchronize();
  }
  template <class T>
  void copy(T* destination, const T* source, int64_t count) {  // device to device, enqueued
    LINSGD_CUDA_CHECK(cudaMemcpyAsync(destination, source, static_cast<size_t>(count) * sizeof(T),
                                      cudaMemcpyDeviceToDevice, stream()));
  }
  // `rows` runs of `width` values, `pitch` apart in `source`, packed one after another: one 2-D
  // copy, device to device, enqueued.
  template <class T>
  void copy_strided(T* destination, const T* source, int64_t rows, int64_t width, int64_t pitch) {
    LINSGD_CUDA_CHECK(cudaMemcpy2DAsync(
        destination, static_cast<size_t>(width) * sizeof(T), source,
        static_cast<size_t>(pitch) * sizeof(T), static_cast<size_t>(width) * sizeof(T),
        static_cast<size_t>(rows), cudaMemcpyDeviceToDevice, stream()));
  }

  // The rows ordered by their keys, ties by row: an epoch's permutation, by CUB's radix sort
  // of (key, row) pairs, which is stable. Its buffers are allocated once, here.
  class KeySorter {
   public:
    KeySorter(cudaStream_t stream, int64_t rows);
    void order(const uint32_t* keys, uint32_t* order);

   private:
    cudaStream_t stream_;
    int64_t rows_;
    DeviceBuffer<uint32_t> sorted_keys_;
    DeviceBuffer<uint32_t> rows_in_order_;  // 0, 1, ..., rows - 1
    DeviceBuffer<unsigned char> scratch_;
  };
  KeySorter make_key_sorter(int64_t rows) { return KeySorter(stream(), rows); }
  RandomGenerator make_generator(uint64_t seed, bool /*share_long_draws: the host's*/ = false) {
    return RandomGenerator(RandomGenerator::Location::kDevice, seed, stream());
  }
  void synchronize() { LINSGD_CUDA_CHECK(cudaStreamSynchronize(stream())); }
  // HostExec's thread switch for whole-data passes: nothing to switch on the GPU.
  template <class Passes>
  auto with_every_core(bool, Passes&& passes) {
    return passes();
  }

  // y = op(A) x + beta y, A column-major m x n with lda = m (see core/gemv_op.hpp).
  void gemv(GemvOp op, int64_t m, int64_t n, const float* A, const float* x, float beta, float* y);
  // As HostExec's: an evaluation's predictions, each dot product in double (enqueued).
  void predict_in_double(int64_t rows, int64_t features, const float* X, const float* w,
                         double* predictions);

  // The steps' small kernels (kernels/sgd_kernels.cuh).
  // Draws become rows of [first_row, first_row + rows).
  void rows_from_draws(uint32_t* draws, int64_t count, int64_t rows, int64_t first_row = 0);
  void gather_batch(const StepArgs& args, int64_t slot);
  void derive(const StepArgs& args, int64_t slot);
  void sgd_update(const StepArgs& args);
  void synthetic_offset(int64_t rows, const float* true_bias, const float* noise, float* y);
  double residual_square_sum(int64_t rows, const double* predictions, const float* bias,
                             const float* y);
  double weighted_loss_sum(int64_t rows, const double* predictions, const float* bias,
                           const float* y, const float* weights, Loss loss, double epsilon);
  std::pair<double, double> norm_sums(const float* w, int64_t count);
  void shift_and_weight(float* u, int64_t count, float shift, const float* weights,
                        double weight_scale);
  double sum(const float* u, int64_t count);
  double max_weighted_row_norm(const float* X, int64_t rows, int64_t features, const float* weights,
                               bool intercept);

  // The exact solver's steps (core/exact_solver.hpp), as HostExec's: cuBLAS DSYRK and DGEMV,
  // and cuSOLVER's Cholesky factorization and solve.
  void accumulate_gram(const float* X, const float* y, const float* weights, int64_t rows,
                       int64_t features, double* block, double* G, double* rhs);
  void finish_normal_equations(double* G, double* rhs, int64_t dimension, double scale,
                               double ridge);
  int64_t cholesky_solve(double* G, double* rhs, int64_t dimension);
  std::vector<double> diagonal(const double* G, int64_t dimension);

  // The fused engine: one cooperative persistent kernel per chunk (kernels/fused_sgd.cuh, or
  // the batch split's, kernels/batch_split_sgd.cuh, where the plan is one).
  // plan_fused only queries the device; prepare_fused gives the kernel the plan's shared memory
  // and checks that `args` suit it, once, before the first chunk.
  FusedPlan plan_fused(int64_t features, int64_t batch, int64_t wanted_blocks) const;
  void prepare_fused(const FusedPlan& plan, const StepArgs& args);
  void fused_steps(const FusedPlan& plan, int64_t count, const StepArgs& args);

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
  std::vector<std::unique_ptr<HostMapping>> mappings_;  // released last, after the stream
  CudaStream stream_;
  CublasHandle cublas_;
};

}  // namespace linsgd
