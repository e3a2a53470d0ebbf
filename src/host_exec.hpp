// The CPU execution policy of the SGD engine: host vectors, the CPU BLAS (OpenBLAS through CBLAS,
// called with the very op / m / n / lda arguments given to cuBLAS), a host cuRAND generator and
// the CPU twins of the kernels. See sgd_engine.hpp for the algorithm written over it.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "fused_plan.hpp"
#include "fused_step.hpp"
#include "gemv_op.hpp"
#include "random_generator.hpp"

namespace linsgd {

class HostExec {
 public:
  template <class T>
  using Buffer = std::vector<T>;
  // Host data can be used in place (see make_resident).
  static constexpr bool kUsesHostMemory = true;

  // Sets the CPU BLAS thread count (a process-wide setting of OpenBLAS); threads >= 1.
  explicit HostExec(int threads);

  // Human-readable description: "CPU: <model> (<threads> threads)".
  std::string description() const;
  int threads() const;

  template <class T>
  Buffer<T> allocate(int64_t count) {
    return Buffer<T>(static_cast<size_t>(count));
  }
  template <class T>
  void upload(Buffer<T>& destination, const std::vector<T>& source) {
    std::copy(source.begin(), source.end(), destination.begin());
  }
  template <class T>
  std::vector<T> download(const Buffer<T>& source, int64_t count) {
    return download_range(source, 0, count);
  }
  template <class T>
  std::vector<T> download_range(const Buffer<T>& source, int64_t first, int64_t count) {
    return std::vector<T>(source.begin() + first, source.begin() + first + count);
  }
  template <class T>
  void zero(Buffer<T>& buffer) {
    std::fill(buffer.begin(), buffer.end(), T{});
  }
  RandomGenerator make_generator(uint64_t seed) {
    return RandomGenerator(RandomGenerator::Location::kHost, seed);
  }
  void synchronize() {}

  // y = op(A) x + beta y, A column-major m x n with lda = m (see gemv_op.hpp).
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

  // The fused engine: dot and axpy on X's rows (no gathered copy), then the shared update.
  // wanted_blocks: the GPU's (--fused-blocks); the CPU runs the batch on one "block".
  FusedPlan plan_fused(int64_t /*features*/, int64_t batch, int64_t /*wanted_blocks*/) {
    return plan_fused_cpu(batch);
  }
  void fused_steps(const FusedPlan& plan, int64_t count, const FusedStepArgs& args);

  // Runs a chunk of steps; the CUDA policy replays a captured graph instead (see cuda_exec.hpp).
  class StepReplayer {
   public:
    template <class EnqueueSteps>
    void prepare(int64_t /*steps*/, EnqueueSteps&& /*enqueue*/) {}
    template <class EnqueueSteps>
    void run(int64_t steps, EnqueueSteps&& enqueue) {
      enqueue(steps);
    }
  };
  StepReplayer make_step_replayer() { return {}; }
};

}  // namespace linsgd
