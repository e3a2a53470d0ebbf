// Which compiled kernel a fused layout runs (kernels::fused_kernel_for,
// kernels::batch_split_kernel_for), without a GPU: the kept
// kernel, each experiment and the phase profile's timed kernels are distinct instantiations,
// the same layout always finds the same one, and a combination no kernel is compiled for is
// refused with a message. The gpu tests then show each runs the kept kernel's floats.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "core/fused_plan.hpp"
#include "core/objective.hpp"
#include "kernels/batch_split_sgd.cuh"
#include "kernels/fused_sgd.cuh"
#include "linsgd/errors.hpp"

namespace linsgd {
namespace {

// Any non-null pointer asks for the timed kernel; the dispatch never reads it.
unsigned long long phase_sums_stand_in = 0;

StepRule momentum_rule() {
  StepRule rule;
  rule.momentum = 0.5f;
  return rule;
}

// Each layout's kernel for the post's rule (`kernel_for`): found, the same when asked again, and
// no other layout's. Returns the kernels found, with the layout that runs each.
std::map<const void*, std::string> expect_a_kernel_each(
    const std::map<std::string, FusedLayout>& layouts,
    const void* (*kernel_for)(const FusedLayout&, const StepRule&)) {
  std::map<const void*, std::string> seen;
  for (const auto& [name, layout] : layouts) {
    const void* kernel = kernel_for(layout, StepRule{});
    EXPECT_NE(kernel, nullptr) << name;
    EXPECT_EQ(kernel_for(layout, StepRule{}), kernel) << name;
    const auto [where, fresh] = seen.emplace(kernel, name);
    EXPECT_TRUE(fresh) << name << " runs the kernel of " << where->second;
  }
  return seen;
}

TEST(FusedKernels, EachLayoutRunsItsOwnKernel) {
  ASSERT_TRUE(is_post_rule(StepRule{}));
  ASSERT_FALSE(is_post_rule(momentum_rule()));
  std::map<std::string, FusedLayout> layouts;
  layouts["kept"] = FusedLayout{};
  layouts["register-lean"].register_lean = true;
  layouts["32 partial loads"].partial_loads_in_flight = kFusedPartialLoadsWide;
  layouts["32 partial loads, two tiles"].partial_loads_in_flight = kFusedPartialLoadsWide;
  layouts["32 partial loads, two tiles"].double_buffered_tile = true;
  layouts["two tiles"].double_buffered_tile = true;
  layouts["rule read at run time"].rule_read_at_run_time = true;
  layouts["timed"].phase_clock_sums = &phase_sums_stand_in;
  layouts["cluster"].cluster_exchange = true;
  layouts["cluster, timed"] = layouts["cluster"];
  layouts["cluster, timed"].phase_clock_sums = &phase_sums_stand_in;
  layouts["cluster, pushed"] = layouts["cluster"];
  layouts["cluster, pushed"].cluster_push = true;
  layouts["cluster, two tiles"] = layouts["cluster"];
  layouts["cluster, two tiles"].double_buffered_tile = true;
  layouts["bulk copies"].bulk_copy = true;
  layouts["bulk copies, timed"] = layouts["bulk copies"];
  layouts["bulk copies, timed"].phase_clock_sums = &phase_sums_stand_in;
  layouts["cluster, bulk copies"] = layouts["cluster"];
  layouts["cluster, bulk copies"].bulk_copy = true;
  layouts["cluster, bulk copies, timed"] = layouts["cluster, bulk copies"];
  layouts["cluster, bulk copies, timed"].phase_clock_sums = &phase_sums_stand_in;
  for (const std::string name : {"bulk copies", "bulk copies, timed", "cluster, bulk copies",
                                 "cluster, bulk copies, timed"}) {
    layouts[name + ", two tiles"] = layouts[name];
    layouts[name + ", two tiles"].double_buffered_tile = true;
  }
  expect_a_kernel_each(layouts, kernels::fused_kernel_for);
  // Another rule: the kernel that reads it, whether asked for or not, and not the post's.
  const void* reads_the_rule = kernels::fused_kernel_for(FusedLayout{}, momentum_rule());
  EXPECT_EQ(reads_the_rule,
            kernels::fused_kernel_for(layouts["rule read at run time"], StepRule{}));
  EXPECT_EQ(kernels::fused_kernel_for(layouts["rule read at run time"], momentum_rule()),
            reads_the_rule);
}

TEST(FusedKernels, EachBatchSplitLayoutRunsItsOwnKernel) {
  FusedLayout kept;
  kept.rows_per_block = 8;
  std::map<std::string, FusedLayout> layouts;
  for (const bool timed : {false, true}) {
    for (const bool bulk : {false, true}) {
      for (const bool one_barrier : {false, true}) {
        FusedLayout layout = kept;
        layout.phase_clock_sums = timed ? &phase_sums_stand_in : nullptr;
        layout.bulk_copy = bulk;
        layout.one_barrier = one_barrier;
        layouts[std::string(timed ? "timed" : "untimed") + (bulk ? ", bulk copies" : "") +
                (one_barrier ? ", one barrier" : "")] = layout;
      }
    }
  }
  const std::map<const void*, std::string> seen =
      expect_a_kernel_each(layouts, kernels::batch_split_kernel_for);
  // Another rule: a kernel of its own, which reads the rule; the experiments and the profile
  // refuse it.
  const void* reads_the_rule = kernels::batch_split_kernel_for(kept, momentum_rule());
  EXPECT_EQ(seen.count(reads_the_rule), 0u);
  for (const auto& [name, layout] : layouts) {
    if (name == "untimed") continue;
    try {
      kernels::batch_split_kernel_for(layout, momentum_rule());
      ADD_FAILURE() << name << ", another rule: a kernel was found";
    } catch (const Error& error) {
      EXPECT_NE(std::string(error.what()).find("the post's rule only"), std::string::npos)
          << name << ": " << error.what();
    }
  }
}

TEST(FusedKernels, CombinationsNoKernelIsCompiledForAreRefused) {
  const auto refused = [](const std::string& name, const FusedLayout& layout, const StepRule& rule,
                          const std::string& message) {
    try {
      kernels::fused_kernel_for(layout, rule);
      ADD_FAILURE() << name << ": a kernel was found";
    } catch (const Error& error) {
      EXPECT_NE(std::string(error.what()).find(message), std::string::npos)
          << name << ": " << error.what();
    }
  };
  const std::string post_only = "the post's rule only";
  FusedLayout lean;
  lean.register_lean = true;
  refused("register-lean, another rule", lean, momentum_rule(), post_only);
  FusedLayout lean_two_tiles = lean;
  lean_two_tiles.double_buffered_tile = true;
  refused("register-lean, two tiles", lean_two_tiles, StepRule{},
          "register-lean kernel (one tile)");
  FusedLayout lean_cluster = lean;
  lean_cluster.cluster_exchange = true;
  refused("register-lean, cluster", lean_cluster, StepRule{}, "the grid's exchange");
  FusedLayout lean_timed = lean;
  lean_timed.phase_clock_sums = &phase_sums_stand_in;
  refused("register-lean, timed", lean_timed, StepRule{}, "untimed");
  FusedLayout wide;
  wide.partial_loads_in_flight = kFusedPartialLoadsWide;
  refused("32 partial loads, another rule", wide, momentum_rule(), post_only);
  FusedLayout wide_cluster = wide;
  wide_cluster.cluster_exchange = true;
  refused("32 partial loads, cluster", wide_cluster, StepRule{}, "the grid's exchange");
  FusedLayout timed;
  timed.phase_clock_sums = &phase_sums_stand_in;
  refused("timed, another rule", timed, momentum_rule(), post_only);
  FusedLayout bulk;
  bulk.bulk_copy = true;
  const std::string bulk_alone = "bulk copies runs the grid's exchange or the cluster's read";
  refused("bulk copies, another rule", bulk, momentum_rule(), bulk_alone);
  FusedLayout bulk_lean = bulk;
  bulk_lean.register_lean = true;
  refused("bulk copies, register-lean", bulk_lean, StepRule{}, bulk_alone);
  FusedLayout bulk_wide = bulk;
  bulk_wide.partial_loads_in_flight = kFusedPartialLoadsWide;
  refused("bulk copies, 32 partial loads", bulk_wide, StepRule{}, bulk_alone);
  FusedLayout bulk_rule_read = bulk;
  bulk_rule_read.rule_read_at_run_time = true;
  refused("bulk copies, the rule read at run time", bulk_rule_read, StepRule{}, bulk_alone);
  FusedLayout bulk_pushed = bulk;
  bulk_pushed.cluster_exchange = true;
  bulk_pushed.cluster_push = true;
  refused("bulk copies, pushed", bulk_pushed, StepRule{}, bulk_alone);
  FusedLayout odd_loads;
  odd_loads.partial_loads_in_flight = 24;
  refused("24 partial loads", odd_loads, StepRule{}, "16 or 32 partials at once, not 24");
}

}  // namespace
}  // namespace linsgd
