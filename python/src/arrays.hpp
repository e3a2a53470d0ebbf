// Arrays between Python and the C++ core: NumPy, CuPy and PyTorch arrays (buffer protocol,
// DLPack or __cuda_array_interface__, through nanobind's ndarray) seen as DataViews without a
// copy, and C++ vectors handed to NumPy without a copy.
#pragma once

#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "linsgd/dataset.hpp"

namespace linsgd::python {

namespace nb = nanobind;

// float32, C-contiguous, on the host or a CUDA device. Arguments of these types are declared
// noconvert, so nanobind never copies behind the caller's back: the Python layer converts
// what must be converted, once, where the documentation says so.
using Matrix = nb::ndarray<const float, nb::ndim<2>, nb::c_contig>;
using Vector = nb::ndarray<const float, nb::ndim<1>, nb::c_contig>;

// Where an array lives; throws ValueError (UsageError) for memory that is neither host nor CUDA.
MemoryKind memory_of(int device_type, const char* name);

// X, y (and the weights) as one DataView. Throws UsageError naming the argument when the shapes
// disagree or the arrays are not all in the same memory.
DataView view_of_arrays(const Matrix& X, const Vector& y, const std::optional<Vector>& weights);

// A 1-D NumPy array that owns `values` (moved, not copied).
template <class T>
nb::ndarray<nb::numpy, T, nb::ndim<1>> to_numpy(std::vector<T>&& values) {
  auto* owned = new std::vector<T>(std::move(values));
  nb::capsule owner(owned,
                    [](void* pointer) noexcept { delete static_cast<std::vector<T>*>(pointer); });
  return nb::ndarray<nb::numpy, T, nb::ndim<1>>(owned->data(), {owned->size()}, owner);
}

// A host array's values, copied (weights and statistics: d floats).
std::vector<float> to_vector(const Vector& values, const char* name);

}  // namespace linsgd::python
