// HostPhilox: Philox4x32-10 blocks, laid out and turned into floats as cuRAND's generator does
// (see host_philox.hpp).
#include "core/host_philox.hpp"

#include <algorithm>
#include <cmath>
#include <system_error>
#include <thread>
#include <vector>

namespace linsgd {
namespace {

struct Block {
  uint32_t lanes[4];
};

// Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", 2011) of stream
// block `block`: ten rounds of two 32 x 32 -> 64-bit multiplies, the key bumped by the Weyl
// constants between rounds.
Block philox_block(uint64_t seed, uint64_t block) {
  uint32_t x0 = static_cast<uint32_t>(block >> 16), x1 = static_cast<uint32_t>(block >> 48);
  uint32_t x2 = static_cast<uint32_t>(block & 0xFFFFu), x3 = 0;
  uint32_t k0 = static_cast<uint32_t>(seed), k1 = static_cast<uint32_t>(seed >> 32);
  for (int round = 0; round < 10; ++round) {
    const uint64_t p0 = uint64_t{0xD2511F53u} * x0, p1 = uint64_t{0xCD9E8D57u} * x2;
    const uint32_t y0 = static_cast<uint32_t>(p1 >> 32) ^ x1 ^ k0;
    const uint32_t y2 = static_cast<uint32_t>(p0 >> 32) ^ x3 ^ k1;
    x1 = static_cast<uint32_t>(p1);
    x3 = static_cast<uint32_t>(p0);
    x0 = y0;
    x2 = y2;
    k0 += 0x9E3779B9u;
    k1 += 0xBB67AE85u;
  }
  return Block{{x0, x1, x2, x3}};
}

// cuRAND's constants, float products as its macros are: 2^-32, and 2^-32 2pi.
constexpr float kTwoPow32Inv = 2.3283064e-10f;
constexpr float kTwoPow32Inv2Pi = 2.3283064e-10f * 6.2831855f;

float uniform_of(uint32_t value) {
  return static_cast<float>(value) * kTwoPow32Inv + kTwoPow32Inv / 2.0f;
}

// Writes values [position, position + count) of the stream to `out`: each block of four computed
// once, `convert` turning its lanes into the four values of the kind drawn.
template <class T, class Convert>
void fill_range(uint64_t seed, uint64_t position, T* out, int64_t count, const Convert& convert) {
  int64_t written = 0;
  uint64_t index = position;
  while (written < count) {
    T values[4];
    convert(philox_block(seed, index / 4), values);
    for (uint64_t lane = index % 4; lane < 4 && written < count; ++lane, ++index) {
      out[written++] = values[lane];
    }
  }
}

// As fill_range, on up to `threads` threads for long draws (the synthetic data's millions of
// normals), each taking a contiguous part: every value depends on its stream index alone, so the
// values are the same whatever the split.
template <class T, class Convert>
void fill(uint64_t seed, uint64_t position, T* out, int64_t count, int threads,
          const Convert& convert) {
  constexpr int64_t kValuesAThread = int64_t{1} << 18;  // a shorter draw is not shared
  const int64_t parts = std::max<int64_t>(1, std::min<int64_t>(threads, count / kValuesAThread));
  const auto part_range = [&](int64_t part) {
    const int64_t first = count * part / parts, end = count * (part + 1) / parts;
    fill_range(seed, position + static_cast<uint64_t>(first), out + first, end - first, convert);
  };
  std::vector<std::thread> helpers;
  int64_t part = 1;
  try {
    for (; part < parts; ++part) helpers.emplace_back(part_range, part);
  } catch (const std::system_error&) {  // no thread to be had: the rest here (the same values)
    for (; part < parts; ++part) part_range(part);
  }
  part_range(0);
  for (std::thread& helper : helpers) helper.join();
}

}  // namespace

void HostPhilox::uniform_bits(uint32_t* out, int64_t count) {
  fill(seed_, position_, out, count, threads_, [](const Block& block, uint32_t values[4]) {
    for (int lane = 0; lane < 4; ++lane) values[lane] = block.lanes[lane];
  });
  skip(count);
}

void HostPhilox::uniform(float* out, int64_t count) {
  fill(seed_, position_, out, count, threads_, [](const Block& block, float values[4]) {
    for (int lane = 0; lane < 4; ++lane) values[lane] = uniform_of(block.lanes[lane]);
  });
  skip(count);
}

void HostPhilox::normal(float* out, int64_t count, float mean, float stddev) {
  fill(seed_, position_, out, count, threads_, [=](const Block& block, float values[4]) {
    for (int pair = 0; pair < 2; ++pair) {  // Box-Muller on lanes (0, 1) and (2, 3)
      const float u = uniform_of(block.lanes[2 * pair]);
      const float t =
          static_cast<float>(block.lanes[2 * pair + 1]) * kTwoPow32Inv2Pi + kTwoPow32Inv2Pi / 2.0f;
      const float radius = std::sqrt(-2.0f * std::log(u));
      float sine = 0.0f, cosine = 0.0f;
      ::sincosf(t, &sine, &cosine);
      values[2 * pair] = mean + stddev * (sine * radius);
      values[2 * pair + 1] = mean + stddev * (cosine * radius);
    }
  });
  skip(count);
}

}  // namespace linsgd
