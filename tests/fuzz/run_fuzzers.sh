#!/usr/bin/env bash
# Builds the fuzz targets with clang and libFuzzer (tests/fuzz/CMakeLists.txt) and runs each for
# SECONDS seconds (default 30) from the seed corpus and the earlier findings. A crash, a failed
# check, a leak or an out-of-memory fails the script; the input that did it is copied to
# tests/fuzz/findings/TARGET/, where ctest replays it from then on.
#   tests/fuzz/run_fuzzers.sh BUILD_DIR [SECONDS]
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 BUILD_DIR [SECONDS]" >&2; exit 2; }
build=$1
seconds=${2:-30}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
generator=$(command -v ninja > /dev/null && echo "-G Ninja" || true)
mkdir -p "$build"
# shellcheck disable=SC2086
cmake -S "$here" -B "$build" $generator -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER=clang++ \
  > "$build/configure.log" || { cat "$build/configure.log"; exit 1; }
cmake --build "$build" -j "$(nproc)" > "$build/build.log" || { tail -n 40 "$build/build.log"; exit 1; }

failures=0
for target in csv npy model checkpoint; do
  work="$build/run-$target"
  rm -rf "$work"
  mkdir -p "$work/corpus" "$work/artifacts"
  cp "$here/corpus/$target"/* "$work/corpus/"
  cp "$here/findings/$target"/* "$work/corpus/" 2> /dev/null || true
  if "$build/fuzz_$target" "$work/corpus" -max_total_time="$seconds" -rss_limit_mb=2048 \
       -timeout=10 -artifact_prefix="$work/artifacts/" -print_final_stats=1 \
       > "$work/log.txt" 2>&1; then
    echo "fuzz $target: ok ($(grep -m1 -o 'stat::number_of_executed_units: [0-9]*' "$work/log.txt" \
      | grep -o '[0-9]*' || echo '?') inputs in ${seconds} s)"
  else
    echo "fuzz $target: FAILED; the input is kept in tests/fuzz/findings/$target/"
    grep -E "ERROR|SUMMARY|==[0-9]+==" "$work/log.txt" | head -n 20
    mkdir -p "$here/findings/$target"
    cp "$work/artifacts"/* "$here/findings/$target/" 2> /dev/null || true
    failures=$((failures + 1))
  fi
done
exit $((failures > 0))
