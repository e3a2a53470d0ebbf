#!/usr/bin/env python3
"""Data-parallel training under mpirun (linsgd train --distributed), on the CPU backend:
- one process equals the one-process run of the gemv engine, bit for bit (the model file);
- 2 and 3 processes, each holding a contiguous share of the rows, equal it up to the order in
  which the partial gradients are added (weights and every step's loss within 1e-5): the post's
  squared loss without weights, with weights whose first rows weigh 0 (a share of weight 0),
  Huber with an L2 penalty, momentum and epoch sampling, --epochs over shares of unequal
  sizes, --lr auto (its products and largest row summed across), and evaluations (--curve-out,
  written by process 0, and --tol stopping); the exact solver's normal equations, summed, within
  1e-6;
- each process reads its own rows of the file (CSV, and .npy with a --labels file) and
  --standardize takes its statistics over every process's rows;
- local SGD (--sync-every N): one process equals the one-process run bit for bit (weights,
  bias, every loss); 2 and 3 processes, averaging every 1, 10 or 400 steps, end within 0.01 of
  the exact solver's weighted least-squares solution, as the one-process run does; a curve
  (evaluations, which split the steps into other chunks) leaves the model as it is; an
  --eval-every that is not a multiple of N, epoch sampling, and --sync-every without
  --distributed are refused (the exact properties are tests/test_data_parallel.cpp's);
- only process 0 writes the outputs;
- processes that read other data (rows, features, feature names) or were given other options are
  refused before any sum, and so is a process started by mpirun without --distributed;
- a failure (bad data) ends every process with the error of the process whose rows hold it
  (printed once: the others never parse that row) and a non-zero exit, without a hang;
- --max-seconds stops every process after the same chunk, and so does SIGINT to one of them;
- what a data-parallel run does not do yet is refused with exit 2.
    tests/distributed_test.py LINSGD MPIRUN
"""
import csv
import json
import os
import random
import signal
import struct
import subprocess
import sys
import tempfile
import time

LINSGD, MPIRUN = sys.argv[1], sys.argv[2]
MPI_FLAGS = ["--oversubscribe"] + (["--allow-run-as-root"] if os.geteuid() == 0 else [])
failures = []


def check(condition, what):
    if not condition:
        failures.append(what)
        print("FAIL:", what)


def run(arguments, processes=None, timeout=120):
    command = [LINSGD] + arguments
    environment = dict(os.environ)
    if processes is not None:
        command = [MPIRUN, *MPI_FLAGS, "-np", str(processes)] + command + ["--distributed"]
        # Under AddressSanitizer (the CI's sanitized pass), LeakSanitizer reports what Open MPI
        # allocates in MPI_Init and keeps to the end: not linsgd's. The runs without mpirun
        # keep leak detection.
        environment["ASAN_OPTIONS"] = (os.environ.get("ASAN_OPTIONS", "") + ":detect_leaks=0")
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                          env=environment)


def signal_process_1(arguments):
    """Runs `arguments` (with a --loss-out) in 2 processes, sends SIGINT to process 1 once they
    train (process 0's loss file is being written, and half a second more), and returns what
    they wrote on stderr."""
    command = [MPIRUN, *MPI_FLAGS, "-np", "2", LINSGD, *arguments, "--distributed"]
    environment = dict(os.environ, ASAN_OPTIONS=os.environ.get("ASAN_OPTIONS", "") +
                       ":detect_leaks=0")
    launcher = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, env=environment)
    deadline = time.monotonic() + 60
    while not any(".tmp." in name for name in os.listdir(".")) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)
    for pid in descendants(launcher.pid):
        try:
            with open(f"/proc/{pid}/environ", "rb") as file:
                variables = file.read().split(b"\0")
        except OSError:
            continue
        if b"OMPI_COMM_WORLD_RANK=1" in variables and os.path.basename(
                os.readlink(f"/proc/{pid}/exe")) == os.path.basename(LINSGD):
            os.kill(pid, signal.SIGINT)
    try:
        return launcher.communicate(timeout=60)[1]
    except subprocess.TimeoutExpired:
        launcher.kill()
        return "no process stopped within 60 s: " + launcher.communicate()[1]


