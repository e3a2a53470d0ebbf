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
// DYNAMIC_ARCH ... (kernels for Haswell)").
std::string cpu_blas_description();

}  // namespace linsgd
