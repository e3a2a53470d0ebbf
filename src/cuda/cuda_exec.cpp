// CudaExec: the cuBLAS calls, and the forwarding to the CUDA kernels.
#include "cuda/cuda_exec.hpp"

#include "cuda/cuda_device.hpp"
#include "kernels/fused_sgd.cuh"
#include "kernels/sgd_kernels.cuh"

namespace linsgd {

CudaExec::CudaExec() : cublas_(stream_.get()) {}

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

void CudaExec::gather_batch(const StepArgs& args, int64_t slot) {
  kernels::gather_batch(stream(), args, slot);
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

}  // namespace linsgd
