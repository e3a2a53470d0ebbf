#!/usr/bin/env bash
# Every GPU check in one run, for a short lease on a machine with an NVIDIA GPU and the project's
# dependencies packed in .gpu/ (built with .gpu/run.sh): the build (with the Python extension),
# then, at once since none of them is timed, ctest, the Python package's tests (its CUDA-array
# tests included) and scripts/gpu_sanitize.sh; then, one after another on a quiet GPU, the fused
# kernel's sweep (its block counts and experiments), the per-step benchmark with the acceptance
# checks, training from host memory (stream_from_host.sh), the fit benchmark's GPU rows, and
# where a fit's seconds go (its runs' parts; benchmarks/exact_parts.cpp).
# Each stage gets what is left of SECONDS_BUDGET (default 540 s), cut by `timeout`, so the run
# always ends with its summary. Writes OUT_DIR/summary.txt and
# OUT_DIR/logs.tgz (every log and result, the fit benchmark's data left out).
#   scripts/gpu_check.sh OUT_DIR        (STAGES: a subset of "build test sweep bench stream fit
#                                       parts";
#                                       SECONDS_BUDGET; TEST_SECONDS, the test stage's share
#                                       (default 280); FIT_BUDGET, seconds a fit run;
#                                       SWEEP_FILTER, the sweep's rows (sweep_fused_blocks.sh);
#                                       LINSGD_COMMIT)
set -uo pipefail
out=$(mkdir -p "$1" && cd "$1" && pwd)
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
budget=${SECONDS_BUDGET:-540}
stages=${STAGES:-build test sweep bench stream fit parts}
build=$root/build-gpu
work=$root/.gpu/check
rm -rf "$work" && mkdir -p "$work"
LIB=$root/.gpu/prefix/usr/lib/x86_64-linux-gnu
export LD_LIBRARY_PATH=$LIB:$LIB/openblas-pthread:${LD_LIBRARY_PATH:-}
export CTEST_OUTPUT_ON_FAILURE=1 PYTHONUNBUFFERED=1
# The commit the benchmarks record: LINSGD_COMMIT where this tree is a copy whose git metadata
# (if any) may be older than its files.
LINSGD_COMMIT=${LINSGD_COMMIT:-$(git rev-parse --short HEAD 2>/dev/null || echo unknown)}
export LINSGD_COMMIT
summary=$out/summary.txt
: > "$summary"
note() { echo "$*" | tee -a "$summary"; }
has() { case " $stages " in *" $1 "*) return 0 ;; esac; return 1; }
left() { echo $((budget - SECONDS)); }
# limit SECONDS_WANTED: the smaller of it and what is left, less 20 s for the summary.
limit() { local l=$(($(left) - 20)); [ "$1" -lt "$l" ] && l=$1; echo $((l > 1 ? l : 1)); }

{
  date -u +%FT%TZ
  nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv,noheader
  nvcc --version | tail -n 2 | head -n 1
  echo "commit $LINSGD_COMMIT"
} > "$work/env.txt" 2>&1
note "== $(tr '\n' ' ' < "$work/env.txt")"

# NCCL (the data-parallel GPU path): the CUDA toolkit's, else PyTorch's (nvidia/nccl).
nccl_root=""
if [ ! -f "$(dirname "$(command -v nvcc)")/../include/nccl.h" ]; then
  nccl_root=$(python3 -c "import nvidia.nccl; print(list(nvidia.nccl.__path__)[0])" 2>/dev/null)
  [ -n "$nccl_root" ] && export LD_LIBRARY_PATH=$nccl_root/lib:$LD_LIBRARY_PATH
fi
note "nccl: ${nccl_root:-from the CUDA toolkit, if it has one}"

if has build; then
  t0=$SECONDS
  OUT=$work/build STAGES=build \
    CMAKE_ARGS="-DLINSGD_BUILD_PYTHON=ON -DPython_EXECUTABLE=$(command -v python3) -DLINSGD_BENCH_PYTHON=$(command -v python3) ${nccl_root:+-DLINSGD_NCCL_ROOT=$nccl_root}" \
    timeout "$(limit 300)" bash .gpu/run.sh > "$work/build.log" 2>&1
  note "build: $(grep -h '^== build' "$work/build.log" | tail -n 1) ($((SECONDS - t0)) s)"
  if [ ! -x "$build/linsgd" ]; then  # a Python without headers or nanobind: build without it
    OUT=$work/build-no-python STAGES=build \
      CMAKE_ARGS="-DLINSGD_BUILD_PYTHON=OFF ${nccl_root:+-DLINSGD_NCCL_ROOT=$nccl_root}" \
      timeout "$(limit 300)" bash .gpu/run.sh > "$work/build-no-python.log" 2>&1
    note "build without Python: $(grep -h '^== build' "$work/build-no-python.log" | tail -n 1)"
  fi
