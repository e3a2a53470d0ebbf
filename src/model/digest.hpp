// A 64-bit FNV-1a digest (multiply-xor over 8-byte words): fast enough to digest gigabytes in
// about a second, and any change of a value changes the digest. It tells data apart (a
// checkpoint's data, its loss file); it is no cryptographic hash.
#pragma once

#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

namespace linsgd {

class Digest {
 public:
  // `bytes` bytes, their count first: two arrays digested in turn differ from their join.
  void add(const void* data, size_t bytes) {
    const auto* p = static_cast<const unsigned char*>(data);
    add_word(bytes);
    for (; bytes >= 8; bytes -= 8, p += 8) {
      uint64_t word = 0;
      std::memcpy(&word, p, 8);
      add_word(word);
    }
    for (; bytes > 0; --bytes, ++p) add_word(*p);
  }
  void add_floats(const std::vector<float>& values) {
    add(values.data(), values.size() * sizeof(float));
  }
  // Each float's bits a word and no count: a stream digested piece by piece, as it grows, gives
  // the digest of the whole.
  void add_float_stream(const float* values, size_t count) {
    for (size_t i = 0; i < count; ++i) {
      uint32_t bits = 0;
      std::memcpy(&bits, values + i, sizeof(bits));
      add_word(bits);
    }
  }
  std::string hex() const {
    char text[17];
    std::snprintf(text, sizeof(text), "%016" PRIx64, hash_);
    return text;
  }

 private:
  void add_word(uint64_t word) {
    hash_ ^= word;
    hash_ *= 0x100000001b3ULL;
  }
  uint64_t hash_ = 0xcbf29ce484222325ULL;
};

}  // namespace linsgd
