// Which GPU a process of a data-parallel run on the GPU takes (`linsgd train --distributed
// --device cuda` under mpirun or srun).
#pragma once

#include <string>

#include "linsgd/errors.hpp"

namespace linsgd {

// The GPU, an index among the `visible` ones this process sees, of the process that is
// `local_rank` on its machine: the processes of a machine take its GPUs in turn, unless a
// launcher gave each one a GPU of its own (`launcher_chose`: CUDA_VISIBLE_DEVICES set, and one
// GPU visible, as under SLURM's --gpus-per-task), which is then GPU 0. Each process needs a GPU
// of its own (NCCL refuses two on one): a rank beyond the machine's GPUs is refused.
inline int process_gpu(int local_rank, int visible, bool launcher_chose) {
  if (launcher_chose && visible == 1) return 0;
  if (local_rank >= visible) {
    throw UsageError("--distributed --device cuda: this machine has " + std::to_string(visible) +
                     " GPUs and process " + std::to_string(local_rank) +
                     " of its processes has none (each needs a GPU of its own): start at most " +
                     std::to_string(visible) + " processes a machine");
  }
  return local_rank;
}

}  // namespace linsgd
