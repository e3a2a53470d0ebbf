// The CPU execution policy of the SGD loop: host vectors, the CPU BLAS (OpenBLAS through CBLAS,
// called with the very op / m / n / lda arguments given to cuBLAS), a host cuRAND generator and
// the CPU twins of the kernels. See core/sgd_loop.hpp for the algorithm written over it.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "core/fused_plan.hpp"
#include "core/gemv_op.hpp"
#include "core/random_generator.hpp"
#include "core/step_args.hpp"
#include "linsgd/trainer.hpp"

namespace linsgd {

class HostExec {
 public:
  template <class T>
  using Buffer = std::vector<T>;
  // Host data can be used in place (see make_resident).
  static constexpr bool kUsesHostMemory = true;

  // Sets the CPU BLAS thread count (a process-wide setting of OpenBLAS); threads >= 1. With
  // `take_turn` the HostExecs of a process's threads take turns: one waits here until the others'
  // end (a thread may hold several), so that no run changes another's thread count and with it
  // the order of its sums (Python threads fitting at once give the bits a lone fit gives).
  // Without it, for the shards of one data-parallel run trained in threads of one process, which
  // must run at once (they wait on each other's sums). While it waits, `stop_waiting` (when set) is
  // asked every 50 ms: true gives up with linsgd::Error (a Ctrl-C in Python).
  explicit HostExec(int threads, bool take_turn = true,
                    const std::function<bool()>& stop_waiting = {});

  // Human-readable description: "CPU: <model> (<threads> threads)".
  std::string description() const;
  int threads() const;
  void set_threads(int threads);

  // Runs `passes` (whole-data work before the steps: --lr auto's products) with the CPU BLAS on
  // every core when `every_core`, then gives the steps their own thread count back. A step reads
  // too little to gain from threads; a pass over all the data does.
  template <class Passes>
  auto with_every_core(bool every_core, Passes&& passes) {
    struct Restore {
      HostExec& exec;
      int threads;
      ~Restore() { exec.set_threads(threads); }
    };
    const Restore restore{*this, threads()};
    if (every_core) set_threads(usable_cpu_cores());
    return passes();
  }

  template <class T>
  Buffer<T> allocate(int64_t count) {
    return Buffer<T>(static_cast<size_t>(count));
  }
  template <class T>
  void upload(Buffer<T>& destination, const std::vector<T>& source) {
    upload_from(destination, source.data(), static_cast<int64_t>(source.size()));
  }
  template <class T>
  void upload_from(Buffer<T>& destination, const T* source, int64_t count) {
    std::copy(source, source + count, destination.begin());
  }
  template <class T>
  void upload_range(Buffer<T>& destination, int64_t first, const std::vector<T>& source) {
    std::copy(source.begin(), source.end(), destination.begin() + first);
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
  std::vector<T> download_from(const T* source, int64_t count) {
    return std::vector<T>(source, source + count);
  }
  template <class T>
  void zero(Buffer<T>& buffer) {
    std::fill(buffer.begin(), buffer.end(), T{});
  }
  template <class T>
  void upload_value(Buffer<T>& destination, T value) {
    destination[0] = value;
  }
  template <class T>
  void copy(T* destination, const T* source, int64_t count) {
    std::copy(source, source + count, destination);
  }
  // `rows` runs of `width` values, `pitch` apart in `source`, packed one after another.
  template <class T>
  void copy_strided(T* destination, const T* source, int64_t rows, int64_t width, int64_t pitch) {
    for (int64_t r = 0; r < rows; ++r) copy(destination + r * width, source + r * pitch, width);
  }

  // The rows ordered by their keys, ties by row (a stable sort): an epoch's permutation.
  class KeySorter {
   public:
    explicit KeySorter(int64_t rows) : rows_(rows) {}
    void order(const uint32_t* keys, uint32_t* order) const;

   private:
    int64_t rows_;
  };
  KeySorter make_key_sorter(int64_t rows) { return KeySorter(rows); }
  // With `share_long_draws` (the synthetic data's), long draws on the run's threads (every core
  // within with_every_core); the step loop's draws stay on the calling thread, so it starts no
  // thread. The values are the same either way.
  RandomGenerator make_generator(uint64_t seed, bool share_long_draws = false) {
    return RandomGenerator(RandomGenerator::Location::kHost, seed, nullptr,
                           share_long_draws ? threads() : 1);
  }
  void synchronize() {}

  // y = op(A) x + beta y, A column-major m x n with lda = m (see gemv_op.hpp).
  void gemv(GemvOp op, int64_t m, int64_t n, const float* A, const float* x, float beta, float* y);
  // predictions[i] = X[i] . w over rows x features row-major X, each product and sum in double
  // (an evaluation's predictions: see evaluation_residual).
  void predict_in_double(int64_t rows, int64_t features, const float* X, const float* w,
                         double* predictions);

  // The steps' small kernels (cpu/host_kernels.hpp).
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

  // The exact solver's steps (core/exact_solver.hpp): a block of rows into the normal equations
  // (Gram matrix G, right-hand side rhs, in double, the upper triangle column-major), their
  // scaling and ridge (and 1 on the diagonal of a feature that is 0 on every row), the Cholesky
  // solve (-1, or the column where G proved not positive definite; G then holds the factor R),
  // and G's diagonal.
  void accumulate_gram(const float* X, const float* y, const float* weights, int64_t rows,
                       int64_t features, double* block, double* G, double* rhs);
  void finish_normal_equations(double* G, double* rhs, int64_t dimension, double scale,
                               double ridge);
  int64_t cholesky_solve(double* G, double* rhs, int64_t dimension);
  std::vector<double> diagonal(const double* G, int64_t dimension);

  // The fused engine: dot and axpy on X's rows (no gathered copy), then the shared update.
  // wanted_blocks: the GPU's (--fused-blocks); the CPU runs the batch on one "block".
  FusedPlan plan_fused(int64_t /*features*/, int64_t batch, int64_t /*wanted_blocks*/) const {
    return plan_fused_cpu(batch);
  }
  void prepare_fused(const FusedPlan& /*plan*/, const StepArgs& /*args*/) {}
  void fused_steps(const FusedPlan& plan, int64_t count, const StepArgs& args);

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

 private:
  std::unique_lock<std::recursive_timed_mutex> turn_;  // this process's CPU runs, one at a time
};

}  // namespace linsgd
