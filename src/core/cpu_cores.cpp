// usable_cpu_cores: sched_getaffinity's count, or the machine's where it is unavailable.
#include "linsgd/trainer.hpp"

#include <sched.h>

#include <algorithm>
#include <thread>

namespace linsgd {

int usable_cpu_cores() {
  cpu_set_t allowed;
  CPU_ZERO(&allowed);
  if (sched_getaffinity(0, sizeof(allowed), &allowed) == 0) {
    const int count = CPU_COUNT(&allowed);
    if (count > 0) return count;
  }
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

}  // namespace linsgd
