// Per-element math of mini-batch SGD for y_hat = X w + b, shared verbatim by the CPU loops and
// the CUDA kernels. Keeping it here is what makes a GPU run differ from a CPU run only by the
// rounding of the GEMVs (cuBLAS versus the CPU BLAS), never by the algorithm.
#pragma once

#include <cstdint>

#include "core/hd.hpp"

namespace linsgd {

// Scale of the observation noise in the post's synthetic data: y = X w* + b* + 0.01 N(0, 1).
inline constexpr float kSyntheticNoiseScale = 0.01f;

// a * b + c with the product rounded before the sum: never a fused multiply-add, which nvcc
// would otherwise emit on the device (and not the host compiler), so a kernel and its CPU twin
// round the same way and give bit-identical results.
LINSGD_HD inline float multiply_add_unfused(float a, float b, float c) {
#if defined(__CUDA_ARCH__)
  return __fadd_rn(__fmul_rn(a, b), c);
#else
  return a * b + c;
#endif
}

LINSGD_HD inline double multiply_add_unfused(double a, double b, double c) {
#if defined(__CUDA_ARCH__)
  return __dadd_rn(__dmul_rn(a, b), c);
#else
  return a * b + c;
#endif
}

// Maps a uniform 32-bit draw u to a row index in [0, n) as floor(u * n / 2^32) (Lemire's
// multiply-shift). Needs n <= 2^32; unlike u % n it has no division, and every row gets either
// floor(2^32 / n) or ceil(2^32 / n) of the 2^32 draws, so the bias is below n / 2^32.
LINSGD_HD inline int64_t row_from_draw(uint32_t u, int64_t n) {
  return static_cast<int64_t>((static_cast<uint64_t>(u) * static_cast<uint64_t>(n)) >> 32);
}

// The Lanczos product's row term (core/step_size.hpp): row k's x_k . v plus the bias's share
// `shift`, weighed by its normalized sample weight s'_k = s_k / mean(s) (`weight_scale` =
// 1 / mean(s), rounded to float as a step's data term rounds it; 1 without weights), so that its
// sum over the rows stays in float's range whatever the weights' scale (weights of 1e37 would
// overflow it, of 1e-40 vanish).
LINSGD_HD inline float shifted_and_weighted(float product, float shift, const float* weights,
                                            int64_t row, double weight_scale) {
  const float weight = weights != nullptr
                           ? static_cast<float>(static_cast<double>(weights[row]) * weight_scale)
                           : 1.0f;
  return (product + shift) * weight;
}

// The residual r_k = x_k . w + b - y_k is built in two parts: the gather writes b - y_k, then a
// GEMV with beta = 1 adds x_k . w. This is the first part.
LINSGD_HD inline float residual_offset(float bias, float target) {
  return bias - target;
}

// One coordinate of w <- w - (lr / B) * g, where g = X_b^T r and scale = lr / B.
LINSGD_HD inline float updated_weight(float weight, float gradient, float scale) {
  return multiply_add_unfused(-scale, gradient, weight);  // weight - scale * gradient
}

// b <- b - (lr / B) * sum_k r_k. The sum is accumulated in double (see the update kernel).
LINSGD_HD inline float updated_bias(float bias, double residual_sum, float scale) {
  return static_cast<float>(
      multiply_add_unfused(-static_cast<double>(scale), residual_sum, static_cast<double>(bias)));
}

// The post's loss, 0.5 * mean(r^2), from the sum of squared residuals over `count` rows.
LINSGD_HD inline float half_mean_square(double square_sum, int64_t count) {
  return static_cast<float>(0.5 * square_sum / static_cast<double>(count));
}

// The synthetic target before X w* is added by a GEMV: b* + 0.01 * noise.
LINSGD_HD inline float synthetic_target_offset(float true_bias, float noise) {
  return multiply_add_unfused(kSyntheticNoiseScale, noise, true_bias);
}

// A feature's diagonal entry of the exact solver's scaled normal equations, with the L2 ridge.
// A feature that is 0 on every row (a constant column after --standardize) leaves it 0 and its
// row and column of G all 0, which no ridge lifts without a penalty: 1 there gives it weight 0,
// the minimum-norm solution (scikit-learn's LinearRegression gives the same), and keeps the
// other weights as they would be without that feature.
LINSGD_HD inline double feature_diagonal(double scaled, double ridge) {
  const double lifted = scaled + ridge;
  return lifted == 0.0 ? 1.0 : lifted;
}

}  // namespace linsgd
