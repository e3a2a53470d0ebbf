#!/usr/bin/env python3
"""Checks a fit benchmark run (OUT/bench_fit.json and its report): every field is there and
holds together, and the figures obey what must hold whatever the machine:
- F* is a lower bound: no model of any solver scores below it (beyond rounding);
- a run's time to a target is its first checkpoint at or below it, and 1e-4 comes no sooner
  than 1e-2;
- linsgd's exact solver reaches both targets where it applies, and its tuned SGD reaches 1e-2;
- a linsgd model rerun to a target scores there in the harness's own float64 evaluation.

    check_fit.py OUT/bench_fit.json
"""
import json
import math
import os
import shutil
import sys

PROBLEMS = ["post", "tall", "lasso", "diabetes", "huber"]
RUN_FIELDS = ["solver", "library", "device", "settings", "points", "note", "tuned_over",
              "reached", "end_to_end_seconds"]
KEYS = ["0.01", "0.0001"]
# Every objective is formed in double over the float32 data (linsgd's dot products included):
# two evaluations of one model differ by the order of their sums alone.
ROUNDING = 1e-9


def check_problem(problem, failures):
    name = problem["name"]

    def fail(text):
        failures.append(f"{name}: {text}")

    f_star = problem["f_star"]
    if not (math.isfinite(f_star) and f_star > 0):
        fail(f"F* = {f_star}")
        return
    for field in ("title", "description", "rows", "features", "loss", "penalty", "reference",
                  "load_seconds", "runs"):
        if field not in problem:
            fail(f"no field {field}")
    solvers = {(run["solver"], run["device"]) for run in problem["runs"]}
    for needed in ("linsgd SGD", "linsgd SGD, --lr auto untuned"):
        if (needed, "cpu") not in solvers:
            fail(f"no run of {needed} on the cpu")
    exact_applies = problem["loss"] == "squared" and problem["penalty"] in ("none", "l2")
    for run in problem["runs"]:
        label = f"{run.get('solver')} ({run.get('device')})"
        missing = [field for field in RUN_FIELDS if field not in run]
        if missing:
            fail(f"{label}: no field {', '.join(missing)}")
            continue
        for seconds, objective, test_mse in run["points"]:
            if math.isfinite(objective) and objective < f_star * (1 - ROUNDING):
                fail(f"{label}: objective {objective!r} below F* {f_star!r}")
            if math.isfinite(objective) and not seconds >= 0:
                fail(f"{label}: checkpoint at {seconds} s")
        times = []
        for key in KEYS:
            if key not in run["reached"]:
                fail(f"{label}: reached has no {key}")
                continue
            reached = run["reached"][key]
            first = next((p for p in run["points"] if math.isfinite(p[1]) and
                          (p[1] - f_star) / f_star <= float(key)), None)
            if (reached is None) != (first is None) or (
                    reached and reached["seconds"] != first[0]):
                fail(f"{label}: time to {key} is not its first checkpoint there")
            times.append(reached["seconds"] if reached else None)
            if reached and run["library"] == "linsgd" and "objective_float64" in reached:
                gap = (reached["objective_float64"] - f_star) / f_star
                if gap > float(key) + ROUNDING:
                    fail(f"{label}: its model at {key} scores {gap:.3g} in float64")
        if None not in times and times[1] < times[0]:
            fail(f"{label}: 1e-4 reached before 1e-2")
        if run["solver"] == "linsgd exact" and any(not run["reached"].get(k) for k in KEYS):
            fail(f"{label}: the exact solver did not reach both targets")
        if run["solver"] == "linsgd SGD" and not run["reached"].get(KEYS[0]):
            fail(f"{label}: tuned SGD did not reach 1e-2")
    if exact_applies and ("linsgd exact", "cpu") not in solvers:
        fail("no run of the exact solver")


def main():
    path = sys.argv[1]
    result = json.load(open(path))
    out = os.path.dirname(path)
    failures = []
    for field in ("environment", "targets", "budget_seconds", "missing_peers", "problems"):
        if field not in result:
            failures.append(f"no field {field}")
    if result.get("targets") != [0.01, 0.0001]:
        failures.append(f"targets {result.get('targets')}")
    # All the problems, or those a run asked for (--problems), in their order.
    names = [problem["name"] for problem in result.get("problems", [])]
    if not names or names != [name for name in PROBLEMS if name in names]:
        failures.append(f"problems {names}: expected some of {PROBLEMS}, in that order")
    for problem in result.get("problems", []):
        check_problem(problem, failures)
    report = open(os.path.join(out, "bench_fit.md")).read()
    for name in names:
        if shutil.which("gnuplot") and not os.path.exists(
                os.path.join(out, f"bench_fit_{name}.png")):
            failures.append(f"{name}: no plot")
        if f"![{name}]" not in report and shutil.which("gnuplot"):
            failures.append(f"{name}: the report does not show its plot")
    if failures:
        sys.exit("check_fit: " + "\ncheck_fit: ".join(failures))
    print(f"check_fit: {len(names)} problems, "
          f"{sum(len(p['runs']) for p in result['problems'])} runs: ok")


if __name__ == "__main__":
    main()
