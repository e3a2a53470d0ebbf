#!/usr/bin/env python3
"""Turns one benchmark run into OUT_DIR/bench.json and OUT_DIR/bench.md.

Reads OUT_DIR/linsgd-bench.json (Google Benchmark), OUT_DIR/pytorch.json (the peers) and
OUT_DIR/environment.txt. Figures per shape, backend and engine are medians over the repeats.
Ratios are linsgd's time per step over the peer's (below 1: linsgd is faster), and, on the CPU,
over the read floor measured in the same run (reading the rows a step samples, nothing else).
"""
import json
import os
import statistics
import sys
from pathlib import Path

from shapes import SHAPES_FILE, load_shapes

BACKENDS = ("cuda", "cpu")
ENGINES = ("gemv", "fused")
POST_RUN_TARGET_MS = 4.0
LARGE_SHAPE_TARGET_PCT = 75.0
CPU_POST_TARGET_S = 0.10
CPU_FLOOR_TARGET = 1.25  # a CPU step within 25% of reading its rows
CPU_PYTORCH_TARGET = 9.0  # against the post's PyTorch loop, both on one thread


def read_environment(path):
    env = {}
    for line in path.read_text().splitlines():
        key, _, value = line.partition("=")
        env[key] = value
    return env


def median_counters(entries):
    """Median of each counter (and of real_time) over the repetitions of one benchmark, with the
    time_unit that real_time is in (the repetitions share it)."""
    keys = set().union(*(e.keys() for e in entries))
    result = {"time_unit": entries[0].get("time_unit", "ns")}
    for key in keys:
        values = [e[key] for e in entries if isinstance(e.get(key), (int, float))]
        if values:
            result[key] = statistics.median(values)
    return result


def collect_benchmarks(path):
    """{(kind, backend, engine, shape): {"error": str} or median counters}."""
    data = json.loads(path.read_text())
    groups = {}
    for entry in data.get("benchmarks", []):
        if entry.get("run_type") == "aggregate":
            continue
        parts = entry["run_name"].split("/")
        kind, backend = parts[0], parts[1]
        if kind in ("steps", "whole_run"):
            engine, shape = parts[2], parts[3]
        else:  # copy/BACKEND, or floor/BACKEND/SHAPE
            engine, shape = "", parts[2] if kind == "floor" else ""
        groups.setdefault((kind, backend, engine, shape), []).append(entry)
    results = {}
    for key, entries in groups.items():
        errors = [e for e in entries if e.get("error_occurred")]
        if errors:
            results[key] = {"error": errors[0].get("error_message", "error")}
        else:
            results[key] = median_counters(entries)
    return results


def milliseconds(entry):
    unit = {"ns": 1e-6, "us": 1e-3, "ms": 1.0, "s": 1e3}[entry["time_unit"]]
    return entry["real_time"] * unit


