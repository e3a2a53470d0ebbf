// CudaExec: the cuBLAS calls, and the forwarding to the CUDA kernels.
#include "cuda/cuda_exec.hpp"

#include "cuda/cuda_device.hpp"
#include "cuda/cuda_libraries.hpp"
#include "cuda/cuda_solver.hpp"
#include "kernels/batch_split_sgd.cuh"
#include "kernels/fused_sgd.cuh"
#include "kernels/normal_equations.cuh"
#include "kernels/order_rows.cuh"
#include "kernels/sgd_kernels.cuh"

namespace linsgd {

CudaExec::CudaExec() : cublas_(stream_.get()) {
  // cuSOLVER is loaded with cuBLAS (its handle's constructor loaded that), as it was when it
  // was linked: an exact solve's time holds the solve, not the loading.
  cusolver_library();
}

CudaExec::KeySorter::KeySorter(cudaStream_t stream, int64_t rows)
    : stream_(stream),
      rows_(rows),
      sorted_keys_(rows),
      rows_in_order_(rows),
      scratch_(rows > 0 ? static_cast<int64_t>(kernels::order_scratch_bytes(rows)) : 0) {
  if (rows > 0) kernels::fill_row_numbers(stream_, rows_in_order_.data(), rows);
}

void CudaExec::KeySorter::order(const uint32_t* keys, uint32_t* order) {
  kernels::order_by_keys(stream_, keys, rows_in_order_.data(), sorted_keys_.data(), order, rows_,
                         scratch_.data(), static_cast<size_t>(scratch_.size()));
}

std::string CudaExec::description() const {
  return "GPU: " + query_cuda_device().name;
}

void CudaExec::gemv(GemvOp op, int64_t m, int64_t n, const float* A, const float* x, float beta,
                    float* y) {
  const float one = 1.0f;
  const cublasOperation_t trans = op == GemvOp::kTrans ? CUBLAS_OP_T : CUBLAS_OP_N;
  const CublasLibrary& blas = cublas_library();
  LINSGD_CUBLAS_CHECK(blas.sgemv(cublas_.get(), trans, static_cast<int>(m), static_cast<int>(n),
                                 &one, A, static_cast<int>(m), x, 1, &beta, y, 1));
}

void CudaExec::rows_from_draws(uint32_t* draws, int64_t count, int64_t rows, int64_t first_row) {
  kernels::rows_from_draws(stream(), draws, count, rows, first_row);
}

void CudaExec::gather_batch(const StepArgs& args, int64_t slot) {
  kernels::gather_batch(stream(), args, slot);
}

void CudaExec::derive(const StepArgs& args, int64_t slot) {
  kernels::derive(stream(), args, slot);
}

void CudaExec::sgd_update(const StepArgs& args) {
  kernels::sgd_update(stream(), args);
}

FusedPlan CudaExec::plan_fused(int64_t features, int64_t batch, int64_t wanted_blocks) const {
  return plan_fused_gpu(features, batch, query_fused_gpu_limits(), wanted_blocks);
}

void CudaExec::prepare_fused(const FusedPlan& plan, const StepArgs& args) {
  if (plan.layout.batch_split()) {
    kernels::prepare_batch_split_steps(plan, args);
  } else {
    kernels::prepare_fused_steps(plan, args);
  }
}

void CudaExec::fused_steps(const FusedPlan& plan, int64_t count, const StepArgs& args) {
  if (plan.layout.batch_split()) {
    kernels::batch_split_steps(stream(), plan, count, args);
  } else {
    kernels::fused_steps(stream(), plan, count, args);
  }
}

void CudaExec::synthetic_offset(int64_t rows, const float* true_bias, const float* noise,
                                float* y) {
  kernels::synthetic_offset(stream(), rows, true_bias, noise, y);
}

void CudaExec::predict_in_double(int64_t rows, int64_t features, const float* X, const float* w,
                                 double* predictions) {
  kernels::predict_in_double(stream(), rows, features, X, w, predictions);
}

double CudaExec::residual_square_sum(int64_t rows, const double* predictions, const float* bias,
                                     const float* y) {
  return kernels::residual_square_sum(stream(), rows, predictions, bias, y);
}

double CudaExec::weighted_loss_sum(int64_t rows, const double* predictions, const float* bias,
                                   const float* y, const float* weights, Loss loss,
                                   double epsilon) {
  return kernels::weighted_loss_sum(stream(), rows, predictions, bias, y, weights, loss, epsilon);
}

std::pair<double, double> CudaExec::norm_sums(const float* w, int64_t count) {
  return kernels::norm_sums(stream(), w, count);
}

void CudaExec::shift_and_weight(float* u, int64_t count, float shift, const float* weights,
                                double weight_scale) {
  kernels::shift_and_weight(stream(), u, count, shift, weights, weight_scale);
}

double CudaExec::sum(const float* u, int64_t count) {
  return kernels::sum(stream(), u, count);
}

double CudaExec::max_weighted_row_norm(const float* X, int64_t rows, int64_t features,
                                       const float* weights, bool intercept) {
  return kernels::max_weighted_row_norm(stream(), X, rows, features, weights, intercept);
}

void CudaExec::accumulate_gram(const float* X, const float* y, const float* weights, int64_t rows,
                               int64_t features, double* block, double* G, double* rhs) {
  const auto dimension = static_cast<int>(features + 1);
  const auto count = static_cast<int>(rows);
  kernels::normal_equations_block(stream(), X, y, weights, rows, features, block);
  const double one = 1.0;
  const CublasLibrary& blas = cublas_library();
  LINSGD_CUBLAS_CHECK(blas.dsyrk(cublas_.get(), CUBLAS_FILL_MODE_UPPER, CUBLAS_OP_N, dimension,
                                 count, &one, block, dimension, &one, G, dimension));
  LINSGD_CUBLAS_CHECK(blas.dgemv(cublas_.get(), CUBLAS_OP_N, dimension, count, &one, block,
                                 dimension, block + static_cast<int64_t>(count) * dimension, 1,
                                 &one, rhs, 1));
}

void CudaExec::finish_normal_equations(double* G, double* rhs, int64_t dimension, double scale,
                                       double ridge) {
  kernels::scale_and_ridge(stream(), G, rhs, dimension, scale, ridge);
}

int64_t CudaExec::cholesky_solve(double* G, double* rhs, int64_t dimension) {
  return cholesky_solve_on_device(stream(), G, rhs, dimension);
}

std::vector<double> CudaExec::diagonal(const double* G, int64_t dimension) {
  // Every (dimension + 1)-th double of the column-major matrix: one strided copy.
  std::vector<double> values(static_cast<size_t>(dimension));
  LINSGD_CUDA_CHECK(cudaMemcpy2DAsync(
      values.data(), sizeof(double), G, static_cast<size_t>(dimension + 1) * sizeof(double),
      sizeof(double), static_cast<size_t>(dimension), cudaMemcpyDeviceToHost, stream()));
  synchronize();
  return values;
}

}  // namespace linsgd
