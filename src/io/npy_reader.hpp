// Reader of NumPy's .npy format (versions 1 to 3; little-endian float32 or float64; C order).
// Debian packages no C++ .npy reader, so this is a small one, following the format's
// specification (numpy.lib.format): magic, version, header length, a Python-literal dict with
// 'descr', 'fortran_order' and 'shape', then the raw array.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "io/input_bytes.hpp"
#include "linsgd/dataset.hpp"

namespace linsgd {

// A .npy file's array where it lies (in the InputBytes, which must outlive it), not yet
// converted: the file's shape, and a share's rows of its first dimension (all rows without one).
struct NpyPayload {
  std::vector<int64_t> shape;  // the file's
  int64_t first_row = 0;       // of the share's rows
  uint64_t count = 0;          // values in the share's rows, C order
  int item_size = 4;           // bytes a value: 4 (float32) or 8 (float64)
  const char* data = nullptr;  // the share's first value; unaligned, little-endian

  // Values [first, first + n) of the share's, converted to float32, into `out`.
  void copy_to(uint64_t first, uint64_t n, float* out) const;
};

struct NpyArray {
  std::vector<int64_t> shape;  // the file's
  // Converted to float32, C order: the whole array, or with a RowShare, rows [first_row,
  // first_row + share.row_count(shape[0])) of the first dimension.
  std::vector<float> values;
  int64_t first_row = 0;
};

// The format's magic bytes, which its data starts with.
inline constexpr const char* kNpyMagic = "\x93NUMPY";

// Throws InputError naming the input and what is wrong: not .npy, unsupported dtype (only <f4
// and <f8; a structured dtype is named whole), Fortran order, or a payload shorter than the
// shape says. With a share, only its rows of the first dimension are located.
NpyPayload locate_npy(const InputBytes& input, RowShare share = {});

// locate_npy's array, converted into memory (only the share's rows, with a share).
NpyArray read_npy(const InputBytes& input, RowShare share = {});

}  // namespace linsgd
