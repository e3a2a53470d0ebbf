// MpiSession over Open MPI's C API, or, in a build without MPI, its refusal.
#include "comm/mpi_session.hpp"

#ifdef LINSGD_HAVE_MPI
#include <mpi.h>
#endif

#include <climits>
#include <string>

#include "linsgd/errors.hpp"

namespace linsgd {
namespace {

bool session_open = false;

}  // namespace

#ifdef LINSGD_HAVE_MPI

namespace {

// The sums made on process 0 and sent to every process: the same floats everywhere, which an
// MPI_Allreduce does not promise (its additions may run in another order on each process), and
// every process must apply the very same update. MPI counts are ints: larger arrays go in pieces.
template <class T>
void sum_in_pieces(T* values, int64_t count, MPI_Datatype type, int rank) {
  while (count > 0) {
    const int piece = count > INT_MAX ? INT_MAX : static_cast<int>(count);
    const int reduced = MPI_Reduce(rank == 0 ? MPI_IN_PLACE : values, rank == 0 ? values : nullptr,
                                   piece, type, MPI_SUM, 0, MPI_COMM_WORLD);
    if (reduced != MPI_SUCCESS ||
        MPI_Bcast(values, piece, type, 0, MPI_COMM_WORLD) != MPI_SUCCESS) {
      throw Error("--distributed: summing across the processes failed");
    }
    values += piece;
    count -= piece;
  }
}

}  // namespace

MpiSession::MpiSession() {
  if (MPI_Init(nullptr, nullptr) != MPI_SUCCESS) throw Error("--distributed: MPI_Init failed");
  session_open = true;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
  MPI_Comm machine = MPI_COMM_NULL;
  if (MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank_, MPI_INFO_NULL, &machine) ==
      MPI_SUCCESS) {
    MPI_Comm_rank(machine, &local_rank_);
    MPI_Comm_free(&machine);
  }
}

MpiSession::~MpiSession() {
  session_open = false;
  MPI_Finalize();
}

void MpiSession::sum_floats(float* values, int64_t count) const {
  sum_in_pieces(values, count, MPI_FLOAT, rank_);
}

void MpiSession::sum_doubles(double* values, int64_t count) const {
  sum_in_pieces(values, count, MPI_DOUBLE, rank_);
}

void MpiSession::broadcast(std::string& bytes) const {
  int size = static_cast<int>(bytes.size());
  if (MPI_Bcast(&size, 1, MPI_INT, 0, MPI_COMM_WORLD) != MPI_SUCCESS) {
    throw Error("--distributed: sending to the processes failed");
  }
  bytes.resize(static_cast<size_t>(size));
  if (MPI_Bcast(bytes.data(), size, MPI_CHAR, 0, MPI_COMM_WORLD) != MPI_SUCCESS) {
    throw Error("--distributed: sending to the processes failed");
  }
}

void MpiSession::average_floats(float* values, int64_t count) const {
  sum_floats(values, count);
  const float share = 1.0f / static_cast<float>(size_);
  for (int64_t i = 0; i < count; ++i) values[i] *= share;
}

void MpiSession::abort_all_if_open(int exit_code) {
  if (session_open) MPI_Abort(MPI_COMM_WORLD, exit_code);
}

#else  // no MPI in this build

MpiSession::MpiSession() {
  throw UsageError(
      "--distributed: this linsgd was built without MPI (install Open MPI, "
      "libopenmpi-dev, and build again)");
}
MpiSession::~MpiSession() = default;
void MpiSession::sum_floats(float*, int64_t) const {}
void MpiSession::sum_doubles(double*, int64_t) const {}
void MpiSession::average_floats(float*, int64_t) const {}
void MpiSession::broadcast(std::string&) const {}
void MpiSession::abort_all_if_open(int) {}

#endif

}  // namespace linsgd
