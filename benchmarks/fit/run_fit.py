#!/usr/bin/env python3
"""The fit benchmark: time to a good model, linsgd against scikit-learn and PyTorch.

For each problem (problems.py) it writes the data, finds F* (reference.py), runs every solver
(linsgd on the CPU and, where there is one, the GPU; scikit-learn; PyTorch on the CPU and CUDA),
each tuned over a stated grid where it has settings, records (seconds, objective) at
checkpoints, and writes OUT/bench_fit.json, OUT/bench_fit.md and one plot per problem,
OUT/bench_fit_<problem>.png (report.py).

    run_fit.py --linsgd BUILD/linsgd --out OUT [--smoke] [--problems post,tall] [--budget S]
               [--devices cuda]

--smoke runs tiny problems with short budgets (the ctest harness test). --devices limits the
runs to some devices (cpu, cuda; default both where present): scikit-learn runs on the CPU alone. Peers that are not
installed are listed as missing, not run.
"""
import argparse
import dataclasses
import json
import os
import platform
import subprocess
import sys
import time

import numpy as np

import harness
import linsgd_solver
import problems as problem_set
import reference
import report
import sklearn_solvers
import torch_solvers


def environment(binary):
    def command_output(command):
        try:
            return subprocess.run(command, capture_output=True, text=True).stdout.strip()
        except OSError:
            return ""

    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                if line.startswith("model name")), platform.processor())
    gpu = command_output(["nvidia-smi", "--query-gpu=name,driver_version",
                          "--format=csv,noheader"]).splitlines()
    here = os.path.dirname(os.path.abspath(__file__))
    env = {"date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
           "commit": os.environ.get("LINSGD_COMMIT")
           or command_output(["git", "-C", here, "rev-parse", "--short", "HEAD"]),
           "cpu": f"{cpu} ({os.cpu_count()} cores)", "gpu": gpu[0] if gpu else None,
           "linsgd": "; ".join(command_output([binary, "--version"]).splitlines()),
           "numpy": np.__version__, "python": platform.python_version()}
    if sklearn_solvers.available():
        import sklearn
        env["scikit-learn"] = sklearn.__version__
    if torch_solvers.available():
        import torch
        env["pytorch"] = torch.__version__
    return env


def optimum(problem, directory, X, y):
    """F* from reference.py, kept beside the data for the same problem."""
    path = os.path.join(directory, "reference.json")
    spec = dataclasses.asdict(problem)
    if os.path.exists(path):
        saved = json.load(open(path))
        if saved.get("spec") == spec:
            return saved["reference"]
    start = time.perf_counter()
    f_star, w, b = reference.optimum(problem, X, y)
    found = {"f_star": f_star, "method": problem.reference,
             "seconds": time.perf_counter() - start,
             "nonzero_weights": int(np.count_nonzero(w)), "bias": float(b)}
    with open(path, "w") as file:
        json.dump({"spec": spec, "reference": found}, file)
    return found


def run_problem(problem, args, devices):
    directory = os.path.join(args.out, "data", problem.name)
    problem_set.write_data(problem, directory)
    start = time.perf_counter()
    data = problem_set.load_data(directory)
    load_seconds = time.perf_counter() - start
    found = optimum(problem, directory, data[0], data[1])
    f_star = found["f_star"]
    print(f"fit: {problem.name}: {problem.describe()}, F* = {f_star:.9g} ({found['method']})",
          file=sys.stderr, flush=True)
    max_epochs = 20 if args.smoke else 1000
    runs = linsgd_solver.runs(args.linsgd, problem, directory,
                              os.path.join(args.out, "work", problem.name), args.budget,
                              args.smoke, f_star, data, devices)
    peers = []
    if "sklearn" in args.peers and "cpu" in args.devices and sklearn_solvers.available():
        peers += sklearn_solvers.runs(problem, data, args.budget, max_epochs, f_star)
    if "torch" in args.peers and torch_solvers.available():
        peers += torch_solvers.runs(problem, data, args.budget, max_epochs, f_star, args.devices)
    for run in peers:
        harness.summarize(run, f_star)
        # End to end: loading the .npy files, then fitting to the target (the device copy of
        # the GPU peers is left out: under a second for these sizes).
        run.end_to_end_seconds = {key: load_seconds + reached["seconds"]
                                  for key, reached in run.reached.items() if reached}
    for run in runs + peers:
        print(f"fit:   {run.solver} [{run.device}] {run.settings}: " + ", ".join(
            f"{key} in {value['seconds']:.3g} s" if value else f"{key} not reached"
            for key, value in run.reached.items()) + (f" ({run.note})" if run.note else ""),
            file=sys.stderr, flush=True)
    return {"name": problem.name, "title": problem.title, "description": problem.describe(),
            "rows": problem.rows, "features": problem.features, "loss": problem.loss,
            "penalty": problem.penalty, "alpha": problem.alpha, "epsilon": problem.epsilon,
            "f_star": f_star, "reference": found, "load_seconds": load_seconds,
            "runs": [{k: v for k, v in dataclasses.asdict(run).items()} for run in runs + peers]}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--linsgd", required=True, help="the linsgd binary")
    parser.add_argument("--out", required=True, help="output folder")
    parser.add_argument("--smoke", action="store_true", help="tiny problems, short budgets")
    parser.add_argument("--problems", help="comma-separated names (default: all)")
    parser.add_argument("--budget", type=float, help="seconds per solver run (default 30; "
                        "smoke 2)")
    parser.add_argument("--peers", default="sklearn,torch", help="peers to run")
    parser.add_argument("--devices", default="cpu,cuda",
                        help="devices to run on (default: cpu,cuda, where present)")
    args = parser.parse_args()
    args.budget = args.budget or (2.0 if args.smoke else 30.0)
    args.devices = args.devices.split(",")
    if set(args.devices) - {"cpu", "cuda"}:
        parser.error(f"--devices {','.join(args.devices)}: each must be cpu or cuda")
    os.makedirs(args.out, exist_ok=True)

    chosen = problem_set.problems(args.smoke)
    if args.problems:
        names = args.problems.split(",")
        unknown = set(names) - {p.name for p in chosen}
        if unknown:
            parser.error(f"unknown problems: {', '.join(sorted(unknown))}")
        chosen = [p for p in chosen if p.name in names]
    problems = {d: linsgd_solver.device_problem(args.linsgd, d) for d in args.devices}
    devices = [d for d in args.devices if not problems[d]]
    if not devices:
        parser.error(f"--devices {','.join(args.devices)}: linsgd cannot train on it here: "
                     + "; ".join(problems.values()))
    missing = [name for name, ok in (("scikit-learn", sklearn_solvers.available()),
                                     ("pytorch", torch_solvers.available())) if not ok]
    result = {"environment": environment(args.linsgd), "smoke": args.smoke,
              "budget_seconds": args.budget, "targets": list(harness.TARGETS),
              "missing_peers": missing, "linsgd_devices": devices,
              "problems": [run_problem(problem, args, devices) for problem in chosen]}
    with open(os.path.join(args.out, "bench_fit.json"), "w") as file:
        json.dump(result, file, indent=1)
    report.write(result, args.out)
    print(open(os.path.join(args.out, "bench_fit.md")).read())


if __name__ == "__main__":
    main()
