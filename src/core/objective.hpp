// The per-element math of the objective and of the general update, shared verbatim by the CPU
// loops and the CUDA kernels (like sgd_math.hpp): the losses and their derivatives, the L1
// proximal step, the learning-rate schedules, momentum, averaging. Everything a step needs
// beyond its buffers travels in one StepRule, built on the host from the TrainConfig.
//
//   F           (1 / n) sum_i [s'_i L(r_i) + R(w)], s'_i = s_i / mean(s), R the penalty: each
//               row carries its 1 / n share of the penalty
//   data term   estimated on step t's batch of B_t rows (B_t = B but for the short last batch
//               of an epoch when B does not divide n) by (1 / B) sum_k s'_k L(r_k), with the
//               gradient g / B, g = sum_k s'_k L'(r_k) [x_k; 1]
//   penalty     the batch's rows' shares: (B_t / B) R(w), R = alpha (1 - rho) / 2 |w|^2 in the
//               gradient and alpha rho |w|_1 by soft-thresholding w by
//               lr_t (B_t / B) alpha rho / (1 - M) after each update (momentum M lengthens the
//               gradient's steps by 1 / (1 - M), the threshold alike); the bias is not
//               penalized. Over an epoch the steps then weigh the data and the penalty as F does
//               (n / B each), whatever n mod B.
//   update      G = g / B + (B_t / B) l2 w;  v <- M v + G;  w <- w - lr_t (nesterov ? G + M v : v)
//
// The post's step (squared loss, no weights, full batches, no momentum, no penalty, constant
// rate) keeps its own arithmetic, w <- w - (lr / B) g with lr / B rounded once, so its runs stay
// the same bit for bit.
#pragma once

#include <cmath>
#include <cstdint>
#include <utility>

#include "core/hd.hpp"
#include "core/sgd_math.hpp"
#include "linsgd/config.hpp"

