// Host memory the device reads in place: an array page-locked and mapped into the device's
// address space (cudaHostRegister, read-only), unregistered when the mapping goes away. A
// kernel that reads through device_pointer() fetches the bytes over the bus (PCIe or NVLink-C2C)
// as it goes: no copy of the array is made on the device.
#pragma once

#include <cstddef>

namespace linsgd {

class HostMapping {
 public:
  // Throws Error naming `what` when the range cannot be registered (not enough pinnable memory,
  // or part of it registered already).
  HostMapping(const void* host, size_t bytes, const char* what);
  ~HostMapping();
  HostMapping(const HostMapping&) = delete;
  HostMapping& operator=(const HostMapping&) = delete;

  const void* device_pointer() const { return device_; }

 private:
  void* host_ = nullptr;
  void* device_ = nullptr;
};

}  // namespace linsgd
