#!/usr/bin/env bash
# GPU acceptance checks of the trainer binary, for a machine with an NVIDIA GPU:
#   1. the default run (the post's problem, seed 42) on the GPU, with each engine, against the
#      CPU run of the same seed: full-dataset loss within 1e-4 relative, and within the post's
#      range [0.03, 0.15];
#   2. --device cuda on a dataset larger than the GPU's free memory is refused cleanly (exit 2,
#      both sizes named), computed from the free memory without allocating it.
# Writes OUT_DIR/gpu-acceptance.md and exits non-zero when a check fails.
#   benchmarks/gpu_acceptance.sh BUILD_DIR OUT_DIR
set -uo pipefail
if [ $# -ne 2 ]; then
  echo "usage: $0 BUILD_DIR OUT_DIR" >&2
  exit 2
fi
linsgd=$1/linsgd
out=$2
mkdir -p "$out"
report=$out/gpu-acceptance.md
failures=0
{
  echo "# GPU acceptance checks"
  echo
  echo "- $(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | head -n 1)"
  echo "- commit ${LINSGD_COMMIT:-$(git -C "$(dirname "$0")" rev-parse --short HEAD 2>/dev/null)}, $(date -u +%FT%TZ)"
  echo
} > "$report"

full_loss() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['full_loss'])" "$1"; }

"$linsgd" train --device cpu --metrics-out "$out/default-cpu.json" > "$out/default-cpu.txt"
cpu_loss=$(full_loss "$out/default-cpu.json")
for engine in gemv fused; do
  if ! "$linsgd" train --device cuda --engine "$engine" --metrics-out "$out/default-$engine.json" \
      --plot "$out/default-$engine.png" > "$out/default-$engine.txt" 2>&1; then
    echo "- FAIL: default run on the GPU with --engine $engine: $(tail -n 1 "$out/default-$engine.txt")" >> "$report"
    failures=$((failures + 1))
    continue
  fi
  gpu_loss=$(full_loss "$out/default-$engine.json")
  verdict=$(python3 -c "
import sys; g, c = float(sys.argv[1]), float(sys.argv[2])
rel = abs(g - c) / c
ok = rel <= 1e-4 and 0.03 <= g <= 0.15
print(('ok' if ok else 'FAIL') + f': full-dataset loss GPU {g:.6f}, CPU {c:.6f}, relative difference {rel:.2e}')
" "$gpu_loss" "$cpu_loss")
  echo "- default run, --engine $engine: $verdict ($(grep 'training loop' "$out/default-$engine.txt" | sed 's/  */ /g'))" >> "$report"
  case "$verdict" in ok*) ;; *) failures=$((failures + 1)) ;; esac
done

free_mib=$(nvidia-smi --query-gpu=memory.free --format=csv,noheader,nounits | head -n 1)
rows=$((free_mib * 1024 * 1024 / (4 * 4096) * 5 / 4))
"$linsgd" train --device cuda --rows "$rows" --features 4096 --steps 1 > "$out/too-large.txt" 2>&1
code=$?
if [ "$code" -eq 2 ] && grep -q "of GPU memory but" "$out/too-large.txt"; then
  echo "- ok: $rows x 4096 (1.25x the free memory) refused: $(cat "$out/too-large.txt")" >> "$report"
else
  echo "- FAIL: $rows x 4096 not refused cleanly (exit $code): $(tail -n 1 "$out/too-large.txt")" >> "$report"
  failures=$((failures + 1))
fi
cat "$report"
exit $((failures > 0))
