#!/usr/bin/env bash
# compute-sanitizer over linsgd's GPU code, sized to finish in a few minutes on an H100 or H200:
#   1. racecheck, synccheck, initcheck and memcheck over short fused-engine runs of the trainer
#      on awkward shapes: d = 1; B = 1; B > n; d = 2001 (one-float copies); a 512-row batch (the
#      feature split's largest); a 4096-row batch (the batch split); d = 70,001 (slices wider
#      than a block); the post's shape for 260 steps (across the 256-step chunk boundary).
#      racecheck slows the fused kernel about 1000x, so the GPU suite's 2000-step runs would
#      take minutes each under it;
#   2. the same four tools over the gemv engine with epoch sampling and --lr auto, and over the
#      exact solver, at three of those shapes; synccheck and memcheck over shortened gpu tests
#      of the fused kernel's experiments (a double-buffered tile, a cluster, the batch split and
#      its one barrier, the TMA's bulk copies, the phase profile's timed kernels), a run per test;
#   3. memcheck over the GPU test suite (tests/test_gpu) but its run on 12 GiB of X (past float
#      2^31), whose full-loss GEMV over every row would take minutes under memcheck, and the test
#      that makes a cudaMalloc fail on purpose (memcheck counts the failed call), in 4 shards;
#   4. racecheck over the experiments' shortened tests, the longest runs (minutes each).
#      Last, as the longest: a time limit cuts them, not the short runs.
# The runs go side by side, SANITIZE_JOBS at once (default 6: compute-sanitizer leaves the GPU
# mostly idle and is bound by its host side), in the order above, so the short runs end first.
# SANITIZE_SECONDS (default: none) bounds the whole script: each run gets what is left of it,
# and a run cut by it, or not started, prints "cut:" (neither ok nor an error), so a time limit
# around this script never leaves runs behind it on the GPU.
# Prints one line per run and exits non-zero when any reports an error.
#   scripts/gpu_sanitize.sh BUILD_DIR
set -uo pipefail
if [ $# -ne 1 ]; then
  echo "usage: $0 BUILD_DIR" >&2
  exit 2
fi
build=$1
parallel=$((${SANITIZE_JOBS:-6} > 1 ? ${SANITIZE_JOBS:-6} : 1))
deadline=$((SECONDS + ${SANITIZE_SECONDS:-1000000}))
failed=$(mktemp -d)
trap 'rm -rf "$failed"' EXIT
runs=0
# One run, in the background: its line (and an error's first lines) printed in one write.
sanitize() { # run number, seconds, label, compute-sanitizer arguments...
  local run=$1 seconds=$2 label=$3 log rc start=$SECONDS
  shift 3
  log=$(timeout -k 10 "$seconds" compute-sanitizer --error-exitcode 99 "$@" 2>&1)
  rc=$?
  if [ $rc -eq 0 ]; then
    echo "ok: $label"
  elif { [ $rc -eq 124 ] || [ $rc -eq 137 ]; } && [ $((SECONDS - start)) -ge "$seconds" ]; then
    echo "cut: $label (the time limit)"  # (a run killed otherwise, say for memory, failed)
  else
    touch "$failed/$run"
    printf 'FAIL: %s\n%s\n' "$label" "$(echo "$log" | grep -E "=========|FAILED" | head -n 20)"
  fi
}
check() { # label, compute-sanitizer arguments...
  while [ "$(jobs -rp | wc -l)" -ge "$parallel" ]; do wait -n; done
  local left=$((deadline - SECONDS))
  if [ $left -le 0 ]; then
    echo "cut: $1 (not started: the time limit)"
    return
  fi
  runs=$((runs + 1))
  sanitize "$runs" "$left" "$@" &
}

while read -r rows features batch lr steps; do
  for tool in racecheck synccheck initcheck memcheck; do
    check "$tool, --engine fused, $rows x $features, B $batch, $steps steps" --tool "$tool" \
      "$build/linsgd" train --device cuda --engine fused --rows "$rows" --features "$features" \
      --batch-size "$batch" --lr "$lr" --steps "$steps" --quiet
  done
done <<'SHAPES'
50 1 7 0.002 20
777 129 1 0.002 20
9 70 25 0.002 20
300 2001 64 0.002 20
600 40 512 0.002 20
5000 40 4096 0.002 20
20 70001 5 1e-6 20
4000 2000 64 0.01 260
SHAPES
# The other kernels: the gemv engine's, epoch orders and --lr auto's products; the exact solver's.
while read -r rows features batch; do
  for tool in racecheck synccheck initcheck memcheck; do
    check "$tool, --engine gemv --sampling epoch --lr auto, $rows x $features, B $batch" \
      --tool "$tool" "$build/linsgd" train --device cuda --engine gemv --sampling epoch \
      --epochs 1 --lr auto --rows "$rows" --features "$features" --batch-size "$batch" --quiet
    check "$tool, --solver exact --penalty l2, $rows x $features" --tool "$tool" \
      "$build/linsgd" train --device cuda --solver exact --penalty l2 --alpha 0.01 \
      --rows "$rows" --features "$features" --quiet
  done
done <<'SHAPES'
50 1 7
777 129 1
300 2001 64
SHAPES
# The fused kernel's experiments, which the trainer never runs (a double-buffered tile, whose
# copies land while the other tile is read; a cluster's partials read from the other blocks'
# shared memory), and the batch split (the plan past 512 rows, also in the 4096-row run above),
# whose next rows land while the grid waits, at more shapes; the kernels that
# time their phases for the benchmark's profile; the register-lean kernel and 32 partials a
# round; the TMA's bulk copies, landing on a transaction barrier; the batch split with one
# barrier a step, its exchange double-buffered): their gpu tests,
# shortened to 257 steps (LINSGD_SHORT_GPU_TESTS), under racecheck, synccheck and memcheck.
experiments='GpuTraining.ADoubleBufferedTileStepsAsOneTile'
experiments+=':GpuTraining.AClusterOfBlocksStepsAsTheGridOfTheSameBlocks'
experiments+=':GpuTraining.TheBatchSplitMatchesTheCpu'
experiments+=':GpuTraining.ThePhaseProfileLeavesTheFloatsAsTheyAre'
experiments+=':GpuTraining.TheLeanKernelAndWiderRoundsOfPartialsStepAsTheKeptKernel'
experiments+=':GpuTraining.TheBatchSplitsExperimentsStepAsItsKeptKernel'
experiments+=':GpuTraining.TheTmasBulkCopiesOfTheTileStepAsTheKeptKernel'
experiment_runs() { # tool
  for test in ${experiments//:/ }; do
    LINSGD_SHORT_GPU_TESTS=1 check "$1, $test (tests/test_gpu, shortened)" --tool "$1" \
      "$build/tests/test_gpu" --gtest_filter="$test"
  done
}
experiment_runs synccheck
experiment_runs memcheck
# Left out: the experiments (above), the 12 GiB run (above), and the test whose cudaMalloc is
# made to fail, an API error memcheck reports by design. In shards (GoogleTest's), side by side.
shards=4
for ((shard = 0; shard < shards; ++shard)); do
  GTEST_TOTAL_SHARDS=$shards GTEST_SHARD_INDEX=$shard \
    check "memcheck, tests/test_gpu, shard $((shard + 1)) of $shards" --tool memcheck \
    "$build/tests/test_gpu" \
    --gtest_filter="-$experiments:GpuTraining.RowsPastFloatTwoTo31FollowTheReference:GpuErrors.AFailedCallClearsItsErrorSoTheNextLaunchIsNotBlamed"
done
# Last, racecheck over the experiments: each of its runs held a slot for minutes (at 344a8d3,
# six of them held every slot until the time limit, so the runs above never started).
experiment_runs racecheck
wait
failures=$(find "$failed" -type f | wc -l)
echo "gpu_sanitize: $runs run(s), $failures with errors"
exit $((failures > 0))
