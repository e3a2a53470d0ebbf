// A Philox4_32_10 stream of one seed: on the device a cuRAND generator (RAII), on the host
// HostPhilox, which computes what cuRAND's host generator of the type gives, value for value
// (without its setup of several milliseconds a seed). The CPU backend so draws exactly the
// numbers the GPU draws for one seed (see rng_plan.hpp).
#pragma once

#include <cuda_runtime.h>
#include <curand.h>

#include <cstdint>
#include <optional>

#include "core/host_philox.hpp"

namespace linsgd {

class RandomGenerator {
 public:
  enum class Location { kHost, kDevice };

  // A device generator is bound to `stream`, so its draws are ordered with the trainer's work.
  // A host generator shares long draws among `host_threads` threads (the same values).
  RandomGenerator(Location location, uint64_t seed, cudaStream_t stream = nullptr,
                  int host_threads = 1);
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
  // Moves the stream past `count` normal draws as normal() would: the host's by arithmetic, the
  // device's by drawing them into `scratch` (device memory of `count` floats).
  void skip_normal(float* scratch, int64_t count);

 private:
  curandGenerator_t generator_ = nullptr;  // the device's
  std::optional<HostPhilox> host_;
};

}  // namespace linsgd
