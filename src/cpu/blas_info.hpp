// The kernels of the CPU BLAS (OpenBLAS): which ones a CPU calls for.
#pragma once

#include <string>

namespace linsgd {

// The OpenBLAS kernel set, by OPENBLAS_CORETYPE's name, that a CPU of this vendor ("GenuineIntel",
// "AuthenticAMD") and these /proc/cpuinfo flags calls for: "Cooperlake" (AVX-512 with BF16),
// "SkylakeX" (AVX-512), "Haswell" (AVX2 and FMA; "Zen" on AMD and Hygon), else empty (OpenBLAS's
// own pick stands). These are the sets OpenBLAS 0.3.21 picks itself on the CPUs it knows.
std::string blas_kernels_for(const std::string& vendor, const std::string& flags);

}  // namespace linsgd
