// The loss curve the training report draws, kept as the losses stream in at checkpoints: every
// k-th step (k chosen from the run's steps so that at most `limit` points remain) and the last
// step done, so a run of any length keeps a few thousand points. For a run that did all its
// steps it keeps exactly the points decimated_indices() picks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace linsgd {

class LossCurve {
 public:
  LossCurve(int64_t total_steps, size_t limit);

  // The losses of steps [first_step, first_step + losses.size()), 0-based, in order.
  void add(int64_t first_step, const std::vector<float>& losses);

  // The kept points, the last step added included: steps counted from 1, and their losses.
  std::vector<int64_t> steps() const;
  std::vector<float> losses() const;

 private:
  std::vector<int64_t> kept_steps_;  // 0-based
  std::vector<float> kept_losses_;
  int64_t stride_;
  size_t limit_;
  int64_t last_step_ = -1;
  float last_loss_ = 0.0f;
};

}  // namespace linsgd
