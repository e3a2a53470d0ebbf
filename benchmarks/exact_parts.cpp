// linsgd_exact_parts ROWS FEATURES [warm-up-first]: where the GPU's exact solve (--solver exact)
// spends its time, in one process on the post's synthetic data of that shape. It times the CUDA
// context's creation, then the library's solve (the normal equations, then the Cholesky) three
// times: the first in a fresh process, where each cuBLAS and cuSOLVER kernel's module loads at its
// first call, the others warm. Then, warm, one block of the normal equations' rows (as the solve
// accumulates them) by cuBLAS's DSYRK, which the solve calls, and by a DGEMM forming the whole
// symmetric matrix. Run it once as it is and once under CUDA_MODULE_LOADING=EAGER (every module
// loaded with the context) to tell the modules' loading from the work. With `warm-up-first`, the
// first solve is preceded by a warm-up of the same calls on scratch data (one block's normal
// equations by the policy: its kernels, DSYRK and DGEMV; a Cholesky solve of the identity),
// what a trainer could overlap with loading the data: its time, and whether the solve after it
// runs warm. Prints one line a figure; without a GPU it says so and exits 0.
#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "core/exact_solver.hpp"
#include "core/resident_data.hpp"
#include "cuda/cuda_exec.hpp"
#include "cuda/cuda_handles.hpp"
#include "kernels/normal_equations.cuh"
#include "linsgd/config.hpp"
#include "linsgd/errors.hpp"
#include "timing.hpp"

