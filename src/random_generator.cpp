// RandomGenerator: creation and the three cuRAND draws linsgd uses.
#include "random_generator.hpp"

#include <utility>

#include "linsgd/cuda_check.hpp"

namespace linsgd {

RandomGenerator::RandomGenerator(Location location, uint64_t seed, cudaStream_t stream) {
  constexpr curandRngType_t kType = CURAND_RNG_PSEUDO_PHILOX4_32_10;
  if (location == Location::kHost) {
    CURAND_CHECK(curandCreateGeneratorHost(&generator_, kType));
  } else {
    CURAND_CHECK(curandCreateGenerator(&generator_, kType));
    CURAND_CHECK(curandSetStream(generator_, stream));
  }
  CURAND_CHECK(curandSetPseudoRandomGeneratorSeed(generator_, seed));
}

RandomGenerator::~RandomGenerator() {
  if (generator_ != nullptr) CURAND_CHECK_NO_THROW(curandDestroyGenerator(generator_));
}

RandomGenerator::RandomGenerator(RandomGenerator&& other) noexcept
    : generator_(std::exchange(other.generator_, nullptr)) {}

RandomGenerator& RandomGenerator::operator=(RandomGenerator&& other) noexcept {
  std::swap(generator_, other.generator_);
  return *this;
}

void RandomGenerator::uniform_bits(uint32_t* out, int64_t count) {
  CURAND_CHECK(curandGenerate(generator_, out, static_cast<size_t>(count)));
}

void RandomGenerator::uniform(float* out, int64_t count) {
  CURAND_CHECK(curandGenerateUniform(generator_, out, static_cast<size_t>(count)));
}

void RandomGenerator::normal(float* out, int64_t count, float mean, float stddev) {
  CURAND_CHECK(curandGenerateNormal(generator_, out, static_cast<size_t>(count), mean, stddev));
}

}  // namespace linsgd
