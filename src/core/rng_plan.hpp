// The random-number plan: which cuRAND generator, seeded how, draws what, in which order. Both
// backends follow it call for call (the CUDA backend with a device generator, the CPU backend
// with HostPhilox: what curandCreateGeneratorHost's generator of the same type draws, computed
// without it; see host_philox.hpp), so for one seed they draw the same indices
// and the same synthetic data. Tests re-derive their references from this plan.
//
//   data generator  (Philox4_32_10, seed = data_seed(seed)):
//     true_w  curandGenerateNormal(mean 0, stddev 1)   count even_count(d)
//     true_b  curandGenerateUniform                    count 1
//     X       curandGenerateNormal(mean 0, stddev 1)   count even_count(n * d), row-major
//     noise   curandGenerateNormal(mean 0, stddev 1)   count even_count(n)
//   training generator (Philox4_32_10, seed = training_seed(seed)):
//     w       curandGenerateNormal(mean 0, stddev sigma) count even_count(d)
//     then, sampling with replacement (the default), for each chunk of steps (see
//     steps_per_chunk), one
//             curandGenerate (32-bit)                  count B * steps in the chunk
//     step s of a chunk uses draws [s * B, (s + 1) * B), mapped by row_from_draw;
//     or, sampling by epoch, for each epoch, one
//             curandGenerate (32-bit)                  count n: a key per row
//     and the epoch's permutation is the rows ordered by key (ties by row: a stable sort),
//     walked B rows a step (the last step of an epoch takes the n mod B left, if any);
//     with B = n (whole-data batches; a larger B is stepped as n) nothing: every step takes the
//     rows in order.
// cuRAND continues one sequence across calls (how the draws are split into calls does not
// change them), so chunks may be shortened to end at evaluations without changing the draws.
//
// Normal draws are requested in even counts because cuRAND's Box-Muller transform produces
// pairs; the extra value, when there is one, lands in padding and is never read.
#pragma once

#include <algorithm>
#include <cstdint>

namespace linsgd::rng_plan {

inline constexpr uint64_t kSplitMixIncrement = 0x9E3779B97F4A7C15ULL;

// SplitMix64's finalizer: decorrelates the training stream from the data stream of one seed.
constexpr uint64_t mix64(uint64_t x) {
  x += kSplitMixIncrement;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

constexpr uint64_t data_seed(uint64_t seed) {
  return seed;
}
constexpr uint64_t training_seed(uint64_t seed) {
  return mix64(seed);
}

constexpr int64_t even_count(int64_t count) {
  return count + (count & 1);
}

// Steps whose indices are drawn by one curandGenerate call (and, on the GPU, replayed by one
// CUDA Graph). At most 256 steps and at most 2^22 indices (16 MiB) per chunk.
inline constexpr int64_t kMaxStepsPerChunk = 256;
inline constexpr int64_t kMaxDrawsPerChunk = int64_t{1} << 22;

constexpr int64_t steps_per_chunk(int64_t batch_size, int64_t total_steps) {
  const int64_t by_memory = std::max<int64_t>(1, kMaxDrawsPerChunk / batch_size);
  return std::max<int64_t>(1, std::min({kMaxStepsPerChunk, by_memory, total_steps}));
}

// Chunks end at evaluations when those come more often than steps_per_chunk's chunks.
constexpr int64_t steps_per_chunk(int64_t batch_size, int64_t total_steps,
                                  int64_t evaluation_interval) {
  const int64_t chunk = steps_per_chunk(batch_size, total_steps);
  return evaluation_interval > 0 ? std::min(chunk, evaluation_interval) : chunk;
}

// Steps in an epoch walked B rows at a time: ceil(n / B).
constexpr int64_t steps_per_epoch(int64_t rows, int64_t batch_size) {
  return (rows + batch_size - 1) / batch_size;
}

}  // namespace linsgd::rng_plan
