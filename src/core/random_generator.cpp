// RandomGenerator: creation and the draws linsgd uses, by cuRAND on the device and by HostPhilox
// on the host.
#include "core/random_generator.hpp"

#include <utility>

#include "core/cuda_check.hpp"

namespace linsgd {

RandomGenerator::RandomGenerator(Location location, uint64_t seed, cudaStream_t stream,
                                 int host_threads) {
  if (location == Location::kHost) {
    host_.emplace(seed, host_threads);
    return;
  }
  LINSGD_CURAND_CHECK(curandCreateGenerator(&generator_, CURAND_RNG_PSEUDO_PHILOX4_32_10));
  LINSGD_CURAND_CHECK(curandSetStream(generator_, stream));
  LINSGD_CURAND_CHECK(curandSetPseudoRandomGeneratorSeed(generator_, seed));
}

RandomGenerator::~RandomGenerator() {
  if (generator_ != nullptr) LINSGD_CURAND_CHECK_NO_THROW(curandDestroyGenerator(generator_));
}

RandomGenerator::RandomGenerator(RandomGenerator&& other) noexcept
    : generator_(std::exchange(other.generator_, nullptr)),
      host_(std::exchange(other.host_, std::nullopt)) {}

RandomGenerator& RandomGenerator::operator=(RandomGenerator&& other) noexcept {
  std::swap(generator_, other.generator_);
  std::swap(host_, other.host_);
  return *this;
}

void RandomGenerator::uniform_bits(uint32_t* out, int64_t count) {
  if (host_) return host_->uniform_bits(out, count);
  LINSGD_CURAND_CHECK(curandGenerate(generator_, out, static_cast<size_t>(count)));
}

void RandomGenerator::uniform(float* out, int64_t count) {
  if (host_) return host_->uniform(out, count);
  LINSGD_CURAND_CHECK(curandGenerateUniform(generator_, out, static_cast<size_t>(count)));
}

void RandomGenerator::normal(float* out, int64_t count, float mean, float stddev) {
  if (host_) return host_->normal(out, count, mean, stddev);
  LINSGD_CURAND_CHECK(
      curandGenerateNormal(generator_, out, static_cast<size_t>(count), mean, stddev));
}

void RandomGenerator::skip_normal(float* scratch, int64_t count) {
  if (host_) return host_->skip(count);
  normal(scratch, count, 0.0f, 1.0f);
}

}  // namespace linsgd
