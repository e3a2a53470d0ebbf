#!/usr/bin/env bash
# Runs linsgd's benchmark suite on every backend present, then the PyTorch peers, and writes
# OUT_DIR/bench.json and OUT_DIR/bench.md (naming the CPU, GPU, driver and commit); on a GPU
# machine it then runs gpu_acceptance.sh (OUT_DIR/gpu-acceptance.md).
#   benchmarks/run.sh BUILD_DIR OUT_DIR
# LINSGD_BENCH_SMOKE=1 runs tiny shapes once each (the harness test); LINSGD_BENCH_REPEATS sets
# the repeats whose median is reported (default 5).
set -euo pipefail
if [ $# -ne 2 ]; then
  echo "usage: $0 BUILD_DIR OUT_DIR" >&2
  exit 2
fi
build=$1
out=$2
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
mkdir -p "$out"

smoke=${LINSGD_BENCH_SMOKE:-0}
repeats=${LINSGD_BENCH_REPEATS:-5}
torch_flags=()
if [ "$smoke" = 1 ]; then
  repeats=1
  torch_flags=(--smoke --repeats 1)
fi

{
  echo "date=$(date -u +%FT%TZ)"
  echo "commit=$(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//') ($(nproc) cores)"
  if command -v nvidia-smi > /dev/null && nvidia-smi > /dev/null 2>&1; then
    echo "gpu=$(nvidia-smi --query-gpu=name --format=csv,noheader | head -n 1)"
    echo "driver=$(nvidia-smi --query-gpu=driver_version --format=csv,noheader | head -n 1)"
  fi
  echo "smoke=$smoke"
} > "$out/environment.txt"

LINSGD_BENCH_SMOKE=$smoke "$build/benchmarks/linsgd_bench" \
  --benchmark_repetitions="$repeats" \
  --benchmark_out="$out/linsgd-bench.json" --benchmark_out_format=json

python3 "$here/pytorch_reference.py" --out "$out/pytorch.json" "${torch_flags[@]}" ||
  echo '{"available": false, "reason": "pytorch_reference.py failed", "rows": []}' > "$out/pytorch.json"

python3 "$here/make_table.py" "$out"
cat "$out/bench.md"

# On a GPU machine, also the acceptance checks of the trainer binary (not in smoke runs).
if [ "$smoke" != 1 ] && command -v nvidia-smi > /dev/null && nvidia-smi > /dev/null 2>&1; then
  "$here/gpu_acceptance.sh" "$build" "$out" || echo "run.sh: GPU acceptance checks failed" >&2
fi
