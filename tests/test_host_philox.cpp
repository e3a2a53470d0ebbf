// HostPhilox against cuRAND's own host generator of the same type and seed (the reference the
// CPU backend used before, and which draws what the device generator draws): the same bits for
// every kind of draw, at every position of the stream (odd ones included, where a normal draw
// begins with the cosine of the pair before it), across the blocks where cuRAND's counter steps
// its first word (every 2^18 values), and after skips.
#include <curand.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "core/host_philox.hpp"
#include "core/random_generator.hpp"
#include "core/rng_plan.hpp"

namespace linsgd {
namespace {

// cuRAND's host generator, for one seed.
class CurandHost {
 public:
  explicit CurandHost(uint64_t seed) {
    EXPECT_EQ(curandCreateGeneratorHost(&generator_, CURAND_RNG_PSEUDO_PHILOX4_32_10),
              CURAND_STATUS_SUCCESS);
    EXPECT_EQ(curandSetPseudoRandomGeneratorSeed(generator_, seed), CURAND_STATUS_SUCCESS);
  }
  ~CurandHost() { curandDestroyGenerator(generator_); }
  CurandHost(const CurandHost&) = delete;
  CurandHost& operator=(const CurandHost&) = delete;
  curandGenerator_t get() const { return generator_; }

 private:
  curandGenerator_t generator_ = nullptr;
};

// The bits of each float, so that a difference of one ulp (or of a NaN's payload) shows.
std::vector<uint32_t> bits_of(const std::vector<float>& values) {
  std::vector<uint32_t> bits(values.size());
  std::memcpy(bits.data(), values.data(), values.size() * sizeof(float));
  return bits;
}

// One call of a sequence: a kind of draw and its count (and the normal's mean and deviation).
struct Draw {
  enum Kind { kBits, kUniform, kNormal, kSkip } kind;
  int64_t count;
  float mean = 0.0f;
  float stddev = 1.0f;
};

// Runs `draws` on both generators and compares every value, naming the call that differs.
void expect_same_draws(uint64_t seed, const std::vector<Draw>& draws) {
  CurandHost reference(seed);
  HostPhilox stream(seed);
  for (size_t call = 0; call < draws.size(); ++call) {
    const Draw& draw = draws[call];
    const auto n = static_cast<size_t>(draw.count);
    const std::string label = "seed " + std::to_string(seed) + ", call " + std::to_string(call) +
                              " at " + std::to_string(stream.position());
    if (draw.kind == Draw::kBits || draw.kind == Draw::kSkip) {
      std::vector<uint32_t> expected(n), actual(n);
      ASSERT_EQ(curandGenerate(reference.get(), expected.data(), n), CURAND_STATUS_SUCCESS);
      if (draw.kind == Draw::kSkip) {
        stream.skip(draw.count);
        continue;
      }
      stream.uniform_bits(actual.data(), draw.count);
      ASSERT_EQ(actual, expected) << label;
      continue;
    }
    std::vector<float> expected(n), actual(n);
    if (draw.kind == Draw::kUniform) {
      ASSERT_EQ(curandGenerateUniform(reference.get(), expected.data(), n), CURAND_STATUS_SUCCESS);
      stream.uniform(actual.data(), draw.count);
    } else {
      ASSERT_EQ(curandGenerateNormal(reference.get(), expected.data(), n, draw.mean, draw.stddev),
                CURAND_STATUS_SUCCESS);
      stream.normal(actual.data(), draw.count, draw.mean, draw.stddev);
    }
    ASSERT_EQ(bits_of(actual), bits_of(expected)) << label;
  }
}

TEST(HostPhilox, DrawsWhatCurandsHostGeneratorDraws) {
  // The synthetic problem's data plan and the training plan's first draws, then odd counts
  // (positions not a multiple of 4, odd normal starts), a normal of another mean and
  // deviation, a skip, and a run past 2^18 values (the counter's first word steps).
  const std::vector<Draw> draws = {{Draw::kNormal, 2000},
                                   {Draw::kUniform, 1},
                                   {Draw::kNormal, 1000, 0.0f, 0.01f},
                                   {Draw::kBits, 7},
                                   {Draw::kNormal, 1001, 1.5f, 3.0f},
                                   {Draw::kBits, 13},
                                   {Draw::kUniform, 5},
                                   {Draw::kSkip, 3},
                                   {Draw::kNormal, 3},
                                   {Draw::kBits, 300000},
                                   {Draw::kNormal, 1 << 19, -2.0f, 0.5f},
                                   {Draw::kUniform, 70001},
                                   {Draw::kBits, 1},
                                   {Draw::kNormal, 2}};
  for (const uint64_t seed :
       {uint64_t{0}, uint64_t{42}, rng_plan::training_seed(42), ~uint64_t{0}}) {
    expect_same_draws(seed, draws);
  }
}

// The host RandomGenerator is HostPhilox; a skip of normal draws moves its stream as the draws
// would.
TEST(HostPhilox, TheHostGeneratorSkipsNormalsAsDrawingThemWould) {
  RandomGenerator drawn(RandomGenerator::Location::kHost, 7);
  RandomGenerator skipped(RandomGenerator::Location::kHost, 7);
  std::vector<float> weights(rng_plan::even_count(5));
  drawn.normal(weights.data(), rng_plan::even_count(5), 0.0f, 0.01f);
  skipped.skip_normal(nullptr, rng_plan::even_count(5));
  std::vector<uint32_t> after_draw(100), after_skip(100);
  drawn.uniform_bits(after_draw.data(), 100);
  skipped.uniform_bits(after_skip.data(), 100);
  EXPECT_EQ(after_skip, after_draw);
  CurandHost reference(7);
  std::vector<float> expected(weights.size());
  ASSERT_EQ(curandGenerateNormal(reference.get(), expected.data(), expected.size(), 0.0f, 0.01f),
            CURAND_STATUS_SUCCESS);
  EXPECT_EQ(bits_of(weights), bits_of(expected));
}

// Long draws shared among threads are the values of one thread, at an odd position too.
TEST(HostPhilox, ThreadsShareLongDrawsWithoutChangingThem) {
  for (const int threads : {2, 3, 8}) {
    HostPhilox one(42), shared(42, threads);
    std::vector<uint32_t> head(3);
    one.uniform_bits(head.data(), 3);
    shared.uniform_bits(head.data(), 3);
    const int64_t n = (int64_t{1} << 20) + 5;
    std::vector<float> expected(n), actual(n);
    one.normal(expected.data(), n, 0.5f, 2.0f);
    shared.normal(actual.data(), n, 0.5f, 2.0f);
    EXPECT_EQ(bits_of(actual), bits_of(expected)) << threads;
    std::vector<uint32_t> expected_bits(n), actual_bits(n);
    one.uniform_bits(expected_bits.data(), n);
    shared.uniform_bits(actual_bits.data(), n);
    EXPECT_EQ(actual_bits, expected_bits) << threads;
  }
}

}  // namespace
}  // namespace linsgd
