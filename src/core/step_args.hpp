// The buffers and scalars of a chunk of SGD steps, described once and passed whole to every
// step kernel of both engines and to their CPU twins (kernels/sgd_kernels.cuh,
// kernels/fused_sgd.cuh, cpu/host_kernels.hpp). Pointers are device memory for the CUDA
// policy and host memory for the CPU policy; SgdLoop owns what they point at.
//
// Step s of a chunk reads its B row indices from sampled_rows[s * B, (s + 1) * B) (drawn as
// rng_plan.hpp says, or walked from an epoch's permutation), and the step number t from
// *step_counter, which lives where the steps run so that a replayed CUDA Graph finds the
// right slot, rate and loss index without host work.
#pragma once

#include <cstdint>

#include "core/hd.hpp"
#include "core/objective.hpp"

namespace linsgd {

struct StepArgs {
  int64_t rows = 0;  // n: rows of the data (all processes' of a data-parallel run)
  // The rows X, y and the weights hold: [first_row, first_row + local_rows) of the n; -1: all
  // of them (any run but a data-parallel one, whose other rows enter a step as zero rows).
  int64_t first_row = 0;
  int64_t local_rows = -1;
  LINSGD_HD int64_t held_rows() const { return local_rows < 0 ? rows : local_rows; }
  // Where sampled row `row` lies in X, y and the weights, or -1 when another process holds it
  // (it then enters the step as a zero row with residual 0, which adds nothing to this
  // process's gradient or sums, for every loss: L(0) = L'(0) = 0).
  LINSGD_HD int64_t held_row(uint32_t row) const {
    const int64_t local = static_cast<int64_t>(row) - first_row;
    return local >= 0 && local < held_rows() ? local : -1;
  }
  int64_t features = 0;  // d
  int64_t batch = 0;     // B (a step may use fewer rows: batch_rows_at)
  StepRule rule;
  const uint32_t* sampled_rows = nullptr;  // the chunk's row indices, B per step
  const float* X = nullptr;                // local_rows x features, row-major
  const float* y = nullptr;                // local_rows
  const float* sample_weights = nullptr;   // local_rows, or null (all 1)
  const double* learning_rate = nullptr;   // lr before the schedule's factor (one double)
  float* weights = nullptr;                // features
  float* bias = nullptr;                   // one float
  float* velocity = nullptr;               // with momentum: features + 1 (the bias's last)
  float* average = nullptr;                // with averaging: features + 1 (the bias's last)
  float* loss_history = nullptr;           // a ring: step t's loss goes to [t % loss_capacity]
  int64_t loss_capacity = 0;
  int64_t* step_counter = nullptr;  // steps done; each step writes its loss there, then adds 1
  float* residual = nullptr;        // batch floats: r = X_b w + b - y_b
  float* derivative = nullptr;      // batch floats: s'_k L'(r_k), 0 past B_t (general data)
  float* loss_terms = nullptr;      // batch floats: s'_k L(r_k), 0 past B_t (general data)
  float* gradient = nullptr;        // features floats: X_b^T r or X_b^T d
  float* X_batch = nullptr;         // gemv engine: the gathered batch, batch x features
  unsigned* blocks_done = nullptr;  // gemv engine, GPU: the update's last-block counter
  float* partials = nullptr;        // fused GPU engine: 2 x blocks x batch partial dot products
};

// Step t's StepScalars (core/objective.hpp).
LINSGD_HD inline StepScalars step_scalars(const StepArgs& a, int64_t t) {
  StepScalars s{};
  s.batch_rows = batch_rows_at(a.rule, t, a.rows, a.batch);
  s.learning_rate = *a.learning_rate * schedule_factor(a.rule, t);
  // B: an epoch's batch holds at most every row (--batch-size past n is full-batch descent).
  const int64_t full = a.rule.epoch_sampling && a.rows < a.batch ? a.rows : a.batch;
  s.scale = static_cast<float>(s.learning_rate / static_cast<double>(full));
  s.inverse_batch = 1.0f / static_cast<float>(full);
  // 1 exactly for a full batch: its update is what it was without the share.
  s.penalty_share =
      s.batch_rows == full
          ? 1.0f
          : static_cast<float>(static_cast<double>(s.batch_rows) / static_cast<double>(full));
  return s;
}

// The parameters' state beyond their value: a coordinate's momentum buffer (null without
// momentum). Coordinate `features` is the bias.
LINSGD_HD inline float* velocity_of(const StepArgs& a, int64_t j) {
  return a.rule.momentum > 0.0f ? a.velocity + j : nullptr;
}

// After step t's update: fold the new value of coordinate j (the bias at j = features) into
// its running average, when averaging has begun.
LINSGD_HD inline void fold_into_average(const StepArgs& a, int64_t t, int64_t j, float value) {
  if (a.rule.average_from < 0 || t < a.rule.average_from) return;
  a.average[j] = averaged(a.average[j], value, t - a.rule.average_from + 1);
}

// Step t's new bias from the batch's sum of derivatives (residuals for the post's loss), with
// `velocity` its momentum buffer (null without momentum): the post's update where it applies.
// Without an intercept the bias keeps its value (and its momentum buffer its zero).
LINSGD_HD inline float stepped_bias(const StepRule& rule, float bias, double derivative_sum,
                                    float* velocity, const StepScalars& s) {
  if (!rule.fit_intercept) return bias;
  return rule.plain_update ? updated_bias(bias, derivative_sum, s.scale)
                           : updated_parameter(rule, bias, static_cast<float>(derivative_sum),
                                               velocity, s, false);
}

// The batch loss step t records from `loss_sum`: the sum of squared residuals for the post's
// loss (halved and averaged as the post does), else the sum of the rows' weighted losses.
LINSGD_HD inline float recorded_batch_loss(const StepArgs& a, const StepScalars& s,
                                           double loss_sum) {
  return a.rule.plain_data ? half_mean_square(loss_sum, a.batch)
                           : static_cast<float>(loss_sum / static_cast<double>(s.batch_rows));
}

}  // namespace linsgd
