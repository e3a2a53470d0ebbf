#!/usr/bin/env bash
# Sweeps the fused GPU kernel's block count (--fused-blocks) on the post, tall and wide shapes,
# with the kernel's experiments beside it, and both splits where the plan turns from one to the
# other (post-B256, post-B512) (shapes named SHAPE+EXPERIMENT: see
# register_fused_block_sweep in bench_main.cpp): runs linsgd_bench's sweep benchmarks (3 repeats
# each) and writes OUT_DIR/fused-blocks.json (Google Benchmark) and OUT_DIR/fused-blocks.md, a
# table of microseconds a step against the blocks each count ran with (asked 0: the plan's own
# choice), each as a ratio to the kept fused kernel and to the gemv engine of its shape in the
# same run. Needs a CUDA GPU.
# Before it, in a process of its own, the phase profile of the kept kernel and of the
# experiments that may replace it, and the probes of the primitives a step is built from:
# OUT_DIR/fused-phases.json and OUT_DIR/fused-phases.md (benchmarks/phase_table.py).
# SWEEP_FILTER, a regular expression, keeps the rows whose name after "sweep/cuda/fused/" (or
# "phase/cuda/fused/") it matches, from its start, and skips the probes: a shorter sweep of the
# rows a change concerns, e.g. SWEEP_FILTER='[a-z-]+(\+gemv|\+batch-split[a-z+-]*)?/blocks:0/'.
#   benchmarks/sweep_fused_blocks.sh BUILD_DIR OUT_DIR
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 BUILD_DIR OUT_DIR" >&2; exit 2; }
out=$2
mkdir -p "$out"
phase_rows='^(probe|phase)/'
sweep_rows='^sweep/'
if [ -n "${SWEEP_FILTER:-}" ]; then
  phase_rows="^phase/cuda/fused/($SWEEP_FILTER)"
  sweep_rows="^sweep/cuda/fused/($SWEEP_FILTER)"
fi
# First, as the shortest (about 20 s), in a process of its own and a time of its own: a fault or
# a hang there costs no sweep row.
LINSGD_BENCH_SWEEP=1 timeout 90 "$1/benchmarks/linsgd_bench" --benchmark_filter="$phase_rows" \
  --benchmark_out="$out/fused-phases.json" --benchmark_out_format=json > /dev/null ||
  echo "the phase profile and probes ended with exit $?" >&2
python3 "$(dirname "$0")/phase_table.py" "$out/fused-phases.json" > "$out/fused-phases.md" ||
  echo "no phase table" >&2
cat "$out/fused-phases.md"
LINSGD_BENCH_SWEEP=1 "$1/benchmarks/linsgd_bench" --benchmark_filter="$sweep_rows" \
  --benchmark_repetitions=3 --benchmark_report_aggregates_only=true \
  --benchmark_out="$out/fused-blocks.json" --benchmark_out_format=json > /dev/null
python3 - "$out/fused-blocks.json" > "$out/fused-blocks.md" <<'PY'
import json, sys
data = json.load(open(sys.argv[1]))
rows, seen = [], set()
for entry in data["benchmarks"]:
    parts = entry["run_name"].split("/")  # sweep/cuda/fused/SHAPE[+EXPERIMENT]/blocks:N/...
    shape, asked = parts[3], parts[4].split(":")[1]
    if (shape, asked) in seen:
        continue
    if entry.get("error_occurred"):
        seen.add((shape, asked))
        rows.append((shape, asked, None, entry.get("error_message", "error")))
    elif entry.get("aggregate_name") == "median":
        seen.add((shape, asked))
        rows.append((shape, asked, entry.get("blocks", "-"), entry["us_per_step"]))  # gemv: "-"
# Per shape, what every row of it is compared with: the feature split's kept kernel at its plan's
# count (the fused plan up to 512 rows a step), and the gemv engine (SHAPE+gemv), both from this
# run.
measured = {(shape, asked): us for shape, asked, blocks, us in rows if blocks is not None}
def ratio(us, base):
    return f"{us / base:.3f}" if base else "-"
print("| shape | blocks asked | blocks run | us/step (median of 3) | / feature split, plan's count | / gemv |")
print("|---|---|---|---|---|---|")
for shape, asked, blocks, us in rows:
    if blocks is None:
        print(f"| {shape} | {asked} | - | absent ({us}) | - | - |")
        continue
    base = shape.split("+")[0]
    blocks = blocks if blocks == "-" else f"{blocks:.0f}"
    print(f"| {shape} | {asked} | {blocks} | {us:.2f} | "
          f"{ratio(us, measured.get((base, '0')))} | {ratio(us, measured.get((base + '+gemv', '0')))} |")
PY
cat "$out/fused-blocks.md"