namespace linsgd {
namespace {

// Median milliseconds of `repeats` runs of what `enqueue` puts on `stream`, by CUDA events.
template <class Enqueue>
double median_milliseconds(cudaStream_t stream, int repeats, Enqueue&& enqueue) {
  bench::EventTimer timer;
  std::vector<double> times;
  for (int r = 0; r < repeats; ++r) times.push_back(1e3 * timer.seconds(stream, enqueue));
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

// The calls of an exact solve of `features` + 1 unknowns over blocks of `block_rows` rows, by the
// policy as the solve makes them, on scratch data (zeros): one block's normal equations (the
// block's kernel, DSYRK, DGEMV), their scaling, and a Cholesky solve of the identity. Their
// kernels' modules are then loaded, and cuSOLVER started.
void warm_up_exact_solve(CudaExec& exec, int64_t features, int64_t block_rows) {
  const int64_t dimension = features + 1;
  auto X = exec.allocate<float>(block_rows * features);
  auto y = exec.allocate<float>(block_rows);
  auto block = exec.allocate<double>(block_rows * (dimension + 1));
  auto gram = exec.allocate<double>(dimension * dimension);
  auto rhs = exec.allocate<double>(dimension);
  exec.zero(X);
  exec.zero(y);
  exec.zero(gram);
  exec.zero(rhs);
  exec.accumulate_gram(X.data(), y.data(), nullptr, block_rows, features, block.data(), gram.data(),
                       rhs.data());
  exec.finish_normal_equations(gram.data(), rhs.data(), dimension, 1.0, 0.0);
  std::vector<double> identity(static_cast<size_t>(dimension * dimension), 0.0);
  for (int64_t i = 0; i < dimension; ++i) identity[static_cast<size_t>(i * dimension + i)] = 1.0;
  exec.upload(gram, identity);
  exec.upload(rhs, std::vector<double>(static_cast<size_t>(dimension), 1.0));
  if (exec.cholesky_solve(gram.data(), rhs.data(), dimension) >= 0) {
    throw Error("the warm-up's Cholesky factorization of the identity failed");
  }
}

void time_exact_solve(int64_t rows, int64_t features, bool warm_up_first) {
  const char* loading = std::getenv("CUDA_MODULE_LOADING");
  std::printf("exact parts, %lld x %lld, CUDA_MODULE_LOADING=%s\n", static_cast<long long>(rows),
              static_cast<long long>(features), loading != nullptr ? loading : "(default, lazy)");
  const auto milliseconds = [](auto&& work) { return 1e3 * bench::wall_seconds(work); };
  std::printf("  context: %.1f ms\n", milliseconds([] { LINSGD_CUDA_CHECK(cudaFree(nullptr)); }));
  std::optional<CudaExec> made;
  const double handle = milliseconds([&] { made.emplace(); });
  CudaExec& exec = *made;
  std::printf("  stream and cuBLAS handle: %.1f ms (%s)\n", handle, exec.description().c_str());
  ResidentData<CudaExec> data;
  ResidentTruth<CudaExec> truth;
  std::printf("  synthetic data: %.1f ms\n", milliseconds([&] {
                generate_synthetic(exec, rows, features, 42, data, truth);
                exec.synchronize();
              }));

  const TrainConfig config;  // no penalty: the normal equations as --solver exact forms them
  std::vector<float> weights;
  float bias = 0.0f;
  const int64_t dimension = features + 1;
  const int64_t block_rows = normal_equations_block_rows(rows, features);
  if (warm_up_first) {
    std::printf("  warm-up (one block's normal equations, a Cholesky of the identity): %.2f ms\n",
                milliseconds([&] {
                  warm_up_exact_solve(exec, features, block_rows);
                  exec.synchronize();
                }));
  }
  for (int solve = 1; solve <= 3; ++solve) {
    ExactSolveSeconds parts;
    const double whole =
        milliseconds([&] { parts = solve_normal_equations(exec, data, config, weights, bias); });
    std::printf("  solve %d%s: normal equations %.2f ms, Cholesky %.2f ms, whole %.2f ms\n", solve,
                solve > 1       ? ""
                : warm_up_first ? " (after the warm-up)"
                                : " (first in the process)",
                parts.normal_equations * 1e3, parts.factorization * 1e3, whole);
  }

  // One block of rows, as solve_normal_equations accumulates them: DSYRK against DGEMM.
  const int64_t blocks = (rows + block_rows - 1) / block_rows;
  DeviceBuffer<double> block(block_rows * (dimension + 1));
  DeviceBuffer<double> gram(dimension * dimension);
  LINSGD_CUDA_CHECK(cudaMemsetAsync(gram.data(), 0, gram.size() * sizeof(double), exec.stream()));
  kernels::normal_equations_block(exec.stream(), data.X, data.y, nullptr, block_rows, features,
                                  block.data());
  CublasHandle cublas(exec.stream());
  const double one = 1.0;
  const auto n = static_cast<int>(dimension);
  const auto k = static_cast<int>(block_rows);
  const double syrk = median_milliseconds(exec.stream(), 5, [&] {
    LINSGD_CUBLAS_CHECK(cublasDsyrk(cublas.get(), CUBLAS_FILL_MODE_UPPER, CUBLAS_OP_N, n, k, &one,
                                    block.data(), n, &one, gram.data(), n));
  });
  const double gemm = median_milliseconds(exec.stream(), 5, [&] {
    LINSGD_CUBLAS_CHECK(cublasDgemm(cublas.get(), CUBLAS_OP_N, CUBLAS_OP_T, n, n, k, &one,
                                    block.data(), n, block.data(), n, &one, gram.data(), n));
  });
  const double gflop = 2.0 * static_cast<double>(dimension) * dimension * block_rows * 1e-9;
  std::printf(
      "  one block of %lld rows (of %lld), warm, median of 5: DSYRK %.3f ms (%.1f TFLOP/s of "
      "its half), DGEMM %.3f ms (%.1f TFLOP/s)\n",
      static_cast<long long>(block_rows), static_cast<long long>(blocks), syrk, gflop / 2.0 / syrk,
      gemm, gflop / gemm);
}

}  // namespace
}  // namespace linsgd

int main(int argc, char** argv) {
  const bool warm_up_first = argc == 4 && std::string(argv[3]) == "warm-up-first";
  if (argc != 3 && !warm_up_first) {
    std::fprintf(stderr, "usage: %s ROWS FEATURES [warm-up-first]\n", argv[0]);
    return 2;
  }
  const long long rows = std::atoll(argv[1]), features = std::atoll(argv[2]);
  if (rows < 2 || features < 1) {
    std::fprintf(stderr, "%s: ROWS must be at least 2 and FEATURES at least 1\n", argv[0]);
    return 2;
  }
  int devices = 0;
  if (cudaGetDeviceCount(&devices) != cudaSuccess || devices == 0) {
    std::printf("exact parts: no GPU\n");
    return 0;
  }
  try {
    linsgd::time_exact_solve(rows, features, warm_up_first);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "%s: %s\n", argv[0], error.what());
    return 1;
  }
  return 0;
}
