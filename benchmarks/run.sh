#!/usr/bin/env bash
# Runs linsgd's benchmark suite on every backend present, then the PyTorch peers, and writes
# OUT_DIR/bench.json and OUT_DIR/bench.md (naming the CPU, GPU, driver and commit); then the fit
# benchmark (OUT_DIR/fit/bench_fit.md); on a GPU machine then gpu_acceptance.sh
# (OUT_DIR/gpu-acceptance.md).
#   benchmarks/run.sh BUILD_DIR OUT_DIR
# LINSGD_BENCH_SMOKE=1 runs tiny shapes once each (the harness test); LINSGD_BENCH_REPEATS sets
# the repeats whose median is reported (default 5, linsgd's and PyTorch's alike); LINSGD_COMMIT
# names the commit where the tree has no git metadata of its own (a copy of a checkout). Exits 1
# when a part failed (the PyTorch peers, the fit benchmark, the GPU acceptance checks), after
# writing what the others measured.
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
if [ "$smoke" = 1 ]; then repeats=1; fi
torch_flags=(--repeats "$repeats")
if [ "$smoke" = 1 ]; then torch_flags+=(--smoke); fi
failed=0

# One Python for the PyTorch peers and the fit benchmark: LINSGD_FIT_PYTHON as given, else the
# first of the build's environment (scripts/bench_python.sh) and python3 that has PyTorch, else
# NumPy.
bench_python=python3
if [ -n "${LINSGD_FIT_PYTHON:-}" ]; then
  bench_python=$LINSGD_FIT_PYTHON
else
  for needed in "import numpy, torch" "import numpy"; do
    for candidate in "$build/python/bin/python3" python3; do
      if "$candidate" -c "$needed" 2> /dev/null; then
        bench_python=$candidate
        break 2
      fi
    done
  done
fi

{
  echo "date=$(date -u +%FT%TZ)"
  echo "commit=${LINSGD_COMMIT:-$(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo unknown)}"
  echo "cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//') ($(nproc) cores)"
  if command -v nvidia-smi > /dev/null && nvidia-smi > /dev/null 2>&1; then
    echo "gpu=$(nvidia-smi --query-gpu=name --format=csv,noheader | head -n 1)"
    echo "driver=$(nvidia-smi --query-gpu=driver_version --format=csv,noheader | head -n 1)"
  fi
  echo "cpu_blas=$("$build/linsgd" --version | tail -n 1)"
  echo "smoke=$smoke"
  echo "shapes=${LINSGD_BENCH_SHAPES:+$(realpath "$LINSGD_BENCH_SHAPES")}"
  echo "repeats=$repeats"
} > "$out/environment.txt"

LINSGD_BENCH_SMOKE=$smoke "$build/benchmarks/linsgd_bench" \
  --benchmark_repetitions="$repeats" \
  --benchmark_out="$out/linsgd-bench.json" --benchmark_out_format=json

if ! "$bench_python" "$here/pytorch_reference.py" --out "$out/pytorch.json" "${torch_flags[@]}"; then
  echo '{"available": false, "reason": "pytorch_reference.py failed", "rows": []}' > "$out/pytorch.json"
  echo "run.sh: the PyTorch peers failed" >&2
  failed=1
fi

python3 "$here/make_table.py" "$out"
cat "$out/bench.md"

# The fit benchmark (benchmarks/fit/; not in smoke runs: ctest's FitBenchmark test runs its own)
# with bench_python, when it has NumPy. LINSGD_FIT_ARGS passes options to run_fit.py; on a GPU
# machine they default to the two problems the README plots, 10 s a solver run (the whole
# benchmark takes about an hour). LINSGD_FIT=0 leaves it out.
if [ "$smoke" != 1 ] && [ "${LINSGD_FIT:-1}" != 0 ]; then
  if [ -z "${LINSGD_FIT_ARGS+set}" ] && command -v nvidia-smi > /dev/null &&
     nvidia-smi > /dev/null 2>&1; then
    LINSGD_FIT_ARGS="--problems post,tall --budget 10"
  fi
  if "$bench_python" -c "import numpy" 2> /dev/null; then
    # shellcheck disable=SC2086  # LINSGD_FIT_ARGS is a list of options
    if ! "$bench_python" "$here/fit/run_fit.py" --linsgd "$build/linsgd" --out "$out/fit" \
      ${LINSGD_FIT_ARGS:-}; then
      echo "run.sh: the fit benchmark failed" >&2
      failed=1
    fi
  else
    echo "run.sh: no Python with NumPy: the fit benchmark is left out" >&2
  fi
fi

# On a GPU machine, also the acceptance checks of the trainer binary (not in smoke runs).
if [ "$smoke" != 1 ] && command -v nvidia-smi > /dev/null && nvidia-smi > /dev/null 2>&1; then
  if ! "$here/gpu_acceptance.sh" "$build" "$out"; then
    echo "run.sh: GPU acceptance checks failed" >&2
    failed=1
  fi
fi
exit "$failed"
