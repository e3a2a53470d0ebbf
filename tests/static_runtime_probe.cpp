// A shared library that links the C++ runtime statically (tests/CMakeLists.txt builds it with
// -static-libstdc++ and linsgd_keep_static_archives_private), for the check that such a
// runtime's symbols stay out of the library's dynamic symbol table (check_private_runtime.cmake).
// Formatting a double pulls in what crashed when exported: std::locale and its facets.
#include <sstream>
#include <string>

std::string linsgd_probe_format(double value) {
  std::ostringstream out;
  out << value;
  return out.str();
}
