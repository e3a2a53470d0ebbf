// HostPhilox: cuRAND's Philox4_32_10 stream (CURAND_ORDERING_PSEUDO_DEFAULT) computed on the
// host, value for value what curandCreateGeneratorHost's generator of that type gives, without
// its cost: cuRAND's host generator spends about 7 ms of CPU setting itself up after each
// seeding (and each offset change) before its first value, which was most of a small fit's
// time (a partial_fit of 64 rows took 7-10 ms).
//
// The stream, as cuRAND lays it out (tests/test_host_philox.cpp checks it against cuRAND's own
// host generator, call sequence by call sequence):
//   - value k of the stream comes from Philox4x32-10 block b = k / 4, lane k % 4, with the key
//     (seed mod 2^32, seed / 2^32) and the counter (b / 2^16, b / 2^48, b mod 2^16, 0): cuRAND
//     spreads the stream over 65536 subsequences (the counter's third word), 4 values each, then
//     steps the first word;
//   - every call continues at the position the last one ended (no rounding of counts);
//   - a 32-bit draw is the value itself; a uniform float is v 2^-32 + 2^-33 (in (0, 1]);
//   - a normal draw at k is Box-Muller on the pair of values at (k - k mod 2, k - k mod 2 + 1):
//     u = a 2^-32 + 2^-33, t = b 2pi 2^-32 + pi 2^-32, r = sqrt(-2 log u); the even index takes
//     r sin t, the odd one r cos t (so a call that starts at an odd position begins with the
//     cosine of the pair before it), then mean + stddev z.
// The floats are worked as cuRAND's host code works them: float arithmetic without fused
// multiply-adds (the library is compiled with -ffp-contract=off) and the C library's logf and
// sincosf, which cuRAND's host library calls too (libm's, linked dynamically: the same function
// on the same machine, whichever variant the CPU selects).
#pragma once

#include <cstdint>

namespace linsgd {

class HostPhilox {
 public:
  // Draws of 2^19 values or more are shared by up to `threads` threads (the same values).
  explicit HostPhilox(uint64_t seed, int threads = 1) : seed_(seed), threads_(threads) {}

  void uniform_bits(uint32_t* out, int64_t count);
  void uniform(float* out, int64_t count);
  void normal(float* out, int64_t count, float mean, float stddev);
  // Moves past `count` values of any kind, as drawing them would.
  void skip(int64_t count) { position_ += static_cast<uint64_t>(count); }

  uint64_t position() const { return position_; }

 private:
  uint64_t seed_;
  int threads_;
  uint64_t position_ = 0;  // the stream index of the next value
};

}  // namespace linsgd
