// The processes of a data-parallel run, launched by mpirun (Open MPI): MPI initialized for the
// run's lifetime, this process's rank among them (and on its machine), the sums of arrays across
// them, process 0's bytes sent to all, and the end of every process when one fails (MPI_Abort), so
// that no process waits forever on a sum the failed one will never join.
#pragma once

#include <cstdint>
#include <string>

#include "linsgd/dataset.hpp"

namespace linsgd {

class MpiSession {
 public:
  // Initializes MPI; throws UsageError when this linsgd was built without it.
  MpiSession();
  ~MpiSession();
  MpiSession(const MpiSession&) = delete;
  MpiSession& operator=(const MpiSession&) = delete;

  int rank() const { return rank_; }
  int size() const { return size_; }
  // This process's rank among the processes of its machine (for the GPU it takes).
  int local_rank() const { return local_rank_; }
  // Process 0's `bytes`, sent to every process (each process's `bytes` is replaced).
  void broadcast(std::string& bytes) const;
  // In place, every process's values added; each process gets the same floats (added on process
  // 0, then sent).
  void sum_floats(float* values, int64_t count) const;
  void sum_doubles(double* values, int64_t count) const;
  // In place, the mean of every process's values: their sum times 1 / size (the same floats on
  // every process; one process's values are left as they are).
  void average_floats(float* values, int64_t count) const;

  // This process's share of a table's rows: contiguous, the rows split as evenly as they go.
  RowShare share() const { return {rank_, size_}; }

  // When a session is open in this process: ends every process of the run with `exit_code`
  // (after this one has printed its error). Returns when none is open.
  static void abort_all_if_open(int exit_code);

 private:
  int rank_ = 0;
  int size_ = 1;
  int local_rank_ = 0;
};

}  // namespace linsgd