def build(out_dir):
    out = Path(out_dir)
    env = read_environment(out / "environment.txt")
    smoke = env.get("smoke") == "1"
    # The shapes the run measured (environment.txt names a LINSGD_BENCH_SHAPES file); the targets
    # are those of shapes.json's.
    shapes_file = env.get("shapes") or SHAPES_FILE
    shapes = {name: (n, d, batch) for name, n, d, batch, _, _ in load_shapes(smoke, shapes_file)}
    if os.path.realpath(shapes_file) == os.path.realpath(SHAPES_FILE):
        shapes_file = SHAPES_FILE
    standard = not smoke and shapes_file == SHAPES_FILE
    bench = collect_benchmarks(out / "linsgd-bench.json")
    peers = json.loads((out / "pytorch.json").read_text())
    peer_time = {(r["shape"], r["device"], r["peer"]): r["us_per_step"] for r in peers.get("rows", [])}

    copy = {}
    for backend in BACKENDS:
        entry = bench.get(("copy", backend, "", ""), {"error": "not run"})
        copy[backend] = None if "error" in entry else entry["copy_GBps"]

    read_floor = {}
    for shape in shapes:
        entry = bench.get(("floor", "cpu", "", shape), {"error": "not run"})
        read_floor[shape] = None if "error" in entry else entry["us_per_step"]

    rows = []
    for shape, (n, d, batch) in shapes.items():
        for backend in BACKENDS:
            for engine in ENGINES:
                entry = bench.get(("steps", backend, engine, shape))
                if entry is None:
                    continue  # not registered (the GPU fused engine on a batch too large for it)
                row = {"shape": shape, "rows": n, "features": d, "batch": batch,
                       "backend": backend, "engine": engine}
                if "error" in entry:
                    row.update({"absent": True, "reason": entry["error"]})
                    rows.append(row)
                    continue
                row.update({
                    "absent": False,
                    "steps": int(entry["steps"]),
                    "us_per_step": entry["us_per_step"],
                    "steps_per_s": entry["steps_per_s"],
                    "samples_per_s": entry["samples_per_s"],
                    "batch_bytes": entry["batch_bytes"],
                    "batch_GBps": entry["batch_GBps"],
                    "pct_of_copy_bw": (100.0 * entry["batch_GBps"] / copy[backend]
                                       if copy[backend] else None),
                })
                for peer in ("post", "idiomatic"):
                    t = peer_time.get((shape, backend, peer))
                    row[f"vs_pytorch_{peer}"] = entry["us_per_step"] / t if t else None
                floor = read_floor.get(shape) if backend == "cpu" else None
                row["read_floor_us"] = floor
                row["vs_read_floor"] = entry["us_per_step"] / floor if floor else None
                rows.append(row)
    cpu_best = {}
    for r in rows:
        if r["backend"] == "cpu" and not r["absent"]:
            cpu_best[r["shape"]] = min(cpu_best.get(r["shape"], float("inf")), r["us_per_step"])
    for r in rows:
        r["vs_linsgd_cpu"] = (r["us_per_step"] / cpu_best[r["shape"]]
                              if r["backend"] == "cuda" and not r["absent"] and r["shape"] in cpu_best
                              else None)

    whole_run = {}
    for engine in ENGINES:
        entry = bench.get(("whole_run", "cuda", engine, "post"))
        whole_run[engine] = None if entry is None or "error" in entry else milliseconds(entry)

    result = {
        "date": env.get("date"), "commit": env.get("commit"), "cpu": env.get("cpu"),
        "cpu_blas": env.get("cpu_blas"),
        "gpu": env.get("gpu"), "driver": env.get("driver"), "smoke": smoke,
        "repeats": int(env["repeats"]) if env.get("repeats") else None,
        "copy_GBps": copy, "read_floor_us": read_floor, "rows": rows,
        "post_whole_run_ms": whole_run,
        "pytorch": {k: v for k, v in peers.items() if k != "rows"} | {"rows": peers.get("rows", [])},
        "shapes_file": None if shapes_file == SHAPES_FILE else shapes_file,
        "targets": targets(rows, whole_run) if standard else [],
    }
    (out / "bench.json").write_text(json.dumps(result, indent=1) + "\n")
    (out / "bench.md").write_text(markdown(result))
    return result


def targets(rows, whole_run):
    found = []
    runs = {k: v for k, v in whole_run.items() if v is not None}
    if runs:
        engine, ms = min(runs.items(), key=lambda kv: kv[1])
        found.append({"target": f"post problem, 2000 steps on the GPU (whole run) <= {POST_RUN_TARGET_MS} ms",
                      "measured": f"{ms:.2f} ms ({engine})", "met": ms <= POST_RUN_TARGET_MS,
                      "distance": f"{ms / POST_RUN_TARGET_MS:.2f}x the target"})
    else:
        found.append({"target": f"post problem, 2000 steps on the GPU (whole run) <= {POST_RUN_TARGET_MS} ms",
                      "measured": "absent (no GPU)", "met": None, "distance": None})
    for shape in ("tall", "wide", "big-batch"):
        candidates = [r for r in rows if r["shape"] == shape and r["backend"] == "cuda"
                      and not r["absent"] and r["pct_of_copy_bw"] is not None]
        if candidates:
            best = max(candidates, key=lambda r: r["pct_of_copy_bw"])
            found.append({"target": f"{shape} on the GPU >= {LARGE_SHAPE_TARGET_PCT:.0f}% of copy bandwidth",
                          "measured": f"{best['pct_of_copy_bw']:.1f}% ({best['engine']})",
                          "met": best["pct_of_copy_bw"] >= LARGE_SHAPE_TARGET_PCT,
                          "distance": f"{best['pct_of_copy_bw'] / LARGE_SHAPE_TARGET_PCT:.2f}x the target"})
    cpu_post = [r for r in rows if r["shape"] == "post" and r["backend"] == "cpu" and not r["absent"]]
    if cpu_post:
        best = min(cpu_post, key=lambda r: r["us_per_step"])
        seconds = best["us_per_step"] * 2000 * 1e-6
        found.append({"target": f"post problem, 2000 steps on the CPU, 1 thread <= {CPU_POST_TARGET_S} s",
                      "measured": f"{seconds:.3f} s ({best['engine']})", "met": seconds <= CPU_POST_TARGET_S,
                      "distance": f"{seconds / CPU_POST_TARGET_S:.2f}x the target"})
        if best["vs_read_floor"] is not None:
            found.append({"target": "post problem on the CPU, 1 thread: a step at its read floor",
                          "measured": f"{best['vs_read_floor']:.2f}x the floor ({best['engine']}, "
                                      f"floor {best['read_floor_us']:.1f} us/step)",
                          "met": best["vs_read_floor"] <= CPU_FLOOR_TARGET,
                          "distance": f"{best['vs_read_floor'] / CPU_FLOOR_TARGET:.2f}x the target "
                                      f"({CPU_FLOOR_TARGET}x the floor)"})
        if best["vs_pytorch_post"] is not None:
            speedup = 1.0 / best["vs_pytorch_post"]
            found.append({"target": f"post problem on the CPU: >= {CPU_PYTORCH_TARGET:.0f}x faster "
                                    "than the post's PyTorch loop",
                          "measured": f"{speedup:.1f}x ({best['engine']})",
                          "met": speedup >= CPU_PYTORCH_TARGET,
                          "distance": f"{speedup / CPU_PYTORCH_TARGET:.2f}x the target"})
    return found


