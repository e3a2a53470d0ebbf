#!/usr/bin/env bash
# Training from host memory on the GPU: the tall and big-batch shapes' steps with X and y left in
# pinned, mapped host memory (as --device-memory-limit, or data larger than the GPU, leave them),
# beside the same steps on device-resident data, and the bus's copy bandwidth (pinned host to
# device) measured in the same run. Writes OUT_DIR/stream.json (Google Benchmark) and
# OUT_DIR/stream.md: microseconds a step and the batch bytes read from host memory a second as
# a percentage of that copy bandwidth (median of 3 repeats). Needs a CUDA GPU.
#   benchmarks/stream_from_host.sh BUILD_DIR OUT_DIR
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 BUILD_DIR OUT_DIR" >&2; exit 2; }
out=$2
mkdir -p "$out"
LINSGD_BENCH_STREAM=1 "$1/benchmarks/linsgd_bench" --benchmark_filter='^stream/' \
  --benchmark_repetitions=3 --benchmark_report_aggregates_only=true \
  --benchmark_out="$out/stream.json" --benchmark_out_format=json > /dev/null
python3 - "$out/stream.json" > "$out/stream.md" <<'PY'
import json, sys
medians = {}
for entry in json.load(open(sys.argv[1]))["benchmarks"]:
    if entry.get("aggregate_name") == "median":
        # stream/{copy/h2d, host/SHAPE, device/SHAPE}, then /iterations:N, /manual_time
        medians["/".join(entry["run_name"].split("/")[:3])] = entry
copy = medians.get("stream/copy/h2d", {}).get("h2d_GBps")
print(f"pinned host-to-device copy: {copy:.1f} GB/s" if copy else "copy: absent")
print()
print("| shape | device-resident us/step | host-mapped us/step | batch GB/s from host | % of copy |")
print("|---|---|---|---|---|")
for shape in ("tall", "big-batch"):
    host, device = medians.get(f"stream/host/{shape}"), medians.get(f"stream/device/{shape}")
    if not host or not device:
        print(f"| {shape} | absent | absent | | |")
        continue
    rate = host["batch_GBps"]
    share = f"{100 * rate / copy:.1f}%" if copy else "-"
    print(f"| {shape} | {device['us_per_step']:.1f} | {host['us_per_step']:.1f} | {rate:.1f} | "
          f"{share} |")
PY
cat "$out/stream.md"
