// cpuinfo_field: one line of /proc/cpuinfo, read up to the first processor's key.
#include "cpu/cpu_info.hpp"

#include <fstream>
#include <string>

namespace linsgd {

std::string cpuinfo_field(const std::string& key) {
  // Lines read "key<tabs>: value"; the first processor's come first.
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line)) {
    if (line.compare(0, key.size(), key) != 0) continue;
    const auto colon = line.find(':', key.size());
    if (colon == std::string::npos || line.find_first_not_of(" \t", key.size()) != colon) continue;
    const auto value = line.find_first_not_of(' ', colon + 1);
    return value == std::string::npos ? "" : line.substr(value);
  }
  return "";
}

}  // namespace linsgd
