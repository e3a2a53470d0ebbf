// The kernels of the CPU BLAS (OpenBLAS): which ones a CPU calls for, and how they rank.
#pragma once

#include <string>

namespace linsgd {

// The OpenBLAS kernel set, by OPENBLAS_CORETYPE's name, that a CPU of this vendor ("GenuineIntel",
// "AuthenticAMD") and these instruction sets (`flags`, as /proc/cpuinfo spells them) calls for:
// "SkylakeX" (AVX-512 F, CD, BW, DQ and VL), "Haswell" (AVX2 and FMA; "Zen" on AMD), else empty
// (nothing to ask for). The float and double kernels are the best OpenBLAS has for each: its
// Cooperlake and SapphireRapids sets add bfloat16 kernels only.
std::string blas_kernels_for(const std::string& vendor, const std::string& flags);

// How wide a kernel set's vectors are, by OpenBLAS's name of it: 0 for the SSE sets (Prescott,
// Nehalem, ...), 1 AVX (Sandybridge, Bulldozer, ...), 2 AVX2 (Haswell, Zen, Excavator),
// 3 AVX-512 (SkylakeX, Cooperlake, SapphireRapids); -1 for a name it does not know.
int blas_kernels_rank(const std::string& name);

}  // namespace linsgd