fi
[ -x "$build/linsgd" ] || { note "no build: stopping"; stages=""; }

# The Python package's tests on this build (python/linsgd beside the extension); after a crash,
# what locates it: each test file alone, a fit with nothing but NumPy imported, and the crashing
# file under cuda-gdb (which debugs host code too) for a C++ backtrace.
python_tests() { # seconds
  local stop=$((SECONDS + $1)) rc file
  export PYTHONPATH=$work/python LINSGD_CLI=$build/linsgd
  timeout "$1" python3 -X faulthandler -m pytest -q -rs -p no:cacheprovider python/tests \
    > "$work/pytest.log" 2>&1
  rc=$?
  if [ "$rc" -ge 128 ]; then
    timeout 30 python3 -c "
import numpy as np, linsgd
X = np.random.default_rng(0).random((2000, 100), dtype=np.float32)
print('a CPU fit with only NumPy imported: R^2',
      linsgd.SGDRegressor(device='cpu', max_iter=2).fit(X, X.sum(1)).score(X, X.sum(1)))
" > "$work/pytest-crash-alone.log" 2>&1
    for file in python/tests/test_*.py; do
      [ $((stop - SECONDS)) -gt 20 ] || break
      timeout 60 python3 -X faulthandler -m pytest -q -x -p no:cacheprovider "$file" \
        > "$work/pytest-$(basename "$file" .py).log" 2>&1
    done
    file=$(grep -o 'python/tests/test_[a-z_]*\.py' "$work/pytest.log" | tail -n 1)
    if [ -n "$file" ] && [ $((stop - SECONDS)) -gt 30 ]; then
      timeout $((stop - SECONDS - 10)) cuda-gdb -batch -ex run -ex bt -ex "info sharedlibrary" \
        --args python3 -m pytest -q -x -p no:cacheprovider "$file" \
        > "$work/pytest-backtrace.log" 2>&1
    fi
  fi
  return "$rc"
}