def descendants(pid):
    """The processes below `pid`, from /proc."""
    children = {}
    for entry in os.listdir("/proc"):
        try:
            with open(f"/proc/{entry}/stat") as file:
                parent = int(file.read().rsplit(")", 1)[1].split()[1])
            children.setdefault(parent, []).append(int(entry))
        except (OSError, ValueError):
            continue
    found, queue = [], [pid]
    while queue:
        for child in children.get(queue.pop(), []):
            found.append(child)
            queue.append(child)
    return found


def write_npy(path, rows, columns, values):
    """A float32 .npy file, as NumPy's format specification lays it out."""
    shape = f"({rows},)" if columns is None else f"({rows}, {columns})"
    header = f"{{'descr': '<f4', 'fortran_order': False, 'shape': {shape}, }}"
    header += " " * (63 - (10 + len(header)) % 64) + "\n"
    with open(path, "wb") as file:
        file.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode())
        file.write(struct.pack(f"<{len(values)}f", *values))


def losses(path):
    with open(path) as file:
        return [float(row["batch_loss"]) for row in csv.DictReader(file)]


def close(a, b, tolerance=1e-5):
    return len(a) == len(b) and all(abs(x - y) <= tolerance * (1 + abs(y)) for x, y in zip(a, b))


with tempfile.TemporaryDirectory() as directory:
    os.chdir(directory)
    random.seed(3)
    with open("data.csv", "w") as file:
        file.write("a,b,c,w,y\n")
        for i in range(203):  # 68, 68 and 67 rows on 3 processes
            a, b, c = (random.gauss(0, 1) for _ in range(3))
            y = 1.5 * a - 0.5 * b + 0.2 * c + 0.3 + 0.05 * random.gauss(0, 1)
            file.write(f"{a},{b},{c},{1 + i % 3},{y}\n")
    with open("zero-first.csv", "w") as file:  # the first 120 rows weigh 0
        lines = open("data.csv").read().splitlines()
        file.write(lines[0] + "\n")
        for i, line in enumerate(lines[1:]):
            a, b, c, w, y = line.split(",")
            file.write(f"{a},{b},{c},{0 if i < 120 else w},{y}\n")
    rows = [[float(v) for v in line.split(",")] for line in open("data.csv").read().split()[1:]]
    write_npy("X.npy", len(rows), 3, [v for row in rows for v in row[:3]])
    write_npy("y.npy", len(rows), None, [row[4] for row in rows])
    option_sets = {
        "plain": ["--target", "y", "--steps", "400", "--batch-size", "16"],
        "weighted": ["--target", "y", "--sample-weight", "w", "--steps", "400",
                     "--batch-size", "16"],
        "zero-share": ["--data", "zero-first.csv", "--target", "y", "--sample-weight", "w",
                       "--steps", "300", "--batch-size", "16"],
        "huber": ["--target", "y", "--sample-weight", "w", "--steps", "300", "--batch-size", "16",
                  "--loss", "huber", "--epsilon", "0.2", "--penalty", "l2", "--alpha", "0.01",
                  "--momentum", "0.5", "--sampling", "epoch"],
        "epochs": ["--target", "y", "--epochs", "3", "--batch-size", "1", "--sampling", "epoch"],
        "standardized": ["--target", "y", "--standardize", "--steps", "300", "--batch-size",
                         "16", "--lr", "0.05"],
        "no-intercept": ["--target", "y", "--sample-weight", "w", "--no-intercept",
                         "--standardize", "--lr", "auto", "--steps", "300", "--batch-size", "16"],
        "npy": ["--data", "X.npy", "--labels", "y.npy", "--steps", "300", "--batch-size", "16"],
        "auto-rate": ["--target", "y", "--sample-weight", "w", "--lr", "auto", "--steps", "300",
                      "--batch-size", "16"],
        "evaluated": ["--target", "y", "--steps", "3000", "--batch-size", "8", "--eval-every",
                      "100", "--curve-out", "curve.csv", "--tol", "1e-6", "--n-iter-no-change",
                      "3"],
    }
    for name, options in option_sets.items():
        data = [] if "--data" in options else ["--data", "data.csv"]
        base = ["train", "--device", "cpu", "--quiet"] + data + options
        one = run([a.replace("curve.csv", f"{name}-curve.csv") for a in base] +
                  ["--engine", "gemv", "--model-out", f"{name}.json", "--loss-out", f"{name}.csv"])
        check(one.returncode == 0, f"{name}: one process: {one.stderr}")
        for processes in (1, 2, 3):
            stem = f"{name}-np{processes}"
            result = run([a.replace("curve.csv", f"{stem}-curve.csv") for a in base] +
                         ["--model-out", f"{stem}.json", "--loss-out", f"{stem}.csv"], processes)
            check(result.returncode == 0, f"{stem}: exit {result.returncode}: {result.stderr}")
            if result.returncode != 0:
                continue
            if processes == 1:
                check(open(f"{stem}.json").read() == open(f"{name}.json").read(),
                      f"{stem}: the model differs from the one-process run's")
            model, reference = json.load(open(f"{stem}.json")), json.load(open(f"{name}.json"))
            check(close(model["weights"] + [model["bias"]],
                        reference["weights"] + [reference["bias"]]),
                  f"{stem}: weights {model['weights']} vs {reference['weights']}")
            check(close(losses(f"{stem}.csv"), losses(f"{name}.csv")),
                  f"{stem}: the losses differ from the one-process run's")
            if "curve.csv" in options:  # the same evaluations, at the same steps
                curve, reference_curve = (list(csv.DictReader(open(f)))
                                          for f in (f"{stem}-curve.csv", f"{name}-curve.csv"))
                check([r["step"] for r in curve] == [r["step"] for r in reference_curve] and
                      close([float(r["objective"]) for r in curve],
                            [float(r["objective"]) for r in reference_curve]),
                      f"{stem}: the curve differs from the one-process run's")

    # Local SGD: one process is the lone run; more end near the exact solution as it does.
    problem = ["train", "--device", "cpu", "--quiet", "--data", "data.csv", "--target", "y",
               "--sample-weight", "w"]
    local = problem + ["--steps", "1500", "--batch-size", "16", "--lr", "0.05"]
    exact = run(problem + ["--solver", "exact", "--model-out", "exact.json"])
    lone = run(local + ["--engine", "gemv", "--model-out", "lone.json", "--loss-out", "lone.csv"])
    check(exact.returncode == 0 and lone.returncode == 0, f"local: {exact.stderr} {lone.stderr}")

    def parameters(path):
        model = json.load(open(path))
        return model["weights"] + [model["bias"]]

    one = run(local + ["--sync-every", "7", "--model-out", "local1.json", "--loss-out",
                       "local1.csv"], 1)
    check(one.returncode == 0 and parameters("local1.json") == parameters("lone.json") and
          losses("local1.csv") == losses("lone.csv"),
          f"local SGD, one process: not the lone run: {one.stderr}")
    solution = parameters("exact.json")
    check(max(abs(a - b) for a, b in zip(parameters("lone.json"), solution)) < 0.01,
          "local SGD: the lone run does not reach the exact solution")
    for processes in (2, 3):
        for every in (1, 10, 400):  # 400: more than a chunk (256 steps) holds
            stem = f"local-np{processes}-every{every}"
            result = run(local + ["--sync-every", str(every), "--model-out", f"{stem}.json"],
                         processes)
            check(result.returncode == 0, f"{stem}: exit {result.returncode}: {result.stderr}")
            if result.returncode == 0:
                distance = max(abs(a - b) for a, b in zip(parameters(f"{stem}.json"), solution))
                check(distance < 0.01, f"{stem}: {distance} from the exact solution")
    # Evaluations for a curve split the steps into other chunks: the same draws, the same model.
    for every, evaluations in ((10, "300"), (400, "400")):
        stem = f"local-every{every}"
        plain = run(local + ["--sync-every", str(every), "--model-out", f"{stem}-plain.json"], 2)
        curved = run(local + ["--sync-every", str(every), "--eval-every", evaluations,
                              "--curve-out", f"{stem}-curve.csv", "--model-out",
                              f"{stem}-curve.json"], 2)
        check(plain.returncode == 0 and curved.returncode == 0 and
              parameters(f"{stem}-plain.json") == parameters(f"{stem}-curve.json") and
              len(list(csv.DictReader(open(f"{stem}-curve.csv")))) >= 3,
              f"{stem}: the curve changed the model: {plain.stderr} {curved.stderr}")
    for extra, message in (
            (["--eval-every", "15", "--tol", "1e-4"],
             "--eval-every 15 must be a multiple of --sync-every 10"),
            (["--sampling", "epoch"], "--sync-every: --sampling epoch is not available with "
                                      "local SGD yet"),
            (["--lr", "auto"], "--sync-every: --lr auto is not available with local SGD yet")):
        base = local[:local.index("--lr")] + local[local.index("--lr") + 2:] \
            if "--lr" in extra else local
        refused = run(base + ["--sync-every", "10"] + extra, 2)
        # Refused before MPI starts: each process's line, no abort.
        check(refused.returncode == 2 and message in refused.stderr and
              "MPI_ABORT" not in refused.stderr,
              f"local SGD {extra}: exit {refused.returncode}: {refused.stderr}")
    alone = run(local + ["--sync-every", "10"])
    check(alone.returncode == 2 and "--sync-every needs --distributed" in alone.stderr,
          f"--sync-every alone: exit {alone.returncode}: {alone.stderr}")

    # The post's synthetic problem (generated whole by each process, which keeps its rows).
    post = ["train", "--device", "cpu", "--steps", "300", "--quiet", "--metrics-out"]
    one = run(post + ["post.json", "--engine", "gemv"])
    two = run(post + ["post-np2.json"], 2)
    check(one.returncode == 0 and two.returncode == 0, f"post: {one.stderr} {two.stderr}")
    if one.returncode == 0 and two.returncode == 0:
        a, b = json.load(open("post.json")), json.load(open("post-np2.json"))
        check(abs(a["full_loss"] - b["full_loss"]) <= 1e-5 * a["full_loss"],
              f"post: full loss {b['full_loss']} vs {a['full_loss']}")

    # Process 0's summary names the processes and how they exchange.
    summary = run(["train", "--device", "cpu", "--rows", "400", "--features", "20", "--steps",
                   "50", "--sync-every", "5"], 2)
    check(summary.returncode == 0 and summary.stdout.count(
        "processes           2 (data-parallel: local SGD, the models averaged every 5 steps)")
          == 1, f"summary: {summary.stdout} {summary.stderr}")
    # Only process 0 writes: one model file, no leftovers of the others.
    check(sorted(f for f in os.listdir(".") if f.startswith("evaluated-np3")) ==
          ["evaluated-np3-curve.csv", "evaluated-np3.csv", "evaluated-np3.json"],
          "np3: unexpected output files")

    # A failure ends every process, with the message and a non-zero exit, without a hang.
    with open("bad.csv", "w") as file:
        file.write("a,y\n" + "".join(f"{i},{i}\n" for i in range(50)) + "x,1\n")
    bad = run(["train", "--device", "cpu", "--data", "bad.csv", "--quiet"], 3, timeout=60)
    check(bad.returncode != 0, "bad data: exit 0")
    check(bad.stderr.count("linsgd: error: bad.csv: line 52, column 1: not a number: 'x'") == 1,
          f"bad data: {bad.stderr}")
    # Processes that read other data (another copy of the file on one machine, say) are refused
    # before any sum: other rows, other features, other feature names.
    with open("more.csv", "w") as file:
        file.write("a,b,c,w,y\n" + open("data.csv").read().split("\n", 1)[1] + "1,2,3,1,4\n")
    with open("renamed.csv", "w") as file:
        file.write("a,b,d,w,y\n" + open("data.csv").read().split("\n", 1)[1])
    with open("fewer.csv", "w") as file:
        file.write("".join(",".join(line.split(",")[1:]) + "\n"
                           for line in open("data.csv").read().split()))
    for other, shape in (("more.csv", f"{len(rows) + 1} rows x 4 features"),
                         ("fewer.csv", f"{len(rows)} rows x 3 features"),
                         ("renamed.csv", f"{len(rows)} rows x 4 features")):
        command = ["train", "--device", "cpu", "--quiet", "--steps", "50", "--distributed"]
        apart = subprocess.run(
            [MPIRUN, *MPI_FLAGS, "-np", "1", LINSGD, *command, "--data", "data.csv", ":",
             "-np", "1", LINSGD, *command, "--data", other],
            capture_output=True, text=True, timeout=60,
            env=dict(os.environ, ASAN_OPTIONS=os.environ.get("ASAN_OPTIONS", "") +
                     ":detect_leaks=0"))
        check(apart.returncode == 2 and
              f"linsgd: error: --distributed: process 1 read {other} as {shape}" in apart.stderr and
              f", process 0 as {len(rows)} rows x 4 features" in apart.stderr and
              "every process must read the same data" in apart.stderr,
              f"{other} on process 1: exit {apart.returncode}: {apart.stderr}")
    # Processes given other options are refused before any exchange (they would join sums of
    # other sizes, or step with other rates without a word); so is one started beside them
    # without --distributed (which would train alone, and leave the others waiting).
    environment = dict(os.environ, ASAN_OPTIONS=os.environ.get("ASAN_OPTIONS", "") +
                       ":detect_leaks=0")
    command = ["train", "--device", "cpu", "--quiet", "--data", "data.csv"]
    for own, other, said in ((["--steps", "100"], ["--steps", "200"],
                              "steps = 200, process 0 has 100"),
                             (["--lr", "0.01"], ["--lr", "0.02"],
                              "learning_rate = 0.02, process 0 has 0.01"),
                             ([], ["--standardize"], "standardize = true, process 0 has false"),
                             (["--no-intercept"], [],
                              "fit_intercept = true, process 0 has false"),
                             ([], ["--curve-out", "curve.csv"],
                              "evaluates = true, process 0 has false")):
        apart = subprocess.run(
            [MPIRUN, *MPI_FLAGS, "-np", "1", LINSGD, *command, "--distributed", *own, ":",
             "-np", "1", LINSGD, *command, "--distributed", *other],
            capture_output=True, text=True, timeout=60, env=environment)
        check(apart.returncode == 2 and
              f"linsgd: error: --distributed: process 1 has {said}: every process must be given "
              "the same options" in apart.stderr, f"{other} on process 1: exit "
              f"{apart.returncode}: {apart.stderr}")
    alone = subprocess.run(
        [MPIRUN, *MPI_FLAGS, "-np", "1", LINSGD, *command, "--distributed", ":", "-np", "1",
         LINSGD, *command], capture_output=True, text=True, timeout=60, env=environment)
    check(alone.returncode != 0 and
          "linsgd: error: this process is one of 2 that an MPI launcher started "
          "(OMPI_COMM_WORLD_SIZE): pass --distributed to every process for a data-parallel run, "
          "or --no-distributed to train alone in each" in alone.stderr,
          f"a process without --distributed: exit {alone.returncode}: {alone.stderr}")
    # --no-distributed: each process trains alone (a sweep), bit for bit the lone run.
    sweep = subprocess.run(
        [MPIRUN, *MPI_FLAGS, "-np", "1", LINSGD, *command, "--no-distributed", "--model-out",
         "sweep-0.json", ":", "-np", "1", LINSGD, *command, "--no-distributed", "--seed", "7",
         "--model-out", "sweep-1.json"], capture_output=True, text=True, timeout=60,
        env=environment)
    lone = run(command + ["--seed", "7", "--model-out", "lone-7.json"])
    check(sweep.returncode == 0 and lone.returncode == 0 and
          parameters("sweep-1.json") == parameters("lone-7.json") and
          parameters("sweep-0.json") != parameters("sweep-1.json"),
          f"--no-distributed: exit {sweep.returncode}: {sweep.stderr}")
    # --max-seconds: one decision for all, at the same chunk (the same steps, one model).
    timed = run(["train", "--device", "cpu", "--rows", "2000", "--features", "200", "--steps",
                 "100000000", "--max-seconds", "0.5", "--quiet", "--metrics-out", "timed.json"], 2)
    figures = json.load(open("timed.json")) if timed.returncode == 0 else {}
    check(timed.returncode == 0 and figures.get("stopped_by") == "time" and
          0 < figures.get("steps_run", 0) < 100000000, f"--max-seconds: {timed.stderr} {figures}")
    # SIGINT to process 1 alone stops both after the same chunk; process 0, which writes the
    # outputs, says why.
    interrupted = signal_process_1(["train", "--device", "cpu", "--rows", "2000", "--features",
                                    "200", "--steps", "100000000", "--quiet", "--metrics-out",
                                    "interrupted.json", "--loss-out", "interrupted.csv"])
    check("linsgd: another process was signalled: stopped after step " in interrupted and
          json.load(open("interrupted.json")).get("stopped_by") == "interrupt",
          f"SIGINT to process 1: {interrupted}")
    # Fewer rows than processes: said as such (not as a share's missing targets).
    with open("two.csv", "w") as file:
        file.write("a,y\n1,2\n3,4\n")
    few = run(["train", "--device", "cpu", "--data", "two.csv", "--quiet"], 3, timeout=60)
    check(few.returncode != 0 and "2 rows cannot be shared by 3 processes" in few.stderr and
          "no target column" not in few.stderr, f"two rows: {few.stderr}")
    refused = run(["train", "--device", "cpu", "--data", "data.csv", "--val-fraction", "0.2",
                   "--quiet"], 2)
    check(refused.returncode == 2 and
          "--distributed: --val-fraction is not available in a data-parallel run yet" in
          refused.stderr and "MPI_ABORT" not in refused.stderr,
          f"--val-fraction: exit {refused.returncode}: {refused.stderr}")
    # The exact solver: each process's part of the normal equations, summed.
    exact_one = run(["train", "--device", "cpu", "--data", "data.csv", "--target", "y",
                     "--sample-weight", "w", "--solver", "exact", "--penalty", "l2", "--quiet",
                     "--model-out", "exact-one.json"])
    for processes in (2, 3):
        exact_k = run(["train", "--device", "cpu", "--data", "data.csv", "--target", "y",
                       "--sample-weight", "w", "--solver", "exact", "--penalty", "l2", "--quiet",
                       "--model-out", f"exact-np{processes}.json"], processes)
        check(exact_one.returncode == 0 and exact_k.returncode == 0 and
              close(parameters(f"exact-np{processes}.json"), parameters("exact-one.json"), 1e-6),
              f"exact, {processes} processes: {exact_k.stderr}")

print(f"distributed_test: {len(failures)} failure(s)")
sys.exit(1 if failures else 0)
