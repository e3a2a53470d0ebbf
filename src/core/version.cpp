// version(): the project's version, as CMake passes it in.
#include "linsgd/version.hpp"

namespace linsgd {

const char* version() {
  return LINSGD_VERSION;
}

}  // namespace linsgd
