// nccl_library(): libnccl.so.2 opened with dlopen and its functions found with dlsym, once.
#include "cuda/nccl_library.hpp"

#include <string>

#include "cuda/shared_library.hpp"
#include "linsgd/errors.hpp"

namespace linsgd {
namespace {

constexpr const char* kRefusal = "--distributed --device cuda: ";
// The oldest NCCL accepted, as ncclGetVersion codes it (major * 10000 + minor * 100 + patch):
// 2.10, the first with ncclAvg (NcclGroup::average).
constexpr int kOldestNcclVersion = 21000;

template <typename Function>
void find(void* handle, const char* name, Function& function) {
  function = find_function<Function>(handle, name);
  if (function == nullptr) {
    throw UsageError(std::string(kRefusal) + "the NCCL library loaded has no " + name);
  }
}

NcclLibrary load() {
  std::string failures;
  void* handle = open_first_library({"libnccl.so.2", LINSGD_NCCL_LIBRARY}, failures);
  if (handle == nullptr) {
    throw UsageError(std::string(kRefusal) + "NCCL could not be loaded (" + failures +
                     "); install NCCL or add its directory to LD_LIBRARY_PATH; --device cpu "
                     "trains data-parallel without it");
  }
  decltype(&ncclGetVersion) get_version = nullptr;
  find(handle, "ncclGetVersion", get_version);
  int version = 0;
  if (get_version(&version) != ncclSuccess || version < kOldestNcclVersion) {
    throw UsageError(std::string(kRefusal) + "the NCCL library loaded reports version code " +
                     std::to_string(version) + "; linsgd needs NCCL 2.10 or later");
  }
  NcclLibrary library;
  find(handle, "ncclGetErrorString", library.get_error_string);
  find(handle, "ncclGetUniqueId", library.get_unique_id);
  find(handle, "ncclCommInitRank", library.comm_init_rank);
  find(handle, "ncclCommDestroy", library.comm_destroy);
  find(handle, "ncclReduce", library.reduce);
  find(handle, "ncclBroadcast", library.broadcast);
  return library;  // the handle stays open for the process's life
}

}  // namespace

const NcclLibrary& nccl_library() {
  // A static's initialization runs once even with threads racing; one that throws runs again
  // on the next call.
  static const NcclLibrary library = load();
  return library;
}

}  // namespace linsgd
