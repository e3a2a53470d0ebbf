// LINSGD_HD marks functions compiled for both the host and the device. The per-element math of
// the SGD step lives in such functions so the CPU backend and the CUDA kernels share one copy.
#pragma once

#if defined(__CUDACC__)
#define LINSGD_HD __host__ __device__
#else
#define LINSGD_HD
#endif
