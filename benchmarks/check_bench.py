#!/usr/bin/env python3
"""Checks a bench.json written by benchmarks/run.sh: every field present, and the figures
consistent with each other (the harness's own arithmetic: us/step x steps/s = 1e6, batch GB/s =
batch bytes x steps/s). Exits non-zero with the first problem. Used by the ctest smoke test."""
import json
import math
import sys

TOP = ["date", "commit", "cpu", "gpu", "driver", "smoke", "copy_GBps", "read_floor_us", "rows",
       "post_whole_run_ms", "pytorch", "targets"]
ROW = ["shape", "rows", "features", "batch", "backend", "engine", "absent"]
PRESENT = ["steps", "us_per_step", "steps_per_s", "samples_per_s", "batch_bytes", "batch_GBps",
           "pct_of_copy_bw", "read_floor_us", "vs_read_floor", "vs_pytorch_post",
           "vs_pytorch_idiomatic", "vs_linsgd_cpu"]


def close(a, b, rel=1e-3):
    return abs(a - b) <= rel * abs(b)


def check(path):
    data = json.load(open(path))
    for key in TOP:
        assert key in data, f"missing top-level key {key}"
    assert data["copy_GBps"]["cpu"] and data["copy_GBps"]["cpu"] > 0, "no CPU copy bandwidth"
    backends = {r["backend"] for r in data["rows"]}
    assert backends == {"cpu", "cuda"}, f"rows for {backends}, expected cpu and cuda"
    cpu_rows = [r for r in data["rows"] if r["backend"] == "cpu"]
    assert cpu_rows and not any(r["absent"] for r in cpu_rows), "CPU rows missing or absent"
    for r in data["rows"]:
        for key in ROW:
            assert key in r, f"row {r.get('shape')}/{r.get('backend')} lacks {key}"
        if r["absent"]:
            assert r.get("reason"), "absent row without a reason"
            continue
        for key in PRESENT:
            assert key in r, f"row {r['shape']}/{r['backend']}/{r['engine']} lacks {key}"
        assert r["us_per_step"] > 0 and math.isfinite(r["us_per_step"])
        assert close(r["us_per_step"] * r["steps_per_s"], 1e6), "us/step and steps/s disagree"
        assert close(r["samples_per_s"], r["steps_per_s"] * r["batch"]), "samples/s != steps/s x B"
        assert close(r["batch_bytes"], 4.0 * r["batch"] * r["features"]), "batch bytes != 4 B d"
        assert close(r["batch_GBps"], r["batch_bytes"] * r["steps_per_s"] * 1e-9), "GB/s inconsistent"
        assert r["pct_of_copy_bw"] is None or r["pct_of_copy_bw"] > 0
        if r["backend"] == "cpu":
            assert r["read_floor_us"] and r["read_floor_us"] > 0, "no CPU read floor"
            assert close(r["vs_read_floor"], r["us_per_step"] / r["read_floor_us"]), \
                "the ratio to the read floor disagrees"
    for t in data["targets"]:
        for key in ("target", "measured", "met", "distance"):
            assert key in t, f"target lacks {key}"
    return data


if __name__ == "__main__":
    try:
        check(sys.argv[1])
    except (AssertionError, KeyError, ValueError) as error:
        sys.exit(f"check_bench: {sys.argv[1]}: {error}")
    print(f"check_bench: {sys.argv[1]}: ok")
