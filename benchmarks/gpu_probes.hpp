// The costs of the primitives a fused step is built from, each measured alone on the GPU: a block
// barrier, the grid barrier of cooperative groups, a thread-block cluster's barrier, a dependent
// load from L2, from HBM and from another block's shared memory. Each probe runs `rounds` rounds
// of its primitive in one launch, timed inside the kernel by the GPU's global timer (launch
// costs left out), and reports nanoseconds a round and the multiprocessors' clock over the same
// span. The sweep's phase profile (benchmarks/sweep_fused_blocks.sh) sets a step's phases beside
// these floors.
#pragma once

#include <cstdint>

namespace linsgd::bench {

struct ProbeTiming {
  double nanoseconds_per_round = 0.0;
  double clock_ghz = 0.0;  // the clock cycles of the probing thread over its nanoseconds
};

// __syncthreads() in a block of `threads` threads.
ProbeTiming probe_block_barrier(int threads, int rounds);
// cooperative_groups::this_grid().sync() across `blocks` blocks of 256 threads, one block a
// multiprocessor (each asks for more than half a multiprocessor's shared memory), as the fused
// kernels run. Throws linsgd::Error where the GPU cannot launch it cooperatively.
ProbeTiming probe_grid_barrier(int blocks, int rounds);
// cooperative_groups::this_cluster().sync() in one cluster of `blocks` blocks of 256 threads;
// `spread`: one block a multiprocessor, as probe_grid_barrier's, else with no shared memory, so
// that several blocks may share a multiprocessor. Throws linsgd::Error where this GPU or build
// has no such cluster.
ProbeTiming probe_cluster_barrier(int blocks, bool spread, int rounds);
// One thread following a chain of `rounds` dependent 4-byte loads (__ldcg: from L2, not L1)
// through a buffer of `bytes`, each load 16 KiB past the previous one (modulo the buffer), so no
// two consecutive loads share a line.
// `warm`: the same links were read just before, so the round trip is to L2 (the links, 128-byte
// lines apart, must fit in it); cold, with a buffer well past the L2's size (whose links were
// written long before, at its start), it is to HBM.
ProbeTiming probe_dependent_loads(int64_t bytes, bool warm, int rounds);
// The same chain through the shared memory of the other block of a cluster of 2 (distributed
// shared memory). Throws linsgd::Error where this GPU or build has no clusters.
ProbeTiming probe_remote_shared_loads(int rounds);

}  // namespace linsgd::bench
