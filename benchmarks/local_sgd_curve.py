#!/usr/bin/env python3
"""What local SGD (--sync-every N) does to convergence: training curves of a data-parallel run
under mpirun, averaging the processes' models every N steps, beside the run that exchanges the
gradient every step (which equals the one-process run) and the one-process run itself.

The problem is the post's synthetic one at a taller shape (each process generates it whole and
keeps its share of the rows). Every run evaluates the full objective every EVAL steps (a
multiple of every N) into a curve; the table gives the objective at a few steps and the time a
step took (training loop, evaluations excluded), all from this one run of the script.

    benchmarks/local_sgd_curve.py LINSGD OUT_DIR [--processes K] [--mpirun PATH]

Writes OUT_DIR/local-sgd.md (the table) and OUT_DIR/curve-*.csv (step, objective, seconds).
"""
import argparse
import csv
import json
import os
import pathlib
import subprocess

PROBLEM = ["--rows", "20000", "--features", "1000", "--batch-size", "32", "--lr", "0.005",
           "--steps", "6144", "--eval-every", "512", "--device", "cpu", "--threads", "1"]
SYNC_EVERY = [1, 16, 128, 512]
REPORTED_STEPS = [512, 1024, 2048, 4096, 6144]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("linsgd")
    parser.add_argument("out_dir", type=pathlib.Path)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--mpirun", default="mpirun")
    args = parser.parse_args()
    args.out_dir.mkdir(parents=True, exist_ok=True)
    mpi_flags = ["--oversubscribe"] + (["--allow-run-as-root"] if os.geteuid() == 0 else [])

    def train(name, extra, processes=None):
        curve = args.out_dir / f"curve-{name}.csv"
        metrics = args.out_dir / f"metrics-{name}.json"
        command = [args.linsgd, "train", *PROBLEM, "--quiet", "--curve-out", str(curve),
                   "--metrics-out", str(metrics), *extra]
        if processes is not None:
            command = [args.mpirun, *mpi_flags, "-np", str(processes), *command, "--distributed"]
        subprocess.run(command, check=True)
        with open(curve) as file:
            objective = {int(row["step"]): float(row["objective"]) for row in csv.DictReader(file)}
        figures = json.load(open(metrics))
        return objective, 1e6 * figures["train_seconds"] / figures["steps_run"]

    K = args.processes
    runs = [("one process", train("one", ["--engine", "gemv"])),
            (f"{K} processes, gradient summed every step", train("every-step", [], K))]
    for every in SYNC_EVERY:
        runs.append((f"{K} processes, --sync-every {every}",
                     train(f"sync-{every}", ["--sync-every", str(every)], K)))

    lines = [f"Local SGD against the gradient exchanged every step: synthetic problem "
             f"({' '.join(PROBLEM)}), full objective at each step count (one epoch of the "
             f"{K} processes' rows is 20000 / ({K} x 32) steps with --sync-every).", "",
             "| run | us/step | " + " | ".join(f"step {s}" for s in REPORTED_STEPS) + " |",
             "|---|---|" + "---|" * len(REPORTED_STEPS)]
    for name, (objective, microseconds) in runs:
        cells = [f"{objective[s]:.5g}" if s in objective else "-" for s in REPORTED_STEPS]
        lines.append(f"| {name} | {microseconds:.1f} | " + " | ".join(cells) + " |")
    (args.out_dir / "local-sgd.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
