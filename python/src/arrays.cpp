// memory_of, view_of_arrays and to_vector.
#include "arrays.hpp"

#include "linsgd/errors.hpp"

namespace linsgd::python {

MemoryKind memory_of(int device_type, const char* name) {
  if (device_type == nb::device::cpu::value) return MemoryKind::kHost;
  if (device_type == nb::device::cuda::value) return MemoryKind::kCuda;
  throw UsageError(std::string(name) +
                   ": the array is neither in host memory nor on a CUDA device (DLPack device "
                   "type " +
                   std::to_string(device_type) + ")");
}

DataView view_of_arrays(const Matrix& X, const Vector& y, const std::optional<Vector>& weights) {
  DataView view;
  view.rows = static_cast<int64_t>(X.shape(0));
  view.features = static_cast<int64_t>(X.shape(1));
  view.X = X.data();
  view.y = y.data();
  view.memory = memory_of(X.device_type(), "X");
  view.source = "X";
  const auto require_alike = [&](const Vector& array, const char* name) {
    if (static_cast<int64_t>(array.shape(0)) != view.rows) {
      throw UsageError(std::string(name) + " has " + std::to_string(array.shape(0)) +
                       " values but X has " + std::to_string(view.rows) + " rows");
    }
    if (memory_of(array.device_type(), name) != view.memory || array.device_id() != X.device_id()) {
      throw UsageError(std::string(name) +
                       " and X must be in the same memory (both NumPy "
                       "arrays, or both on the same CUDA device)");
    }
  };
  require_alike(y, "y");
  if (weights) {
    require_alike(*weights, "sample_weight");
    view.sample_weights = weights->data();
  }
  return view;
}

std::vector<float> to_vector(const Vector& values, const char* name) {
  if (memory_of(values.device_type(), name) != MemoryKind::kHost) {
    throw UsageError(std::string(name) + ": expected a host array");
  }
  return std::vector<float>(values.data(), values.data() + values.shape(0));
}

}  // namespace linsgd::python
