// RandomGenerator: creation and the three cuRAND draws linsgd uses.
#include "core/random_generator.hpp"

#include <utility>

#include "core/cuda_check.hpp"

namespace linsgd {

RandomGenerator::RandomGenerator(Location location, uint64_t seed, cudaStream_t stream) {
  constexpr curandRngType_t kType = CURAND_RNG_PSEUDO_PHILOX4_32_10;
  if (location == Location::kHost) {
    LINSGD_CURAND_CHECK(curandCreateGeneratorHost(&generator_, kType));
  } else {
    LINSGD_CURAND_CHECK(curandCreateGenerator(&generator_, kType));
    LINSGD_CURAND_CHECK(curandSetStream(generator_, stream));
  }
  LINSGD_CURAND_CHECK(curandSetPseudoRandomGeneratorSeed(generator_, seed));
}

RandomGenerator::~RandomGenerator() {
  if (generator_ != nullptr) LINSGD_CURAND_CHECK_NO_THROW(curandDestroyGenerator(generator_));
}

RandomGenerator::RandomGenerator(RandomGenerator&& other) noexcept
    : generator_(std::exchange(other.generator_, nullptr)) {}

RandomGenerator& RandomGenerator::operator=(RandomGenerator&& other) noexcept {
  std::swap(generator_, other.generator_);
  return *this;
}

void RandomGenerator::uniform_bits(uint32_t* out, int64_t count) {
  LINSGD_CURAND_CHECK(curandGenerate(generator_, out, static_cast<size_t>(count)));
}

void RandomGenerator::uniform(float* out, int64_t count) {
  LINSGD_CURAND_CHECK(curandGenerateUniform(generator_, out, static_cast<size_t>(count)));
}

void RandomGenerator::normal(float* out, int64_t count, float mean, float stddev) {
  LINSGD_CURAND_CHECK(
      curandGenerateNormal(generator_, out, static_cast<size_t>(count), mean, stddev));
}

}  // namespace linsgd