namespace linsgd {

// What a step does beyond the post's: the loss, the penalty, the schedule, momentum, averaging,
// epoch sampling. Plain old data, passed by value to kernels.
struct StepRule {
  Loss loss = Loss::kSquared;
  float epsilon = 0.1f;
  float l2 = 0.0f;  // alpha (1 - rho)
  float l1 = 0.0f;  // alpha rho
  float momentum = 0.0f;
  bool nesterov = false;
  Schedule schedule = Schedule::kConstant;
  double power_t = 0.25;
  int64_t schedule_step = 0;  // invscaling's t at step 0 (InitialParameters::schedule_step)
  int64_t warmup = 0;
  int64_t total_steps = 0;
  int64_t average_from = -1;  // -1: no averaging
  bool epoch_sampling = false;
  int64_t steps_per_epoch = 0;  // ceil(n / B) with epoch sampling
  // Epoch sampling with B = n (a larger B is stepped as n, see the trainer's dispatch): each
  // step's batch is every row, taken in order (a permutation
  // would change only the order of the sums), so none is drawn and the gemv engine reads X in
  // place instead of gathering a copy of it.
  bool whole_data = false;
  double weight_scale = 1.0;  // 1 / mean(s) with sample weights (s'_k = s_k / mean(s))
  bool weighted = false;
  bool fit_intercept = true;  // false: the bias keeps its value (see TrainConfig)
  // The data term is the post's (squared, unweighted, full batches): no derivative pass, and the
  // loss is 0.5 mean(r^2) as the post computes it.
  bool plain_data = true;
  // The update is the post's: no momentum, no L2 (an L1 prox may follow).
  bool plain_update = true;
};

// True for the post's rule: squared loss, no weights, no penalty, momentum or averaging, a
// constant rate, drawn batches, a trained bias. Such a rule computes as StepRule{} does (the fields
// that differ, epsilon, power_t, schedule_step, warmup, total_steps and steps_per_epoch, are never
// read under it), so the fused kernel may run with StepRule{} compiled in.
LINSGD_HD inline bool is_post_rule(const StepRule& r) {
  return r.loss == Loss::kSquared && r.l2 == 0.0f && r.l1 == 0.0f && r.momentum == 0.0f &&
         !r.nesterov && r.schedule == Schedule::kConstant && r.average_from < 0 &&
         !r.epoch_sampling && !r.whole_data && r.weight_scale == 1.0 && !r.weighted &&
         r.fit_intercept && r.plain_data && r.plain_update;
}

// The loss of a residual, in float (a step) or double (an evaluation of the objective).
template <class T>
LINSGD_HD inline T loss_value(Loss loss, T r, T epsilon) {
  const T a = r < T(0) ? -r : r;
  const T half = T(0.5);
  switch (loss) {
    case Loss::kSquared:
      return half * r * r;
    case Loss::kHuber:
      // epsilon a - epsilon^2 / 2, never fused into an FMA (nvcc would, the host does not).
      return a <= epsilon ? half * r * r
                          : multiply_add_unfused(epsilon, a, -(half * epsilon * epsilon));
    case Loss::kEpsilonInsensitive:
      return a > epsilon ? a - epsilon : T(0);
    case Loss::kSquaredEpsilonInsensitive:
      return a > epsilon ? (a - epsilon) * (a - epsilon) : T(0);
  }
  return T(0);
}

// L'(r); at the kinks (|r| = epsilon) the one-sided value towards 0.
LINSGD_HD inline float loss_derivative(Loss loss, float r, float epsilon) {
  const float a = r < 0.0f ? -r : r;
  const float sign = r > 0.0f ? 1.0f : r < 0.0f ? -1.0f : 0.0f;
  switch (loss) {
    case Loss::kSquared:
      return r;
    case Loss::kHuber:
      return a <= epsilon ? r : epsilon * sign;
    case Loss::kEpsilonInsensitive:
      return a > epsilon ? sign : 0.0f;
    case Loss::kSquaredEpsilonInsensitive:
      return a > epsilon ? 2.0f * (a - epsilon) * sign : 0.0f;
  }
  return 0.0f;
}

// A row's residual in an evaluation: its prediction x . w (accumulated in double) + b - y, in
// double. (Formed in float, a residual of 0.007 beside targets of 36 would keep 3 digits: an
// objective near its optimum would be off by 1e-4 of itself.)
LINSGD_HD inline double evaluation_residual(double prediction, float bias, float target) {
  return prediction + (static_cast<double>(bias) - static_cast<double>(target));
}

// A row's weighted loss in an evaluation of the objective: weight x L(prediction + b - y), in
// double. A row of weight 0 adds 0 however far off it is (0 x inf would be NaN).
LINSGD_HD inline double weighted_loss(Loss loss, double epsilon, double prediction, float bias,
                                      float target, float weight) {
  if (weight == 0.0f) return 0.0;
  return static_cast<double>(weight) *
         loss_value<double>(loss, evaluation_residual(prediction, bias, target), epsilon);
}

// An upper bound of L'' (the loss's smoothness), for --lr auto. The epsilon-insensitive loss is
// not smooth; it is given its squared neighbour's bound.
inline double loss_curvature(Loss loss) {
  return loss == Loss::kSquaredEpsilonInsensitive ? 2.0 : 1.0;
}

// The rows of step t: B, or fewer for the last batch of an epoch when B does not divide n.
LINSGD_HD inline int64_t batch_rows_at(const StepRule& rule, int64_t t, int64_t rows,
                                       int64_t batch) {
  if (!rule.epoch_sampling) return batch;
  const int64_t position = t % rule.steps_per_epoch;
  const int64_t left = rows - position * batch;
  return left < batch ? left : batch;
}

// The schedule's factor at step t (from 0): lr_t = lr * factor.
LINSGD_HD inline double schedule_factor(const StepRule& rule, int64_t t) {
  switch (rule.schedule) {
    case Schedule::kConstant:
    case Schedule::kAdaptive:  // its rate changes on the host, between evaluations
      return 1.0;
    case Schedule::kInvScaling:
      return 1.0 / pow(static_cast<double>(rule.schedule_step + t + 1), rule.power_t);
    case Schedule::kCosine: {
      if (t < rule.warmup) return static_cast<double>(t + 1) / static_cast<double>(rule.warmup);
      const double span = static_cast<double>(rule.total_steps - rule.warmup);
      const double progress = static_cast<double>(t - rule.warmup) / span;
      return 0.5 * (1.0 + cos(3.14159265358979323846 * progress));
    }
  }
  return 1.0;
}

// The sum of schedule_factor over the first `steps` steps of a run of `config` (config.steps
// resolved): exact for the constant and cosine schedules (a closed form), to 1e-9 for invscaling
// (its first 10^4 terms, then an integral), and the steps themselves for the adaptive one (an
// upper bound: its divisions are the run's). The sum of the rates in
// TrainResult::intercept_reach_short; host code, in core/train_result.cpp.
double schedule_factor_sum(const TrainConfig& config, int64_t steps);

// Soft-thresholding, the proximal step of threshold * |w|: exact zeros for |w| <= threshold.
LINSGD_HD inline float soft_threshold(float w, float threshold) {
  if (w > threshold) return w - threshold;
  if (w < -threshold) return w + threshold;
  return 0.0f;
}

// What step t of a run uses besides its buffers (step_scalars in core/step_args.hpp): its rows
// B_t, its rate lr_t = lr * the schedule's factor, lr_t / B rounded once to float (the post's
// lr / B for the post's step), 1 / B, and the batch's share of the penalty, B_t / B. Each row's
// gradient weighs 1 / B in every step, the short last batch of an epoch's (B_t < B rows) too:
// averaged over its own B_t rows, that batch would take a full step on few rows, which a rate
// sized for B rows (--lr auto's) does not allow (one row's curvature is up to B times a
// batch's). Its recorded loss is the mean over its B_t rows.
struct StepScalars {
  int64_t batch_rows;
  double learning_rate;
  float scale;
  float inverse_batch;
  float penalty_share;  // B_t / B: 1 but for an epoch's short last batch
};

// One coordinate of the update. `g` is the batch's gradient sum for it (sum_k s'_k L'(r_k) x_kj,
// or the bias's sum_k s'_k L'(r_k)), `velocity` its momentum buffer (unused without momentum);
// `penalized` is false for the bias. The penalty's strengths are scaled by the batch's share
// (a product by 1.0f, exact, for a full batch).
LINSGD_HD inline float updated_parameter(const StepRule& rule, float w, float g, float* velocity,
                                         const StepScalars& s, bool penalized) {
  const auto lr_t = static_cast<float>(s.learning_rate);
  float next;
  if (rule.plain_update) {
    next = updated_weight(w, g, s.scale);
  } else {
    const float gradient =
        penalized ? multiply_add_unfused(rule.l2 * s.penalty_share, w, g * s.inverse_batch)
                  : g * s.inverse_batch;
    float direction = gradient;
    if (rule.momentum > 0.0f) {
      const float v = multiply_add_unfused(rule.momentum, *velocity, gradient);
      *velocity = v;
      direction = rule.nesterov ? multiply_add_unfused(rule.momentum, v, gradient) : v;
    }
    next = multiply_add_unfused(-lr_t, direction, w);
  }
  if (penalized && rule.l1 > 0.0f) {
    // Momentum M carries a steady gradient G as G / (1 - M) (heavy ball and Nesterov alike): the
    // threshold is lengthened as much, so that a fixed point is F's own, G + l1 sign(w) = 0
    // (a threshold of lr l1 alone would settle at the minimizer for l1 (1 - M)). Without
    // momentum the division is by 1.0f, exact.
    next = soft_threshold(next, lr_t * (rule.l1 * s.penalty_share) / (1.0f - rule.momentum));
  }
  return next;
}

// A batch row's share of the data term, for row k of a step of `batch_rows` rows: its
// derivative s'_k L'(r_k) (what the gradient GEMV multiplies by) and its loss s'_k L(r_k); 0 for
// the rows past batch_rows (the padding of an epoch's short last batch). `weight` is the row's
// sample weight (ignored without weights). A row of weight 0 is absent from the objective, so
// its share is 0 however far off it lies (0 x inf would be NaN: a finite row far from the model
// can overflow its residual or loss in float).
LINSGD_HD inline void data_term(const StepRule& rule, float r, float weight, bool in_batch,
                                float* derivative, float* loss) {
  if (!in_batch || (rule.weighted && weight == 0.0f)) {
    *derivative = 0.0f;
    *loss = 0.0f;
    return;
  }
  // s'_k = s_k / mean(s) in double: with tiny weights (1e-40 each) 1 / mean(s) is past float's
  // range though s'_k is about 1.
  const float s =
      rule.weighted ? static_cast<float>(static_cast<double>(weight) * rule.weight_scale) : 1.0f;
  *derivative = s * loss_derivative(rule.loss, r, rule.epsilon);
  *loss = s * loss_value<float>(rule.loss, r, rule.epsilon);
}

// The running mean of the iterates from rule.average_from: after step t (from 0), the mean of
// the count = t - average_from + 1 iterates so far.
LINSGD_HD inline float averaged(float mean, float value, int64_t count) {
  if (count == 1) return value;
  return multiply_add_unfused(value - mean, 1.0f / static_cast<float>(count), mean);
}

}  // namespace linsgd
