// cpu_blas_description(): OpenBLAS's build configuration and the kernels it chose at run time
// for this CPU (Debian's OpenBLAS is built with DYNAMIC_ARCH: one library, every x86-64 kernel
// set, picked when it loads). linsgd's CPU hot loops (sdot, saxpy, the GEMVs) run in them.
#include <cblas.h>

#include <string>

#include "linsgd/version.hpp"

namespace linsgd {

std::string cpu_blas_description() {
  return std::string(openblas_get_config()) + " (kernels for " + openblas_get_corename() + ")";
}

}  // namespace linsgd
