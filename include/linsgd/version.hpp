// Which linsgd this is, which CUDA it was built with and finds on this machine, and which CPU
// BLAS kernels it runs.
#pragma once

#include <string>

namespace linsgd {

// "0.1.0"
const char* version();

// One line: the CUDA version linsgd was built with, the runtime it loaded, and the newest CUDA
// the NVIDIA driver supports ("no NVIDIA driver found" without one).
std::string cuda_versions();

// One line: the CPU BLAS and the kernels it chose for this CPU at run time ("OpenBLAS 0.3.21
// DYNAMIC_ARCH ... (kernels for Haswell)"; ", OPENBLAS_CORETYPE=..." where that chose them).
std::string cpu_blas_description();

// The kernel set OpenBLAS should have picked for this CPU, where it picked another as it loaded
// (an OpenBLAS older than the CPU falls back to its generic kernels, several times slower):
// OPENBLAS_CORETYPE's value that picks it, which OpenBLAS reads as it loads. Empty where its
// pick stands or OPENBLAS_CORETYPE is set already.
std::string cpu_blas_kernels_to_force();

}  // namespace linsgd
