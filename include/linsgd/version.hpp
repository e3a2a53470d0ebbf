// Which linsgd this is, and which CUDA it was built with and finds on this machine.
#pragma once

#include <string>

namespace linsgd {

// "0.1.0"
const char* version();

// One line: the CUDA version linsgd was built with, the runtime it loaded, and the newest CUDA
// the NVIDIA driver supports ("no NVIDIA driver found" without one).
std::string cuda_versions();

}  // namespace linsgd
