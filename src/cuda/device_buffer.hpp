// DeviceBuffer<T>: a move-only owner of `count` elements of device memory (tiny-cuda-nn's
// GPUMemory, rmm::device_uvector). The trainer never calls cudaFree itself.
#pragma once

#include <cuda_runtime.h>

#include <cstddef>
#include <cstdint>
#include <utility>

#include "core/cuda_check.hpp"

namespace linsgd {

template <class T>
class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  explicit DeviceBuffer(int64_t count) : count_(count) {
    if (count_ > 0) {
      LINSGD_CUDA_CHECK(
          cudaMalloc(reinterpret_cast<void**>(&data_), static_cast<size_t>(count_) * sizeof(T)));
    }
  }
  ~DeviceBuffer() {
    if (data_ != nullptr) LINSGD_CUDA_CHECK_NO_THROW(cudaFree(data_));
  }
  DeviceBuffer(DeviceBuffer&& other) noexcept
      : data_(std::exchange(other.data_, nullptr)), count_(std::exchange(other.count_, 0)) {}
  DeviceBuffer& operator=(DeviceBuffer&& other) noexcept {
    std::swap(data_, other.data_);
    std::swap(count_, other.count_);
    return *this;
  }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;

  T* data() { return data_; }
  const T* data() const { return data_; }
  int64_t size() const { return count_; }

 private:
  T* data_ = nullptr;
  int64_t count_ = 0;
};

}  // namespace linsgd
