// LossCurve: the strided points, and the last one appended on the way out.
#include "report/loss_curve.hpp"

#include <algorithm>

namespace linsgd {

LossCurve::LossCurve(int64_t total_steps, size_t limit)
    : stride_(std::max<int64_t>(
          1, (total_steps + static_cast<int64_t>(limit) - 1) / static_cast<int64_t>(limit))),
      limit_(limit) {}

void LossCurve::add(int64_t first_step, const std::vector<float>& losses) {
  for (size_t i = 0; i < losses.size(); ++i) {
    const int64_t step = first_step + static_cast<int64_t>(i);
    if (step % stride_ == 0) {
      kept_steps_.push_back(step);
      kept_losses_.push_back(losses[i]);
    }
  }
  if (!losses.empty()) {
    last_step_ = first_step + static_cast<int64_t>(losses.size()) - 1;
    last_loss_ = losses.back();
  }
}

std::vector<int64_t> LossCurve::steps() const {
  std::vector<int64_t> steps = kept_steps_;
  if (last_step_ >= 0 && (steps.empty() || steps.back() != last_step_)) {
    if (steps.size() == limit_) steps.pop_back();
    steps.push_back(last_step_);
  }
  for (int64_t& step : steps) ++step;
  return steps;
}

std::vector<float> LossCurve::losses() const {
  std::vector<float> losses = kept_losses_;
  if (last_step_ >= 0 && (kept_steps_.empty() || kept_steps_.back() != last_step_)) {
    if (losses.size() == limit_) losses.pop_back();
    losses.push_back(last_loss_);
  }
  return losses;
}

}  // namespace linsgd
