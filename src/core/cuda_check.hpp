// Error checks for CUDA runtime, cuBLAS and cuRAND calls. Each macro throws linsgd::Error with
// the call's text, file:line and the status name (RAFT's RAFT_CUDA_TRY, tiny-cuda-nn's
// CUDA_CHECK_THROW). The _NO_THROW variants, for destructors, print the same line to stderr.
//
// A failed call also clears the CUDA runtime's last-error state (cudaGetLastError) before it
// throws, so the next launch check does not report this failure a second time as its own. A
// sticky error (a kernel fault) cannot be cleared: every later call reports it again.
//
// It lives in core, not in cuda/, because the cuRAND generator (used by both backends) and the
// kernels' launchers need it too, and kernels/ include from core alone.
#pragma once

#include <cublas_v2.h>
#include <cuda_runtime.h>
#include <curand.h>

#include <string>

#include "linsgd/errors.hpp"

namespace linsgd::detail {

const char* curand_status_name(curandStatus_t status);
// (cuBLAS's own cublasGetStatusName is not called: cuBLAS is loaded only by GPU runs, see
// cuda/cuda_libraries.hpp, and these checks are linked into every process.)
const char* cublas_status_name(cublasStatus_t status);

// Clears the runtime's last error, then throws Error "<library> call failed: <call> at
// <file>:<line>: <status>".
[[noreturn]] void throw_call_failure(const char* library, const char* call, const char* file,
                                     int line, const std::string& status);
// Clears the runtime's last error, then prints "linsgd: warning: <the same text>" to stderr.
void report_call_failure(const char* library, const char* call, const char* file, int line,
                         const std::string& status) noexcept;

}  // namespace linsgd::detail

#define LINSGD_CHECK_STATUS_(library, call, ok, name_of, on_fail)           \
  do {                                                                      \
    const auto linsgd_status_ = (call);                                     \
    if (linsgd_status_ != (ok)) {                                           \
      on_fail(library, #call, __FILE__, __LINE__, name_of(linsgd_status_)); \
    }                                                                       \
  } while (0)

#define LINSGD_CUDA_CHECK(call)                                     \
  LINSGD_CHECK_STATUS_("CUDA", call, cudaSuccess, cudaGetErrorName, \
                       ::linsgd::detail::throw_call_failure)
#define LINSGD_CUBLAS_CHECK(call)                             \
  LINSGD_CHECK_STATUS_("cuBLAS", call, CUBLAS_STATUS_SUCCESS, \
                       ::linsgd::detail::cublas_status_name, ::linsgd::detail::throw_call_failure)
#define LINSGD_CURAND_CHECK(call)                             \
  LINSGD_CHECK_STATUS_("cuRAND", call, CURAND_STATUS_SUCCESS, \
                       ::linsgd::detail::curand_status_name, ::linsgd::detail::throw_call_failure)

#define LINSGD_CUDA_CHECK_NO_THROW(call)                            \
  LINSGD_CHECK_STATUS_("CUDA", call, cudaSuccess, cudaGetErrorName, \
                       ::linsgd::detail::report_call_failure)
#define LINSGD_CUBLAS_CHECK_NO_THROW(call)                    \
  LINSGD_CHECK_STATUS_("cuBLAS", call, CUBLAS_STATUS_SUCCESS, \
                       ::linsgd::detail::cublas_status_name,  \
                       ::linsgd::detail::report_call_failure)
#define LINSGD_CURAND_CHECK_NO_THROW(call)                    \
  LINSGD_CHECK_STATUS_("cuRAND", call, CURAND_STATUS_SUCCESS, \
                       ::linsgd::detail::curand_status_name,  \
                       ::linsgd::detail::report_call_failure)

// After a kernel launch: a bad configuration shows up here, not at the next synchronization.
#define LINSGD_CUDA_CHECK_LAUNCH() LINSGD_CUDA_CHECK(cudaPeekAtLastError())
