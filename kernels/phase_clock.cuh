// Where a persistent kernel's steps spend their time: the benchmark sweep's phase profile
// (FusedLayout::phase_clock_sums). Every thread reads its multiprocessor's cycle counter at the
// step's phase boundaries and adds each phase's cycles in registers; after the chunk, each
// block's first thread adds its sums, the loop's cycles and the loop's nanoseconds by the GPU's
// global timer (which turn cycles into time) to the block's row of the buffer. Rows are added
// to, not overwritten, so a run's chunks and repeats accumulate; one thread a row writes, and a
// stream runs the chunks one after another. A boundary that follows a block barrier is the
// block's; one that does not is its first warp's.
// PhaseClock<false> does nothing: the kernels users run read no clock.
#pragma once

#include <cstdint>

#include <cuda/ptx>

#include "core/fused_plan.hpp"

namespace linsgd::kernels {

// The timed kernels have the post's rule compiled in, the one rule the sweep times.
inline constexpr const char* kPhaseClockPostRuleOnly =
    "the fused kernels' phase profile times the post's rule only";

// A span measured twice: by the GPU's global timer (nanoseconds) and by the multiprocessor's
// cycle counter, which together give the clock rate. Also the benchmark's probes' stopwatch.
class ClockSpan {
 public:
  __device__ void start() {
    began_ns_ = cuda::ptx::get_sreg_globaltimer();
    began_ = clock64();
  }
  // Since start().
  __device__ void elapsed(uint64_t* nanoseconds, uint64_t* cycles) const {
    const long long ended = clock64();
    *nanoseconds = cuda::ptx::get_sreg_globaltimer() - began_ns_;
    *cycles = static_cast<uint64_t>(ended - began_);
  }

 private:
  uint64_t began_ns_ = 0;
  long long began_ = 0;
};

template <bool kOn>
class PhaseClock {
 public:
  __device__ void begin() {}
  template <int kPhase>
  __device__ void mark() {}
  __device__ void finish(unsigned long long* /*sums*/) const {}
};

template <>
class PhaseClock<true> {
 public:
  __device__ void begin() {
    loop_.start();
    last_ = static_cast<unsigned>(clock());
  }
  // The cycles since the previous mark (or begin) count for phase kPhase. 32 bits each, to keep
  // the timed kernel's registers near the untimed one's: a difference of two 32-bit readings is
  // right across a wrap, and a phase's sum over a launch stays below 2^32 cycles (over 2 s).
  template <int kPhase>
  __device__ void mark() {
    static_assert(kPhase >= 0 && kPhase < kPhaseClockPhases, "a phase of the profile's row");
    const auto now = static_cast<unsigned>(clock());
    cycles_[kPhase] += now - last_;
    last_ = now;
  }
  __device__ void finish(unsigned long long* sums) const {
    uint64_t nanoseconds = 0, cycles = 0;
    loop_.elapsed(&nanoseconds, &cycles);
    if (threadIdx.x != 0) return;
    unsigned long long* row = sums + static_cast<int64_t>(blockIdx.x) * kPhaseClockSlots;
#pragma unroll
    for (int p = 0; p < kPhaseClockPhases; ++p)
      row[p] += static_cast<unsigned long long>(cycles_[p]);
    row[kPhaseClockLoopCycles] += cycles;
    row[kPhaseClockLoopNanoseconds] += nanoseconds;
  }

 private:
  unsigned cycles_[kPhaseClockPhases] = {};
  unsigned last_ = 0;
  ClockSpan loop_;
};

}  // namespace linsgd::kernels
