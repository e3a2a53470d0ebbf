// The CPU cores this process may run on: what "every core" means for the CPU backend's threads.
#pragma once

namespace linsgd {

// The cores in this process's CPU affinity mask (taskset, a container's cpuset), which may be
// fewer than the machine's; at least 1.
int usable_cpu_cores();

}  // namespace linsgd
