// CudaExec: the cuBLAS calls, and the forwarding to the CUDA kernels.
#include "cuda/cuda_exec.hpp"

#include "cuda/cuda_device.hpp"
#include "kernels/fused_sgd.cuh"
#include "kernels/order_rows.cuh"
#include "kernels/sgd_kernels.cuh"

namespace linsgd {

CudaExec::CudaExec() : cublas_(stream_.get()) {}

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
  LINSGD_CUBLAS_CHECK(cublasSgemv(cublas_.get(), trans, static_cast<int>(m), static_cast<int>(n),
                                  &one, A, static_cast<int>(m), x, 1, &beta, y, 1));
}

void CudaExec::rows_from_draws(uint32_t* draws, int64_t count, int64_t rows) {
  kernels::rows_from_draws(stream(), draws, count, rows);
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
  kernels::prepare_fused_steps(plan, args);
}

void CudaExec::fused_steps(const FusedPlan& plan, int64_t count, const StepArgs& args) {
  kernels::fused_steps(stream(), plan, count, args);
}

void CudaExec::synthetic_offset(int64_t rows, const float* true_bias, const float* noise,
                                float* y) {
  kernels::synthetic_offset(stream(), rows, true_bias, noise, y);
}

double CudaExec::residual_square_sum(int64_t rows, const float* predictions, const float* bias,
                                     const float* y) {
  return kernels::residual_square_sum(stream(), rows, predictions, bias, y);
}

double CudaExec::weighted_loss_sum(int64_t rows, const float* predictions, const float* bias,
                                   const float* y, const float* weights, Loss loss,
                                   double epsilon) {
  return kernels::weighted_loss_sum(stream(), rows, predictions, bias, y, weights, loss, epsilon);
}

std::pair<double, double> CudaExec::norm_sums(const float* w, int64_t count) {
  return kernels::norm_sums(stream(), w, count);
}

}  // namespace linsgd
