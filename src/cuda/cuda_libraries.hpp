// cuBLAS and cuSOLVER, loaded when a process first trains on the GPU, not linked into liblinsgd.
// Loading them costs a process about 0.1 s and 200 MB of resident memory (cuBLASLt's tables,
// which cuSOLVER loads too; measured on a 2-core VM, an empty program linked with cuBLAS against
// one linked with nothing): linked, every process paid it at its start, a run on the CPU and
// `linsgd --help` included. cudart and cuRAND cost next to nothing and stay linked.
#pragma once

#include <cublas_v2.h>
#include <cusolverDn.h>

namespace linsgd {

// The functions the GPU policy calls, typed from cuBLAS's header (whose macros name the _v2
// functions).
struct CublasLibrary {
  decltype(&cublasCreate) create = nullptr;
  decltype(&cublasDestroy) destroy = nullptr;
  decltype(&cublasSetStream) set_stream = nullptr;
  decltype(&cublasSetWorkspace) set_workspace = nullptr;
  decltype(&cublasSetPointerMode) set_pointer_mode = nullptr;
  decltype(&cublasSgemv) sgemv = nullptr;
  decltype(&cublasDgemv) dgemv = nullptr;
  decltype(&cublasDsyrk) dsyrk = nullptr;
};

// The functions the exact solver's Cholesky calls.
struct CusolverLibrary {
  decltype(&cusolverDnCreate) create = nullptr;
  decltype(&cusolverDnDestroy) destroy = nullptr;
  decltype(&cusolverDnSetStream) set_stream = nullptr;
  decltype(&cusolverDnDpotrf_bufferSize) dpotrf_buffer_size = nullptr;
  decltype(&cusolverDnDpotrf) dpotrf = nullptr;
  decltype(&cusolverDnDpotrs) dpotrs = nullptr;
};

// The process's cuBLAS and cuSOLVER, each loaded on its first call (from any thread): the
// major version linsgd was built with (its soname) as the dynamic loader finds it (a copy
// already loaded, LD_LIBRARY_PATH, its cache, liblinsgd's RUNPATH where it has one), else in
// the directory the build found it in.
// Throw Error naming the library and why it could not be loaded (then a later call tries
// again).
const CublasLibrary& cublas_library();
const CusolverLibrary& cusolver_library();

}  // namespace linsgd
