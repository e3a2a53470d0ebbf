// RAII owner of a cuRAND Philox4_32_10 generator, on the host or on the device. The generation
// calls are the same cuRAND calls in both cases (only the creation differs), which is how the
// CPU backend draws exactly the numbers the GPU draws for one seed (see rng_plan.hpp).
#pragma once

#include <cuda_runtime.h>
#include <curand.h>

#include <cstdint>

namespace linsgd {

class RandomGenerator {
 public:
  enum class Location { kHost, kDevice };

  // A device generator is bound to `stream`, so its draws are ordered with the trainer's work.
  RandomGenerator(Location location, uint64_t seed, cudaStream_t stream = nullptr);
  ~RandomGenerator();
  RandomGenerator(RandomGenerator&& other) noexcept;
  RandomGenerator& operator=(RandomGenerator&& other) noexcept;
  RandomGenerator(const RandomGenerator&) = delete;
  RandomGenerator& operator=(const RandomGenerator&) = delete;

  // `out` is host memory for a host generator and device memory for a device generator.
  void uniform_bits(uint32_t* out, int64_t count);
  void uniform(float* out, int64_t count);  // in (0, 1]
  // `count` must be even (Box-Muller yields pairs): see rng_plan::even_count.
  void normal(float* out, int64_t count, float mean, float stddev);

 private:
  curandGenerator_t generator_ = nullptr;
};

}  // namespace linsgd
