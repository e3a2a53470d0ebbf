// Runs whose X holds more than 2^31 floats train correctly on the CPU: both engines, on rows
// whose offset in X is past 2^31, follow the double-precision reference (a 32-bit index would
// read the wrong row, or fault). The GPU suite runs the same check on the device.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/sgd_loop.hpp"
#include "cpu/host_exec.hpp"
#include "large_index_data.hpp"
#include "reference_sgd.hpp"
#include "test_support.hpp"

namespace linsgd {
namespace {

using testing::kLargeFeatures;
using testing::kLargeRows;
using testing::kTwoTo31;

class LargeIndex : public ::testing::TestWithParam<Engine> {};

TEST_P(LargeIndex, RowsPastFloatTwoTo31FollowTheReference) {
  const TrainConfig config = testing::large_config(DeviceKind::kCpu, GetParam());
  testing::SparseFloats X(kLargeRows * kLargeFeatures), y(kLargeRows);
  if (X.data() == nullptr || y.data() == nullptr) {
    GTEST_SKIP() << "the kernel refused 18 GiB of unreserved address space";
  }
  const std::vector<int64_t> rows = testing::large_sampled_rows(config);
  int64_t past = 0;
  for (int64_t row : rows) {
    for (int64_t j = 0; j < kLargeFeatures; ++j) {
      X.data()[row * kLargeFeatures + j] = testing::large_feature(row, j);
    }
    y.data()[row] = testing::large_target(row);
    past += row * kLargeFeatures >= kTwoTo31 ? 1 : 0;
  }
  ASSERT_GT(past, 1000) << "too few rows past float 2^31 to test";

  HostExec exec(1);
  ResidentData<HostExec> data;
  data.rows = kLargeRows;
  data.features = kLargeFeatures;
  data.X = X.data();
  data.y = y.data();
  SgdLoop<HostExec> loop(exec, data, config, exec.plan_fused(kLargeFeatures, 16, 0));
  const std::vector<float> losses = testing::run_collecting_losses(loop);
  const testing::ReferenceRun reference =
      testing::reference_sgd(X.data(), y.data(), kLargeRows, kLargeFeatures, config, false);
  EXPECT_TRUE(testing::all_close(losses, reference.loss_history, 1e-7, 1e-4));
  EXPECT_TRUE(testing::all_close(loop.weights(), reference.weights, 1e-6, 1e-4));
  EXPECT_NEAR(loop.bias(), reference.bias, 1e-5);
  // It learned: the weights moved from about 0 towards (1.5, -0.5).
  EXPECT_GT(loop.weights()[0], 0.5f);
}

std::string engine_name(const ::testing::TestParamInfo<Engine>& engine) {
  return to_string(engine.param);
}

INSTANTIATE_TEST_SUITE_P(Engines, LargeIndex, ::testing::Values(Engine::kGemv, Engine::kFused),
                         engine_name);

}  // namespace
}  // namespace linsgd
