// cpu_blas_description() and cpu_blas_kernels_to_force(): OpenBLAS's build configuration and the
// kernels it chose at run time for this CPU (Debian's OpenBLAS is built with DYNAMIC_ARCH: one
// library, every x86-64 kernel set, picked when it loads, from a table of the CPU models it
// knows), and the set the CPU's instruction sets call for where that pick falls short: Debian
// 12's OpenBLAS 0.3.21 falls back to its generic SSE3 kernels ("Prescott") on CPUs newer than it
// (Intel's Emerald Rapids, family 6 model 207), 2.6x slower on an exact solve of the post's
// problem. linsgd's CPU hot loops (sdot, saxpy, the GEMVs) run in them.
#include "cpu/blas_info.hpp"

#include <cblas.h>
#include <strings.h>

#include <cstdlib>
#include <initializer_list>
#include <iterator>
#include <set>
#include <sstream>
#include <string>

#include "cpu/cpu_info.hpp"
#include "linsgd/version.hpp"

namespace linsgd {

std::string blas_kernels_for(const std::string& vendor, const std::string& flags) {
  std::istringstream words(flags);
  const std::set<std::string> has{std::istream_iterator<std::string>(words), {}};
  const auto all = [&](std::initializer_list<const char*> needed) {
    for (const char* flag : needed) {
      if (has.count(flag) == 0) return false;
    }
    return true;
  };
  if (all({"avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"})) {
    return has.count("avx512_bf16") > 0 ? "Cooperlake" : "SkylakeX";
  }
  if (all({"avx2", "fma"})) {
    return vendor == "AuthenticAMD" || vendor == "HygonGenuine" ? "Zen" : "Haswell";
  }
  return "";
}

std::string cpu_blas_description() {
  const char* forced = std::getenv("OPENBLAS_CORETYPE");
  return std::string(openblas_get_config()) + " (kernels for " + openblas_get_corename() +
         (forced != nullptr ? std::string(", OPENBLAS_CORETYPE=") + forced : std::string()) + ")";
}

std::string cpu_blas_kernels_to_force() {
  if (std::getenv("OPENBLAS_CORETYPE") != nullptr) return "";  // the user's choice stands
  const std::string wanted = blas_kernels_for(cpuinfo_field("vendor_id"), cpuinfo_field("flags"));
  if (wanted.empty() || strcasecmp(wanted.c_str(), openblas_get_corename()) == 0) return "";
  return wanted;
}

}  // namespace linsgd
