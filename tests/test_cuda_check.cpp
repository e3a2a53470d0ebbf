// The CUDA, cuBLAS and cuRAND error checks: a failed call throws linsgd::Error naming the
// library, the call's text, file:line and the status; a successful one does nothing. (That a
// failure also clears the runtime's last error is checked in the GPU suite: without a driver
// every CUDA error is sticky.) And cuBLAS and cuSOLVER, loaded on demand, not at start.
#include <gtest/gtest.h>
#include <link.h>

#include <cublas_v2.h>
#include <curand.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>

#include "core/cuda_check.hpp"
#include "cuda/cuda_libraries.hpp"
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

// Whether a shared object whose path holds `name` is loaded in this process.
bool loaded(const std::string& name) {
  auto visit = [](dl_phdr_info* info, size_t, void* wanted) {
    return std::string(info->dlpi_name).find(*static_cast<const std::string*>(wanted)) !=
                   std::string::npos
               ? 1
               : 0;
  };
  std::string wanted = name;
  return dl_iterate_phdr(visit, &wanted) != 0;
}

// Loading needs no GPU: every function is found by the name its header gives it (cublasSgemv
// is cublasSgemv_v2).
TEST(CudaLibraries, CublasAndCusolverLoadWithEveryFunction) {
  const CublasLibrary& blas = cublas_library();
  EXPECT_TRUE(loaded("libcublas.so"));
  for (const void* function :
       {reinterpret_cast<const void*>(blas.create), reinterpret_cast<const void*>(blas.destroy),
        reinterpret_cast<const void*>(blas.set_stream),
        reinterpret_cast<const void*>(blas.set_workspace),
        reinterpret_cast<const void*>(blas.set_pointer_mode),
        reinterpret_cast<const void*>(blas.sgemv), reinterpret_cast<const void*>(blas.dgemv),
        reinterpret_cast<const void*>(blas.dsyrk)}) {
    EXPECT_NE(function, nullptr);
  }
  const CusolverLibrary& solver = cusolver_library();
  EXPECT_TRUE(loaded("libcusolver.so"));
  for (const void* function :
       {reinterpret_cast<const void*>(solver.create), reinterpret_cast<const void*>(solver.destroy),
        reinterpret_cast<const void*>(solver.set_stream),
        reinterpret_cast<const void*>(solver.dpotrf_buffer_size),
        reinterpret_cast<const void*>(solver.dpotrf),
        reinterpret_cast<const void*>(solver.dpotrs)}) {
    EXPECT_NE(function, nullptr);
  }
}

// A run on the CPU loads neither (the dynamic loader's own account of what it loads, which
// names cuRAND, linked, as the check that it is read).
TEST(CudaLibraries, ARunOnTheCpuLoadsNeither) {
  const std::string log = ::testing::TempDir() + "linsgd-loader.txt";
  const std::string command = "LD_DEBUG=libs '" + std::string(LINSGD_CLI_PATH) +
                              "' train --device cpu --rows 50 --features 3 --steps 5 > /dev/null "
                              "2> '" +
                              log + "'";
  ASSERT_EQ(std::system(command.c_str()), 0);
  std::ifstream file(log);
  const std::string loader((std::istreambuf_iterator<char>(file)),
                           std::istreambuf_iterator<char>());
  std::remove(log.c_str());
  EXPECT_NE(loader.find("libcurand"), std::string::npos);
  EXPECT_EQ(loader.find("libcublas"), std::string::npos);
  EXPECT_EQ(loader.find("libcusolver"), std::string::npos);
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
