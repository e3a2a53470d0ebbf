// CudaStream, CublasHandle and CudaGraph: creation and release.
#include "cuda/cuda_handles.hpp"

#include <utility>

#include "cuda/cuda_libraries.hpp"

namespace linsgd {
namespace {

// cuBLAS's recommended workspace for Hopper is 32 MiB; GEMV needs far less, but one size fits all.
constexpr size_t kCublasWorkspaceBytes = size_t{32} << 20;

}  // namespace

CudaStream::CudaStream() {
  LINSGD_CUDA_CHECK(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking));
}
CudaStream::~CudaStream() {
  LINSGD_CUDA_CHECK_NO_THROW(cudaStreamDestroy(stream_));
}

CublasHandle::CublasHandle(cudaStream_t stream) : workspace_(kCublasWorkspaceBytes) {
  const CublasLibrary& blas = cublas_library();
  LINSGD_CUBLAS_CHECK(blas.create(&handle_));
  try {  // (a constructor that throws runs no destructor)
    LINSGD_CUBLAS_CHECK(blas.set_stream(handle_, stream));
    LINSGD_CUBLAS_CHECK(blas.set_workspace(handle_, workspace_.data(), kCublasWorkspaceBytes));
    // alpha and beta are host values, fixed for the life of a captured graph.
    LINSGD_CUBLAS_CHECK(blas.set_pointer_mode(handle_, CUBLAS_POINTER_MODE_HOST));
  } catch (...) {
    blas.destroy(handle_);
    throw;
  }
}
CublasHandle::~CublasHandle() {
  // (The library is loaded: the constructor loaded it.)
  LINSGD_CUBLAS_CHECK_NO_THROW(cublas_library().destroy(handle_));
}

CudaGraph::~CudaGraph() {
  if (exec_ != nullptr) LINSGD_CUDA_CHECK_NO_THROW(cudaGraphExecDestroy(exec_));
  if (graph_ != nullptr) LINSGD_CUDA_CHECK_NO_THROW(cudaGraphDestroy(graph_));
}
CudaGraph::CudaGraph(CudaGraph&& other) noexcept
    : graph_(std::exchange(other.graph_, nullptr)), exec_(std::exchange(other.exec_, nullptr)) {}
CudaGraph& CudaGraph::operator=(CudaGraph&& other) noexcept {
  std::swap(graph_, other.graph_);
  std::swap(exec_, other.exec_);
  return *this;
}

}  // namespace linsgd
