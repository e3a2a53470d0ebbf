// What /proc/cpuinfo says of this machine's CPU.
#pragma once

#include <string>

namespace linsgd {

// The value of `key` ("model name", "vendor_id", "flags") for the first processor /proc/cpuinfo
// lists; empty where it has none.
std::string cpuinfo_field(const std::string& key);

}  // namespace linsgd
