// CudaExec: stream, cuBLAS and graph ownership, and the forwarding to the CUDA kernels.
#include "cuda_exec.hpp"

#include <utility>

#include "../kernels/fused_sgd.cuh"
#include "../kernels/sgd_kernels.cuh"

namespace linsgd {
namespace {

// cuBLAS's recommended workspace for Hopper is 32 MiB; GEMV needs far less, but one size fits all.
constexpr size_t kCublasWorkspaceBytes = size_t{32} << 20;

}  // namespace

CudaStream::CudaStream() {
  CUDA_CHECK(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking));
}
CudaStream::~CudaStream() {
  CUDA_CHECK_NO_THROW(cudaStreamDestroy(stream_));
}

CublasHandle::CublasHandle(cudaStream_t stream) : workspace_(kCublasWorkspaceBytes) {
  CUBLAS_CHECK(cublasCreate(&handle_));
  CUBLAS_CHECK(cublasSetStream(handle_, stream));
  CUBLAS_CHECK(cublasSetWorkspace(handle_, workspace_.data(), kCublasWorkspaceBytes));
  // alpha and beta are host values, fixed for the life of a captured graph.
  CUBLAS_CHECK(cublasSetPointerMode(handle_, CUBLAS_POINTER_MODE_HOST));
}
CublasHandle::~CublasHandle() {
  CUBLAS_CHECK_NO_THROW(cublasDestroy(handle_));
}

CudaGraph::~CudaGraph() {
  if (exec_ != nullptr) CUDA_CHECK_NO_THROW(cudaGraphExecDestroy(exec_));
  if (graph_ != nullptr) CUDA_CHECK_NO_THROW(cudaGraphDestroy(graph_));
}
CudaGraph::CudaGraph(CudaGraph&& other) noexcept
    : graph_(std::exchange(other.graph_, nullptr)), exec_(std::exchange(other.exec_, nullptr)) {}
CudaGraph& CudaGraph::operator=(CudaGraph&& other) noexcept {
  std::swap(graph_, other.graph_);
  std::swap(exec_, other.exec_);
  return *this;
}

CudaDeviceInfo query_cuda_device() {
  int device = 0;
  CUDA_CHECK(cudaGetDevice(&device));
  cudaDeviceProp properties{};
  CUDA_CHECK(cudaGetDeviceProperties(&properties, device));
  CudaDeviceInfo info;
  info.name = properties.name;
  CUDA_CHECK(cudaMemGetInfo(&info.free_bytes, &info.total_bytes));
  return info;
}

CudaExec::CudaExec() : cublas_(stream_.get()) {}

std::string CudaExec::description() const {
  return "GPU: " + query_cuda_device().name;
}

void CudaExec::gemv(GemvOp op, int64_t m, int64_t n, const float* A, const float* x, float beta,
                    float* y) {
  const float one = 1.0f;
  const cublasOperation_t trans = op == GemvOp::kTrans ? CUBLAS_OP_T : CUBLAS_OP_N;
  CUBLAS_CHECK(cublasSgemv(cublas_.get(), trans, static_cast<int>(m), static_cast<int>(n), &one, A,
                           static_cast<int>(m), x, 1, &beta, y, 1));
}

void CudaExec::gather_batch(int64_t batch, int64_t features, int64_t rows, const uint32_t* draws,
                            const float* X, const float* y, const float* bias, float* X_batch,
                            float* residual) {
  kernels::gather_batch(stream(), batch, features, rows, draws, X, y, bias, X_batch, residual);
}

void CudaExec::sgd_update(int64_t features, int64_t batch, float scale, const float* gradient,
                          const float* residual, float* w, float* bias, float* loss_history,
                          int64_t* step_counter) {
  kernels::sgd_update(stream(), features, batch, scale, gradient, residual, w, bias, loss_history,
                      step_counter);
}

FusedPlan CudaExec::plan_fused(int64_t features, int64_t batch, int64_t wanted_blocks) {
  return kernels::plan_fused_steps(features, batch, wanted_blocks);
}

void CudaExec::fused_steps(const FusedPlan& plan, int64_t count, const FusedStepArgs& args) {
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
