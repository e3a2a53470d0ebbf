// The GPUs of a data-parallel run's processes as one NCCL communicator: sums and averages of
// float arrays in device memory, enqueued on a stream (so they may be captured in the steps' CUDA
// Graphs), reduced on process 0 and broadcast from it, so every process gets the same floats
// (as the MPI path does on the CPU). Made from the unique id process 0 drew (new_nccl_id) and
// sent to every process over MPI.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>
#include <string>

namespace linsgd {

class NcclGroup {
 public:
  // Joins process `rank` of `size` (every process calls it with the same id; it returns when
  // all have). Throws UsageError when this linsgd was built without NCCL or cannot load it,
  // Error when NCCL fails.
  NcclGroup(const std::string& id, int rank, int size);
  ~NcclGroup();
  NcclGroup(const NcclGroup&) = delete;
  NcclGroup& operator=(const NcclGroup&) = delete;

  // In place, every process's values added (average: and divided by the process count).
  void sum(float* values, int64_t count, cudaStream_t stream) const;
  void average(float* values, int64_t count, cudaStream_t stream) const;

 private:
  void reduce_and_broadcast(float* values, int64_t count, bool average, cudaStream_t stream) const;

  void* comm_ = nullptr;  // ncclComm_t
};

// A fresh NCCL unique id (ncclGetUniqueId's bytes), for process 0 to send to the others. Throws
// UsageError when this linsgd was built without NCCL or cannot load it.
std::string new_nccl_id();
// Whether this linsgd was built with NCCL and can load it (the first call loads it).
bool nccl_available();

}  // namespace linsgd
