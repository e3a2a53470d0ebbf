// HostExec: the CPU BLAS calls and the forwarding to the CPU kernel twins.
#include "cpu/host_exec.hpp"

#include <cblas.h>

#include <algorithm>
#include <chrono>
#include <numeric>
#include <string>
#include <thread>
#include <vector>

#include "core/sgd_math.hpp"
#include "cpu/cpu_info.hpp"
#include "cpu/host_kernels.hpp"
#include "cpu/lapack.hpp"
#include "linsgd/errors.hpp"

namespace linsgd {
namespace {

std::recursive_timed_mutex& cpu_runs() {
  static std::recursive_timed_mutex runs;
  return runs;
}

}  // namespace

HostExec::HostExec(int threads, bool take_turn, const std::function<bool()>& stop_waiting)
    : turn_(cpu_runs(), std::defer_lock) {
  constexpr auto kAskEvery = std::chrono::milliseconds(50);
  if (take_turn && !stop_waiting) turn_.lock();
  if (take_turn && stop_waiting) {
    while (!turn_.try_lock_for(kAskEvery)) {
      if (stop_waiting()) {
        throw Error("stopped while waiting for another CPU run of this process to end");
      }
    }
  }
  set_threads(threads);
}

int HostExec::threads() const {
  return openblas_get_num_threads();
}

void HostExec::set_threads(int threads) {
  openblas_set_num_threads(threads);
}

std::string HostExec::description() const {
  const int n = threads();
  const std::string model = cpuinfo_field("model name");
  return "CPU: " + (model.empty() ? std::string("unknown CPU") : model) + " (" + std::to_string(n) +
         (n == 1 ? " thread)" : " threads)");
}

void HostExec::gemv(GemvOp op, int64_t m, int64_t n, const float* A, const float* x, float beta,
                    float* y) {
  const CBLAS_TRANSPOSE trans = op == GemvOp::kTrans ? CblasTrans : CblasNoTrans;
  cblas_sgemv(CblasColMajor, trans, static_cast<int>(m), static_cast<int>(n), 1.0f, A,
              static_cast<int>(m), x, 1, beta, y, 1);
}

void HostExec::rows_from_draws(uint32_t* draws, int64_t count, int64_t rows, int64_t first_row) {
  host_kernels::rows_from_draws(draws, count, rows, first_row);
}

void HostExec::gather_batch(const StepArgs& args, int64_t slot) {
  host_kernels::gather_batch(args, slot);
}

void HostExec::derive(const StepArgs& args, int64_t slot) {
  host_kernels::derive(args, slot);
}

void HostExec::sgd_update(const StepArgs& args) {
  host_kernels::sgd_update(args);
}

// Per step, one pass over the sampled rows: each row's residual by a dot product straight on X,
// its data-term coefficient (the residual itself for the post's squared loss), and at once its
// axpy into the gradient, while the row is still in L1. The weights change only in the update
// after the pass, and the axpys run in row order as two passes would: the same sums, bit for
// bit, with each row read from memory once instead of twice.
void HostExec::fused_steps(const FusedPlan& /*plan*/, int64_t count, const StepArgs& a) {
  const auto d = static_cast<int>(a.features);
  for (int64_t s = 0; s < count; ++s) {
    const uint32_t* rows = a.sampled_rows + s * a.batch;
    const int64_t batch_rows = batch_rows_at(a.rule, *a.step_counter, a.rows, a.batch);
    std::fill(a.gradient, a.gradient + a.features, 0.0f);
    for (int64_t k = 0; k < a.batch; ++k) {
      const int64_t row = rows[k];
      const float* x = a.X + row * a.features;
      a.residual[k] = residual_offset(*a.bias, a.y[row]) + cblas_sdot(d, x, 1, a.weights, 1);
      float coefficient = a.residual[k];
      if (!a.rule.plain_data) {
        const float weight = a.sample_weights != nullptr ? a.sample_weights[row] : 1.0f;
        data_term(a.rule, a.residual[k], weight, k < batch_rows, a.derivative + k,
                  a.loss_terms + k);
        coefficient = a.derivative[k];
      }
      if (k < batch_rows) cblas_saxpy(d, coefficient, x, 1, a.gradient, 1);
    }
    host_kernels::sgd_update(a);
  }
}

void HostExec::KeySorter::order(const uint32_t* keys, uint32_t* order) const {
  std::iota(order, order + rows_, 0u);
  std::stable_sort(order, order + rows_,
                   [keys](uint32_t a, uint32_t b) { return keys[a] < keys[b]; });
}

void HostExec::synthetic_offset(int64_t rows, const float* true_bias, const float* noise,
                                float* y) {
  host_kernels::synthetic_offset(rows, true_bias, noise, y);
}

void HostExec::predict_in_double(int64_t rows, int64_t features, const float* X, const float* w,
                                 double* predictions) {
  // (Not OpenBLAS's dsdot: some of its kernels add in float.) Four running sums a row, so that the
  // compiler keeps them in vector registers.
  const auto predict = [=](int64_t first, int64_t end) {
    for (int64_t i = first; i < end; ++i) {
      const float* x = X + i * features;
      double sums[4] = {0.0, 0.0, 0.0, 0.0};
      int64_t j = 0;
      for (; j + 4 <= features; j += 4) {
        for (int k = 0; k < 4; ++k) sums[k] += static_cast<double>(x[j + k]) * w[j + k];
      }
      for (; j < features; ++j) sums[0] += static_cast<double>(x[j]) * w[j];
      predictions[i] = (sums[0] + sums[1]) + (sums[2] + sums[3]);
    }
  };
  // On the run's threads (the BLAS's count), in contiguous ranges of rows: each row's sum is the
  // same whatever the split. Each thread takes 2^20 values at least: a shorter pass is not shared.
  const int64_t parts = std::min<int64_t>(threads(), std::max<int64_t>(1, rows * features >> 20));
  std::vector<std::thread> helpers;
  for (int64_t part = 1; part < parts; ++part) {
    helpers.emplace_back(predict, rows * part / parts, rows * (part + 1) / parts);
  }
  predict(0, rows / parts);
  for (std::thread& helper : helpers) helper.join();
}

double HostExec::residual_square_sum(int64_t rows, const double* predictions, const float* bias,
                                     const float* y) {
  return host_kernels::residual_square_sum(rows, predictions, bias, y);
}

double HostExec::weighted_loss_sum(int64_t rows, const double* predictions, const float* bias,
                                   const float* y, const float* weights, Loss loss,
                                   double epsilon) {
  return host_kernels::weighted_loss_sum(rows, predictions, bias, y, weights, loss, epsilon);
}

std::pair<double, double> HostExec::norm_sums(const float* w, int64_t count) {
  return host_kernels::norm_sums(w, count);
}

void HostExec::shift_and_weight(float* u, int64_t count, float shift, const float* weights,
                                double weight_scale) {
  host_kernels::shift_and_weight(u, count, shift, weights, weight_scale);
}

double HostExec::sum(const float* u, int64_t count) {
  return host_kernels::sum(u, count);
}

double HostExec::max_weighted_row_norm(const float* X, int64_t rows, int64_t features,
                                       const float* weights, bool intercept) {
  return host_kernels::max_weighted_row_norm(X, rows, features, weights, intercept);
}

void HostExec::accumulate_gram(const float* X, const float* y, const float* weights, int64_t rows,
                               int64_t features, double* block, double* G, double* rhs) {
  const auto dimension = static_cast<int>(features + 1);
  const auto count = static_cast<int>(rows);
  host_kernels::normal_equations_block(X, y, weights, rows, features, block);
  // G += A A^T and rhs += A z, A the dimension x rows block, z its last column.
  cblas_dsyrk(CblasColMajor, CblasUpper, CblasNoTrans, dimension, count, 1.0, block, dimension, 1.0,
              G, dimension);
  cblas_dgemv(CblasColMajor, CblasNoTrans, dimension, count, 1.0, block, dimension,
              block + static_cast<int64_t>(count) * dimension, 1, 1.0, rhs, 1);
}

void HostExec::finish_normal_equations(double* G, double* rhs, int64_t dimension, double scale,
                                       double ridge) {
  host_kernels::scale_and_ridge(G, rhs, dimension, scale, ridge);
}

int64_t HostExec::cholesky_solve(double* G, double* rhs, int64_t dimension) {
  const auto n = static_cast<int>(dimension);
  const int one = 1;
  int info = 0;
  dpotrf_("U", &n, G, &n, &info);
  if (info > 0) return info - 1;  // the leading minor of order info is not positive definite
  if (info == 0) dpotrs_("U", &n, &one, G, &n, rhs, &n, &info);
  if (info != 0) throw Error("LAPACK's Cholesky solve refused argument " + std::to_string(-info));
  return -1;
}

std::vector<double> HostExec::diagonal(const double* G, int64_t dimension) {
  std::vector<double> values(static_cast<size_t>(dimension));
  for (int64_t k = 0; k < dimension; ++k) values[k] = G[k + k * dimension];
  return values;
}

}  // namespace linsgd