def fmt(value, pattern="{:.3g}"):
    return "-" if value is None else pattern.format(value)


def markdown(result):
    lines = ["# linsgd benchmark", ""]
    lines.append(f"- date: {result['date']}, commit: `{result['commit']}`"
                 + (" (smoke run: tiny shapes)" if result["smoke"] else "")
                 + (f" (shapes of {result['shapes_file']})" if result["shapes_file"] else ""))
    lines.append(f"- CPU: {result['cpu']}" + (f"; {result['cpu_blas']}" if result.get("cpu_blas") else ""))
    lines.append(f"- GPU: {result['gpu'] or 'absent'}" + (f", driver {result['driver']}" if result["driver"] else ""))
    copy = result["copy_GBps"]
    lines.append(f"- copy bandwidth (1 GiB read + 1 GiB written): CPU memcpy {fmt(copy['cpu'], '{:.1f}')} GB/s, "
                 f"GPU device-to-device {fmt(copy['cuda'], '{:.0f}')} GB/s")
    torch = result["pytorch"]
    cuda_threads = (f", {torch['cuda_threads']} host threads on CUDA"
                    if torch.get("cuda_device") and torch.get("cuda_threads") else "")
    lines.append("- PyTorch peers: " + (f"{torch.get('version')}, {torch.get('threads')} CPU threads"
                                        + cuda_threads
                                        if torch.get("available") else f"absent ({torch.get('reason')})"))
    lines.append("")
    repeats = result["repeats"]
    lines.append(("Per step, one run. " if repeats == 1 else
                  f"Per step, median of {repeats or 'the'} repeats. ") +
                 "Ratios are linsgd's time over the peer's "
                 "(0.1 = ten times faster). linsgd's CPU rows run on one thread; their read floor "
                 "is the time to read the rows a step samples and nothing else, measured in the "
                 "same run.")
    lines.append("")
    lines.append("| shape | n x d, B | backend | engine | us/step | steps/s | samples/s | batch GB/s | % copy bw "
                 "| / read floor | / PyTorch post | / PyTorch idiomatic | / linsgd CPU |")
    lines.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in result["rows"]:
        head = f"| {r['shape']} | {r['rows']} x {r['features']}, {r['batch']} | {r['backend']} | {r['engine']} |"
        if r["absent"]:
            lines.append(head + f" absent ({r['reason']}) | | | | | | | | |")
            continue
        lines.append(head + f" {fmt(r['us_per_step'])} | {fmt(r['steps_per_s'], '{:.3g}')} | "
                     f"{fmt(r['samples_per_s'], '{:.3g}')} | {fmt(r['batch_GBps'])} | "
                     f"{fmt(r['pct_of_copy_bw'], '{:.1f}')} | {fmt(r['vs_read_floor'])} | "
                     f"{fmt(r['vs_pytorch_post'])} | "
                     f"{fmt(r['vs_pytorch_idiomatic'])} | {fmt(r['vs_linsgd_cpu'])} |")
    lines.append("")
    whole = result["post_whole_run_ms"]
    lines.append("Post problem, whole 2000-step GPU run including the loss-history copy-back: "
                 + ", ".join(f"{e} {fmt(v, '{:.2f}')} ms" for e, v in whole.items()))
    lines.append("")
    if result["smoke"] or result["shapes_file"]:
        lines.append("(Targets apply to the shapes of benchmarks/shapes.json only.)")
        lines.append("")
        return "\n".join(lines)
    lines.append("| target | measured | met | distance |")
    lines.append("|---|---|---|---|")
    for t in result["targets"]:
        met = "-" if t["met"] is None else ("yes" if t["met"] else "no")
        lines.append(f"| {t['target']} | {t['measured']} | {met} | {t['distance'] or '-'} |")
    lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: make_table.py OUT_DIR")
    build(sys.argv[1])
