// Which GPU a process of a data-parallel run on the GPU takes (`linsgd train --distributed
// --device cuda` under mpirun or srun), and the check that no two share one.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "linsgd/errors.hpp"

namespace linsgd {

// The GPU, an index among the `visible` ones this process sees, of the process that is
// `local_rank` on its machine: the processes of a machine take its GPUs in turn. Under a launcher
// that gives each process GPUs of its own (CUDA_VISIBLE_DEVICES set per process, as srun
// --gpus-per-task does) that is one of its own. More processes than GPUs wrap around, onto GPUs
// taken already: first_shared_gpu finds them.
inline int process_gpu(int local_rank, int visible) {
  if (visible < 1) throw UsageError("--distributed --device cuda: this process sees no GPU");
  return local_rank % visible;
}

// A name's 32-bit FNV-1a hash, as a double (exact): how a process names its machine and its GPU
// in a sum of doubles across the processes.
inline double identity_hash(const std::string& name) {
  uint32_t hash = 2166136261u;
  for (const char c : name) hash = (hash ^ static_cast<unsigned char>(c)) * 16777619u;
  return static_cast<double>(hash);
}

// `identities`: two doubles a process, its machine's identity_hash + 1 and its GPU's (PCI bus
// id) identity_hash, each process's written at its index into zeros and the arrays summed. The
// first two processes on one GPU of one machine, if any (NCCL needs a GPU for each).
inline std::optional<std::pair<int, int>> first_shared_gpu(const std::vector<double>& identities) {
  const int processes = static_cast<int>(identities.size() / 2);
  for (int j = 1; j < processes; ++j) {
    for (int i = 0; i < j; ++i) {
      if (identities[2 * i] == identities[2 * j] &&
          identities[2 * i + 1] == identities[2 * j + 1]) {
        return std::make_pair(i, j);
      }
    }
  }
  return std::nullopt;
}

}  // namespace linsgd
