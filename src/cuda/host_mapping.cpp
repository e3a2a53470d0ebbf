// HostMapping: cudaHostRegister with the mapped and read-only flags, and its undoing.
#include "cuda/host_mapping.hpp"

#include <cuda_runtime.h>

#include <string>

#include "core/cuda_check.hpp"
#include "linsgd/errors.hpp"

namespace linsgd {

HostMapping::HostMapping(const void* host, size_t bytes, const char* what)
    : host_(const_cast<void*>(host)) {
  // Read-only: the device never writes the data, and the driver may then map it without
  // tracking writes (cudaHostRegisterReadOnly, supported where cudaDevAttrHostRegisterReadOnly).
  int read_only = 0;
  int device = 0;
  LINSGD_CUDA_CHECK(cudaGetDevice(&device));
  LINSGD_CUDA_CHECK(
      cudaDeviceGetAttribute(&read_only, cudaDevAttrHostRegisterReadOnlySupported, device));
  const unsigned flags = cudaHostRegisterMapped | (read_only ? cudaHostRegisterReadOnly : 0u);
  const cudaError_t status = cudaHostRegister(host_, bytes, flags);
  if (status != cudaSuccess) {
    cudaGetLastError();  // clear it: the next call must not be blamed
    throw Error(std::string("cannot pin ") + what + " in host memory for the GPU to read (" +
                cudaGetErrorString(status) + "); use --device cpu, or a machine with more memory");
  }
  if (cudaHostGetDevicePointer(&device_, host_, 0) != cudaSuccess) {
    cudaGetLastError();
    cudaHostUnregister(host_);
    throw Error(std::string("cannot map ") + what + " into the GPU's address space");
  }
}

HostMapping::~HostMapping() {
  LINSGD_CUDA_CHECK_NO_THROW(cudaHostUnregister(host_));
}

}  // namespace linsgd
