// NcclGroup over NCCL's C API (loaded on first use: nccl_library.hpp), or, in a build without
// NCCL, its refusal.
#include "cuda/nccl_group.hpp"

#ifdef LINSGD_HAVE_NCCL
#include "cuda/nccl_library.hpp"
#endif

#include <cstdio>
#include <cstring>

#include "linsgd/errors.hpp"

namespace linsgd {

#ifdef LINSGD_HAVE_NCCL

namespace {

void check(ncclResult_t result, const char* what) {
  if (result != ncclSuccess) {
    throw Error(std::string("--distributed: NCCL ") + what +
                " failed: " + nccl_library().get_error_string(result));
  }
}

ncclComm_t as_comm(void* comm) {
  return static_cast<ncclComm_t>(comm);
}

}  // namespace

NcclGroup::NcclGroup(const std::string& id, int rank, int size) {
  ncclUniqueId unique{};
  if (id.size() != sizeof(unique.internal)) {
    throw Error("--distributed: the NCCL id has " + std::to_string(id.size()) + " bytes, not " +
                std::to_string(sizeof(unique.internal)));
  }
  std::memcpy(unique.internal, id.data(), id.size());
  ncclComm_t comm = nullptr;
  check(nccl_library().comm_init_rank(&comm, size, unique, rank), "ncclCommInitRank");
  comm_ = comm;
}

NcclGroup::~NcclGroup() {
  if (comm_ != nullptr && nccl_library().comm_destroy(as_comm(comm_)) != ncclSuccess) {
    std::fprintf(stderr, "linsgd: warning: ncclCommDestroy failed\n");
  }
}

void NcclGroup::reduce_and_broadcast(float* values, int64_t count, bool average,
                                     cudaStream_t stream) const {
  // Reduced on process 0, then sent from it: the same floats everywhere, which an all-reduce
  // does not promise in every algorithm, and every process must apply the very same update.
  const auto elements = static_cast<size_t>(count);
  const NcclLibrary& nccl = nccl_library();
  check(nccl.reduce(values, values, elements, ncclFloat, average ? ncclAvg : ncclSum, 0,
                    as_comm(comm_), stream),
        "ncclReduce");
  check(nccl.broadcast(values, values, elements, ncclFloat, 0, as_comm(comm_), stream),
        "ncclBroadcast");
}

void NcclGroup::sum(float* values, int64_t count, cudaStream_t stream) const {
  reduce_and_broadcast(values, count, false, stream);
}

void NcclGroup::average(float* values, int64_t count, cudaStream_t stream) const {
  reduce_and_broadcast(values, count, true, stream);
}

bool nccl_available() {
  try {
    nccl_library();
    return true;
  } catch (const UsageError&) {
    return false;
  }
}

std::string new_nccl_id() {
  ncclUniqueId unique{};
  check(nccl_library().get_unique_id(&unique), "ncclGetUniqueId");
  return std::string(unique.internal, sizeof(unique.internal));
}

#else  // no NCCL in this build

namespace {

[[noreturn]] void refuse() {
  throw UsageError(
      "--distributed --device cuda: this linsgd was built without NCCL (install it with the CUDA "
      "toolkit, or point LINSGD_NCCL_ROOT at one, and build again); --device cpu trains "
      "data-parallel without it");
}

}  // namespace

NcclGroup::NcclGroup(const std::string&, int, int) {
  refuse();
}
NcclGroup::~NcclGroup() = default;
void NcclGroup::sum(float*, int64_t, cudaStream_t) const {}
void NcclGroup::average(float*, int64_t, cudaStream_t) const {}
void NcclGroup::reduce_and_broadcast(float*, int64_t, bool, cudaStream_t) const {}
std::string new_nccl_id() {
  refuse();
}
bool nccl_available() {
  return false;
}

#endif

}  // namespace linsgd
