// NCCL's C API, loaded from libnccl.so.2 when a data-parallel GPU run first asks for it, not
// linked into liblinsgd. A linked NCCL is loaded with linsgd, by every process that imports the
// Python package: a PyTorch imported after it then finds libnccl.so.2 already loaded, binds to
// that copy (whatever its version) and fails to import on a function it lacks. Loaded on demand,
// NCCL stays out of every process that trains without it, and a run that needs it uses the copy
// the process already has, if any. Only in builds that found nccl.h (LINSGD_HAVE_NCCL).
#pragma once

#include <nccl.h>

namespace linsgd {

// The functions NcclGroup calls, typed from nccl.h.
struct NcclLibrary {
  decltype(&ncclGetErrorString) get_error_string = nullptr;
  decltype(&ncclGetUniqueId) get_unique_id = nullptr;
  decltype(&ncclCommInitRank) comm_init_rank = nullptr;
  decltype(&ncclCommDestroy) comm_destroy = nullptr;
  decltype(&ncclReduce) reduce = nullptr;
  decltype(&ncclBroadcast) broadcast = nullptr;
};

// The process's NCCL, loaded on the first call (from any thread): libnccl.so.2 as the dynamic
// loader finds it (the copy already loaded, LD_LIBRARY_PATH, the loader's cache), else the file
// the build found (LINSGD_NCCL_LIBRARY); NCCL 2.10 or later. Throws UsageError naming what was
// tried and why it failed (then a later call tries again).
const NcclLibrary& nccl_library();

}  // namespace linsgd
