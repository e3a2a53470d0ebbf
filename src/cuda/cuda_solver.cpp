// cholesky_solve_on_device: cusolverDnDpotrf then cusolverDnDpotrs, the factorization's status
// read back once.
#include "cuda/cuda_solver.hpp"

#include <cusolverDn.h>

#include <string>

#include "core/cuda_check.hpp"
#include "cuda/cuda_libraries.hpp"
#include "cuda/device_buffer.hpp"
#include "linsgd/errors.hpp"

namespace linsgd {
namespace {

std::string cusolver_status_name(cusolverStatus_t status) {
  return "cusolverStatus_t " + std::to_string(static_cast<int>(status));
}

#define LINSGD_CUSOLVER_CHECK(call)                                                     \
  LINSGD_CHECK_STATUS_("cuSOLVER", call, CUSOLVER_STATUS_SUCCESS, cusolver_status_name, \
                       ::linsgd::detail::throw_call_failure)

// The cuSOLVER dense handle, bound to a stream, destroyed with the call.
class SolverHandle {
 public:
  SolverHandle(const CusolverLibrary& cusolver, cudaStream_t stream) : cusolver_(cusolver) {
    LINSGD_CUSOLVER_CHECK(cusolver_.create(&handle_));
    try {  // (a constructor that throws runs no destructor)
      LINSGD_CUSOLVER_CHECK(cusolver_.set_stream(handle_, stream));
    } catch (...) {
      cusolver_.destroy(handle_);
      throw;
    }
  }
  ~SolverHandle() { cusolver_.destroy(handle_); }
  SolverHandle(const SolverHandle&) = delete;
  SolverHandle& operator=(const SolverHandle&) = delete;
  cusolverDnHandle_t get() const { return handle_; }

 private:
  const CusolverLibrary& cusolver_;
  cusolverDnHandle_t handle_ = nullptr;
};

}  // namespace

int64_t cholesky_solve_on_device(cudaStream_t stream, double* G, double* rhs, int64_t dimension) {
  const CusolverLibrary& cusolver = cusolver_library();
  const SolverHandle solver(cusolver, stream);
  const auto n = static_cast<int>(dimension);
  int workspace_size = 0;
  LINSGD_CUSOLVER_CHECK(
      cusolver.dpotrf_buffer_size(solver.get(), CUBLAS_FILL_MODE_UPPER, n, G, n, &workspace_size));
  DeviceBuffer<double> workspace(workspace_size);
  DeviceBuffer<int> info(1);
  LINSGD_CUSOLVER_CHECK(cusolver.dpotrf(solver.get(), CUBLAS_FILL_MODE_UPPER, n, G, n,
                                        workspace.data(), workspace_size, info.data()));
  int status = 0;
  LINSGD_CUDA_CHECK(
      cudaMemcpyAsync(&status, info.data(), sizeof(int), cudaMemcpyDeviceToHost, stream));
  LINSGD_CUDA_CHECK(cudaStreamSynchronize(stream));
  if (status > 0) return status - 1;  // the leading minor of that order is not positive definite
  if (status == 0) {
    LINSGD_CUSOLVER_CHECK(
        cusolver.dpotrs(solver.get(), CUBLAS_FILL_MODE_UPPER, n, 1, G, n, rhs, n, info.data()));
    LINSGD_CUDA_CHECK(
        cudaMemcpyAsync(&status, info.data(), sizeof(int), cudaMemcpyDeviceToHost, stream));
    LINSGD_CUDA_CHECK(cudaStreamSynchronize(stream));
  }
  if (status != 0) {
    throw Error("cuSOLVER's Cholesky solve refused argument " + std::to_string(-status));
  }
  return -1;
}

}  // namespace linsgd
