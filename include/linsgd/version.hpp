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

// The kernel set OpenBLAS should have picked for this CPU, where it picked narrower ones as it
// loaded (an OpenBLAS older than the CPU may take it for an old one: several times slower):
// OPENBLAS_CORETYPE's value that picks it, which OpenBLAS reads as it loads. Empty where its
// pick stands, OPENBLAS_CORETYPE is set already, or the build has one kernel set.
std::string cpu_blas_kernels_to_force();

// For a program's main, first thing: where cpu_blas_kernels_to_force() names kernels, starts
// the program again at once (the same arguments, environment and files) with OPENBLAS_CORETYPE
// naming them. Once: the variable is set then. Returns where there is nothing to do, or the
// restart failed.
void restart_on_the_cpus_blas_kernels(char** argv);

}  // namespace linsgd
