// cpu_blas_description() and cpu_blas_kernels_to_force(): OpenBLAS's build configuration and the
// kernels it chose at run time for this CPU (Debian's OpenBLAS is built with DYNAMIC_ARCH: one
// library, every x86-64 kernel set, picked when it loads from a table of CPU models), and the set
// the CPU's instruction sets call for where that pick falls short. Debian 12's OpenBLAS 0.3.21
// reads Intel family 6 models 0xB0 and above (Raptor Lake, Emerald Rapids: model 207) as a
// Pentium 4 and runs its SSE3 kernels ("Prescott"), 1.4 to 2.6x slower end to end on the post's
// problem; OpenBLAS 0.3.25 fixed it. linsgd's CPU hot loops (sdot, saxpy, the GEMVs) run in them.
#include "cpu/blas_info.hpp"

#include <cblas.h>
#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <initializer_list>
#include <iterator>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <system_error>

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
  if (all({"avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"})) return "SkylakeX";
  if (all({"avx2", "fma"})) return vendor == "AuthenticAMD" ? "Zen" : "Haswell";
  return "";
}

int blas_kernels_rank(const std::string& name) {
  static const std::map<std::string, int> ranks = {
      {"katmai", 0},      {"coppermine", 0},    {"northwood", 0},  {"prescott", 0},
      {"banias", 0},      {"core2", 0},         {"penryn", 0},     {"dunnington", 0},
      {"nehalem", 0},     {"atom", 0},          {"nano", 0},       {"athlon", 0},
      {"opteron", 0},     {"opteron_sse3", 0},  {"barcelona", 0},  {"bobcat", 0},
      {"sandybridge", 1}, {"bulldozer", 1},     {"piledriver", 1}, {"steamroller", 1},
      {"haswell", 2},     {"zen", 2},           {"excavator", 2},  {"skylakex", 3},
      {"cooperlake", 3},  {"sapphirerapids", 3}};
  std::string lower;
  for (const char c : name) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const auto found = ranks.find(lower);
  return found == ranks.end() ? -1 : found->second;
}

std::string cpu_blas_description() {
  const char* forced = std::getenv("OPENBLAS_CORETYPE");
  return std::string(openblas_get_config()) + " (kernels for " + openblas_get_corename() +
         (forced != nullptr ? std::string(", OPENBLAS_CORETYPE=") + forced : std::string()) + ")";
}

namespace {

// This CPU's vendor and the instruction sets blas_kernels_for reads, as CPUID and the operating
// system's saved state report them: what OpenBLAS reads too (an emulator such as valgrind hides
// AVX-512 from both, where /proc/cpuinfo would still list it).
std::string this_cpus_vendor() {
  __builtin_cpu_init();
  return __builtin_cpu_is("amd") ? "AuthenticAMD" : __builtin_cpu_is("intel") ? "GenuineIntel" : "";
}
std::string this_cpus_flags() {
  __builtin_cpu_init();
  std::string flags;
  const auto add = [&](int has, const char* name) {
    if (has != 0) flags += std::string(name) + " ";
  };
  add(__builtin_cpu_supports("avx2"), "avx2");
  add(__builtin_cpu_supports("fma"), "fma");
  add(__builtin_cpu_supports("avx512f"), "avx512f");
  add(__builtin_cpu_supports("avx512cd"), "avx512cd");
  add(__builtin_cpu_supports("avx512bw"), "avx512bw");
  add(__builtin_cpu_supports("avx512dq"), "avx512dq");
  add(__builtin_cpu_supports("avx512vl"), "avx512vl");
  return flags;
}

}  // namespace

std::string cpu_blas_kernels_to_force() {
  if (std::getenv("OPENBLAS_CORETYPE") != nullptr) return "";  // the user's choice stands
  // A build for one CPU has one kernel set, and reads no OPENBLAS_CORETYPE.
  if (std::string(openblas_get_config()).find("DYNAMIC_ARCH") == std::string::npos) return "";
  const std::string wanted = blas_kernels_for(this_cpus_vendor(), this_cpus_flags());
  const int picked = blas_kernels_rank(openblas_get_corename());
  if (wanted.empty() || picked < 0 || picked >= blas_kernels_rank(wanted)) return "";
  return wanted;
}

void restart_on_the_cpus_blas_kernels(char** argv) {
  const std::string kernels = cpu_blas_kernels_to_force();
  if (kernels.empty()) return;
  // Not when the dynamic loader runs the program (`ld-linux-x86-64.so.2 linsgd ...`): the loader
  // is then the executable, and argv no longer what it takes.
  std::error_code error;
  const auto executable = std::filesystem::read_symlink("/proc/self/exe", error);
  if (error || executable.filename().string().rfind("ld-", 0) == 0) return;
  setenv("OPENBLAS_CORETYPE", kernels.c_str(), 1);
  execv(executable.c_str(), argv);
  unsetenv("OPENBLAS_CORETYPE");  // not restarted: go on with OpenBLAS's pick
}

}  // namespace linsgd
