// The CUDA, cuBLAS and cuRAND error checks: a failed call throws linsgd::Error naming the
// library, the call's text, file:line and the status; a successful one does nothing. (That a
// failure also clears the runtime's last error is checked in the GPU suite: without a driver
// every CUDA error is sticky.)
#include <gtest/gtest.h>

#include <cublas_v2.h>
#include <curand.h>

#include <string>

#include "core/cuda_check.hpp"
#include "linsgd/trainer.hpp"

namespace linsgd {
namespace {

std::string failure_of(void (*call)()) {
  try {
    call();
  } catch (const Error& error) {
    return error.what();
  }
  return "(no exception)";
}

void create_generator_of_unknown_type() {
  curandGenerator_t generator = nullptr;
  LINSGD_CURAND_CHECK(curandCreateGeneratorHost(&generator, static_cast<curandRngType_t>(12345)));
}

TEST(CudaCheck, CurandFailureNamesTheCallTheLineAndTheStatus) {
  const std::string message = failure_of(create_generator_of_unknown_type);
  EXPECT_EQ(message.rfind("cuRAND call failed: curandCreateGeneratorHost(&generator, "
                          "static_cast<curandRngType_t>(12345)) at ",
                          0),
            0u)
      << message;
  // __FILE__ is relative to the repository (-fmacro-prefix-map): no build machine's path.
  EXPECT_NE(message.find(" at tests/test_cuda_check.cpp:"), std::string::npos) << message;
  const std::string status = ": CURAND_STATUS_TYPE_ERROR";
  ASSERT_GE(message.size(), status.size());
  EXPECT_EQ(message.substr(message.size() - status.size()), status) << message;
}

void cublas_invalid_value() {
  const cublasStatus_t status = CUBLAS_STATUS_INVALID_VALUE;
  LINSGD_CUBLAS_CHECK(status);
}

TEST(CudaCheck, CublasFailureNamesItsStatus) {
  const std::string message = failure_of(cublas_invalid_value);
  EXPECT_EQ(message.rfind("cuBLAS call failed: status at ", 0), 0u) << message;
  EXPECT_NE(message.find(": CUBLAS_STATUS_INVALID_VALUE"), std::string::npos) << message;
}

void cuda_invalid_device() {
  LINSGD_CUDA_CHECK(cudaSetDevice(-1));  // no such device, with or without a GPU
}

TEST(CudaCheck, CudaFailureNamesItsError) {
  const std::string message = failure_of(cuda_invalid_device);
  EXPECT_EQ(message.rfind("CUDA call failed: cudaSetDevice(-1) at ", 0), 0u) << message;
  EXPECT_NE(message.find(": cudaError"), std::string::npos) << message;
}

TEST(CudaCheck, SuccessfulCallsPass) {
  curandGenerator_t generator = nullptr;
  EXPECT_NO_THROW(
      LINSGD_CURAND_CHECK(curandCreateGeneratorHost(&generator, CURAND_RNG_PSEUDO_PHILOX4_32_10)));
  EXPECT_NO_THROW(LINSGD_CURAND_CHECK(curandDestroyGenerator(generator)));
}

TEST(CudaCheck, StartingAGpuContextWithoutAGpuNeitherThrowsNorChangesTheRuntimesAnswers) {
  if (cuda_device_available()) GTEST_SKIP() << "a GPU is present (tests/test_gpu.cpp covers it)";
  const cudaError_t before = cudaGetLastError();  // without a driver, every call's error
  // As `linsgd train --device cuda` would, had it passed the device check: training reports.
  EXPECT_NO_THROW(start_gpu_context());
  EXPECT_EQ(cudaGetLastError(), before);
  EXPECT_FALSE(cuda_device_available());
}

}  // namespace
}  // namespace linsgd
