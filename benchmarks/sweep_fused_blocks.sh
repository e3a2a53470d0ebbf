#!/usr/bin/env bash
# Sweeps the fused GPU kernel's block count (--fused-blocks) on the post, tall and wide shapes,
# with the kernel's experiments beside it (shapes named SHAPE+EXPERIMENT: see
# register_fused_block_sweep in bench_main.cpp): runs linsgd_bench's sweep benchmarks (3 repeats
# each) and writes OUT_DIR/fused-blocks.json (Google Benchmark) and OUT_DIR/fused-blocks.md, a
# table of microseconds a step against the blocks each count ran with (asked 0: the plan's own
# choice). Needs a CUDA GPU.
#   benchmarks/sweep_fused_blocks.sh BUILD_DIR OUT_DIR
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 BUILD_DIR OUT_DIR" >&2; exit 2; }
out=$2
mkdir -p "$out"
LINSGD_BENCH_SWEEP=1 "$1/benchmarks/linsgd_bench" --benchmark_filter='^sweep/' \
  --benchmark_repetitions=3 --benchmark_report_aggregates_only=true \
  --benchmark_out="$out/fused-blocks.json" --benchmark_out_format=json > /dev/null
python3 - "$out/fused-blocks.json" > "$out/fused-blocks.md" <<'PY'
import json, sys
data = json.load(open(sys.argv[1]))
seen = set()
print("| shape | blocks asked | blocks run | us/step (median of 3) |")
print("|---|---|---|---|")
for entry in data["benchmarks"]:
    parts = entry["run_name"].split("/")  # sweep/cuda/fused/SHAPE/blocks:N/manual_time
    shape, asked = parts[3], parts[4].split(":")[1]
    if (shape, asked) in seen:
        continue
    if entry.get("error_occurred"):
        seen.add((shape, asked))
        print(f"| {shape} | {asked} | - | absent ({entry.get('error_message', 'error')}) |")
    elif entry.get("aggregate_name") == "median":
        seen.add((shape, asked))
        print(f"| {shape} | {asked} | {entry['blocks']:.0f} | {entry['us_per_step']:.2f} |")
PY
cat "$out/fused-blocks.md"
