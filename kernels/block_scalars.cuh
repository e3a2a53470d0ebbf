// What every block of a persistent kernel (fused_sgd.cu, batch_split_sgd.cu) keeps of a step
// beyond the weights: an identical copy of the bias, with its momentum and running average, in
// registers. Every block steps it from the same sums, so the copies stay equal; block 0 records
// each step's batch loss and, after the chunk, writes the bias, its state and the steps done.
#pragma once

#include <cstdint>

#include "core/step_args.hpp"

namespace linsgd::kernels {

struct BlockScalars {
  float bias, bias_velocity, bias_average;

  __device__ explicit BlockScalars(const StepArgs& a)
      : bias(*a.bias),
        bias_velocity(a.rule.momentum > 0.0f ? a.velocity[a.features] : 0.0f),
        bias_average(a.rule.average_from >= 0 ? a.average[a.features] : 0.0f) {}

  // Step t: the bias from the batch's sum of derivatives (residuals for the post's loss), and
  // the batch loss from `loss_sum` (block 0's first thread records it).
  __device__ void step(const StepArgs& a, int64_t t, const StepScalars& scalars,
                       double derivative_sum, double loss_sum) {
    bias = stepped_bias(a.rule, bias, derivative_sum, &bias_velocity, scalars);
    if (a.rule.average_from >= 0 && t >= a.rule.average_from) {
      bias_average = averaged(bias_average, bias, t - a.rule.average_from + 1);
    }
    if (blockIdx.x == 0 && threadIdx.x == 0) {
      a.loss_history[t % a.loss_capacity] = recorded_batch_loss(a, scalars, loss_sum);
    }
  }

  // After the chunk's last step: block 0's first thread writes them back, with the steps done.
  __device__ void write_back(const StepArgs& a, int64_t steps_done) const {
    if (blockIdx.x != 0 || threadIdx.x != 0) return;
    *a.bias = bias;
    if (a.rule.momentum > 0.0f) a.velocity[a.features] = bias_velocity;
    if (a.rule.average_from >= 0) a.average[a.features] = bias_average;
    *a.step_counter = steps_done;
  }
};

}  // namespace linsgd::kernels