if has test; then
  t0=$SECONDS
  cap=$(limit "${TEST_SECONDS:-280}")
  timeout "$cap" ctest --test-dir "$build" -j 8 --output-junit "$work/ctest.xml" \
    > "$work/ctest.log" 2>&1 &
  ctest_pid=$!
  # The Python package from this build: its sources beside the extension (run path to liblinsgd).
  mkdir -p "$work/python/linsgd"
  cp python/linsgd/*.py "$build"/python-extension/_core*.so "$work/python/linsgd/" ||
    note "pytest: no Python extension was built"
  python_tests "$cap" &
  pytest_pid=$!
  # Bounded inside (each run cut at the time left), so nothing of it outlives the stage.
  SANITIZE_SECONDS=$((cap > 16 ? cap - 15 : 1)) timeout "$cap" scripts/gpu_sanitize.sh "$build" \
    > "$work/sanitize.log" 2>&1 &
  sanitize_pid=$!
  wait $ctest_pid; ctest_rc=$?
  wait $pytest_pid; pytest_rc=$?
  wait $sanitize_pid; sanitize_rc=$?
  note "ctest: exit $ctest_rc, $(grep -E 'tests passed' "$work/ctest.log" | tail -n 1)"
  grep -E "\*\*\*|Not Run|Timeout" "$work/ctest.log" | head -n 20 | tee -a "$summary"
  note "pytest: exit $pytest_rc, $(grep -E '(passed|failed|error)( |,|$)' "$work/pytest.log" |
    tail -n 1)$(grep -m 1 -o 'Fatal Python error: .*' "$work/pytest.log")"
  grep -E "^(FAILED|ERROR|SKIPPED)" "$work/pytest.log" | head -n 10 | tee -a "$summary"
  note "sanitizers: exit $sanitize_rc, $(grep -c '^ok:' "$work/sanitize.log") ok," \
    "$(grep -c '^FAIL:' "$work/sanitize.log") failed, $(grep -c '^cut:' "$work/sanitize.log")" \
    "cut by the time limit; $(tail -n 1 "$work/sanitize.log")"
  grep "^cut:" "$work/sanitize.log" | head -n 10 | tee -a "$summary"
  grep -A 12 "^FAIL:" "$work/sanitize.log" | head -n 40 | tee -a "$summary"
  note "(test stage: $((SECONDS - t0)) s)"
fi

# A benchmark script that writes a table: run within SECONDS, its table into the summary.
table_stage() { # name, seconds, script, table file
  local t0=$SECONDS
  timeout "$(limit "$2")" "benchmarks/$3" "$build" "$work/$1" > "$work/$1.log" 2>&1
  note "$3: exit $? ($((SECONDS - t0)) s)"
  cat "$work/$1/$4" 2>/dev/null | tee -a "$summary"
}
# The fused kernel's experiments beside the kept kernel first: they decide where it goes.
# With them, where the steps spend their time and the primitives' floors (fused-phases.md).
if has sweep; then
  table_stage sweep 200 sweep_fused_blocks.sh fused-blocks.md
  cat "$work/sweep/fused-phases.md" 2>/dev/null | tee -a "$summary"
fi

if has bench; then
  t0=$SECONDS
  LINSGD_FIT=0 LINSGD_BENCH_REPEATS=${BENCH_REPEATS:-3} timeout "$(limit 200)" \
    benchmarks/run.sh "$build" "$work/bench" > "$work/bench.log" 2>&1
  note "benchmarks/run.sh: exit $? ($((SECONDS - t0)) s)"
  grep -E "^\| post|copy bandwidth" "$work/bench/bench.md" 2>/dev/null | tee -a "$summary"
  grep -E "^- " "$work/bench/gpu-acceptance.md" 2>/dev/null | tee -a "$summary"
fi

if has stream; then table_stage stream 150 stream_from_host.sh stream.md; fi

if has fit; then
  t0=$SECONDS
  timeout "$(limit 240)" python3 benchmarks/fit/run_fit.py --linsgd "$build/linsgd" \
    --out "$work/fit" --problems post,tall --budget "${FIT_BUDGET:-4}" --devices cuda \
    > "$work/fit.log" 2>&1
  note "fit benchmark (GPU rows): exit $? ($((SECONDS - t0)) s)"
  grep -E "^fit:" "$work/fit.log" | tail -n 24 | tee -a "$summary"
fi

# After the timed stages, so that what follows can only shorten itself, not them.
if has parts; then
  # Where a fit's seconds go, a process each, on the fit benchmark's shapes (synthetic data):
  # the exact solve's two parts; SGD's preparation (--lr auto, buffers, first calls) and loop.
  for shape in "4000 2000" "1000000 256"; do
    read -r rows features <<< "$shape"
    for fit in "--solver exact" \
      "--batch-size 512 --sampling epoch --lr auto --schedule cosine --momentum 0.5 --epochs 10"; do
      # shellcheck disable=SC2086 # $fit is a list of options
      timeout "$(limit 60)" "$build/linsgd" train --device cuda --rows "$rows" \
        --features "$features" $fit \
        --quiet --metrics-out "$work/fit-parts.json" > /dev/null 2>&1
      note "$rows x $features, $fit: $(python3 -c 'import json, sys
m = json.load(open(sys.argv[1]))
print(", ".join(f"{k} {m[k]:.4f}" for k in ("prepare_seconds", "train_seconds",
      "normal_equations_seconds", "factorization_seconds") if k in m))' "$work/fit-parts.json" \
        2>&1)"
      rm -f "$work/fit-parts.json"
    done
  done
  # The exact solve in one process: first against later solves, lazy against eager modules,
  # and after a warm-up of its calls.
  for shape in "4000 2000" "1000000 256"; do
    for run in "LAZY" "LAZY warm-up-first" "EAGER"; do
      read -r loading warm_up <<< "$run"
      # shellcheck disable=SC2086 # $shape is two arguments, $warm_up none or one
      CUDA_MODULE_LOADING=$loading timeout "$(limit 30)" "$build/benchmarks/linsgd_exact_parts" \
        $shape $warm_up 2>&1 | tee -a "$work/exact-parts.txt" "$summary"
    done
  done
fi

note "== done in $SECONDS s"
tar czf "$out/logs.tgz" -C "$work" --exclude=fit/data --exclude=fit/work --exclude=python \
  --exclude='*.npy' . 2> /dev/null
cp "$work"/build/*.log "$out/" 2> /dev/null
ls -la "$out" >> "$summary"
