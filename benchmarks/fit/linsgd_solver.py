"""linsgd in the fit benchmark: the trainer binary on the problem's train.npy.

A run's checkpoints come from --curve-out (the step loop's seconds, evaluations excluded) plus
the metrics' prepare_seconds (--lr auto's Lanczos iteration, the buffers), so its clock starts,
as the peers' does, with the data in memory (on the GPU for --device cuda). At each target the
tuned run is repeated with --target-objective: its model gives the test MSE there (and its
objective, recomputed in float64 by the harness), its process the end-to-end wall time, data
loading included.
"""
import csv
import json
import os
import subprocess
import time

import harness
import objective as obj

# Epochs of the mini-batch runs (a short and a long cosine schedule), per problem.
EPOCHS = {"post": (30, 100), "tall": (3, 10), "lasso": (10, 30), "diabetes": (100, 1000),
          "huber": (3, 10)}
FULL_BATCH_EVAL_EVERY = 5  # full-batch runs take a step an epoch: evaluate every 5


def device_problem(binary, device):
    """Why linsgd cannot train on `device` here (its error line), or "" where it can."""
    if device == "cpu":
        return ""
    probe = subprocess.run([binary, "train", "--device", device, "--rows", "64", "--features",
                            "4", "--steps", "1", "-q"], capture_output=True, text=True)
    if probe.returncode == 0:
        return ""
    line = (probe.stderr.strip().splitlines() or [f"exit code {probe.returncode}"])[-1]
    return line.removeprefix("linsgd: error: ")


def sgd_grid(problem, smoke):
    """The settings linsgd is tuned over (stated in the report)."""
    short, long = (2, 5) if smoke else EPOCHS[problem.name]
    full = [["--batch-size", str(problem.rows), "--sampling", "epoch", "--lr", "auto",
             "--momentum", momentum, "--nesterov", "--epochs", "2000",
             "--eval-every", str(FULL_BATCH_EVAL_EVERY)] for momentum in ("0.7", "0.9")]
    mini = [["--batch-size", str(batch), "--sampling", "epoch", "--lr", "auto", "--schedule",
             "cosine", "--momentum", "0.5", "--epochs", str(epochs)]
            for batch in (64, 512) for epochs in (short, long)]
    return full + mini


def target_objective(f_star, target):
    """--target-objective's value for (F - F*) / F* <= target."""
    return f"{f_star + target * abs(f_star):.17g}"


def untuned(problem, smoke):
    return ["--lr", "auto", "--epochs", str(5 if smoke else EPOCHS[problem.name][1])]


class Linsgd:
    def __init__(self, binary, problem, data_dir, work_dir, budget):
        self.binary = binary
        self.problem = problem
        self.train_path = os.path.join(data_dir, "train.npy")
        self.work_dir = work_dir
        self.budget = budget
        self.count = 0
        os.makedirs(work_dir, exist_ok=True)

    def _train(self, device, settings, outputs):
        """Runs `linsgd train`; (return code, stderr's last line, wall seconds)."""
        command = [self.binary, "train", "--data", self.train_path, "--device", device, "-q",
                   *self.problem.linsgd_objective_options(), *settings, *outputs]
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True)
        wall = time.perf_counter() - start
        last = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else ""
        return done.returncode, last, wall

    def _paths(self, *names):
        self.count += 1
        return [os.path.join(self.work_dir, f"{self.count}-{name}") for name in names]

    def sgd(self, device, settings, f_star, solver="linsgd SGD"):
        """A run to the tightest target (or its epochs, or the budget), its curve recorded."""
        curve, metrics = self._paths("curve.csv", "metrics.json")
        run = harness.Run(solver, "linsgd", device, " ".join(settings))
        stop = ["--max-seconds", str(self.budget), "--target-objective",
                target_objective(f_star, min(harness.TARGETS))]
        code, error, _ = self._train(device, settings + stop,
                                     ["--curve-out", curve, "--metrics-out", metrics])
        if code != 0:
            run.note = error
            if "diverged" in error:
                run.add(float("nan"), float("inf"))
            return run
        prepare = json.load(open(metrics))["prepare_seconds"]
        with open(curve) as file:
            for row in csv.DictReader(file):
                run.add(prepare + float(row["seconds"]), float(row["objective"]))
        return run

    def exact(self, device):
        metrics, model_path = self._paths("metrics.json", "model.json")
        run = harness.Run("linsgd exact", "linsgd", device, "--solver exact")
        code, error, wall = self._train(device, ["--solver", "exact"],
                                        ["--metrics-out", metrics, "--model-out", model_path])
        if code != 0:
            run.note = error
            return run
        m = json.load(open(metrics))
        run.add(m["train_seconds"], m["objective"])
        run.end_to_end_seconds = {f"{t:g}": wall for t in harness.TARGETS}
        run.model_path = model_path
        return run

    def at_targets(self, run, f_star, data):
        """Reruns `run` to each target it reached: the model's test MSE and float64 objective,
        the process's wall time."""
        X, y, X_test, y_test = data
        for target in harness.TARGETS:
            key = f"{target:g}"
            if not run.reached.get(key):
                continue
            if run.settings == "--solver exact":
                model_path, wall = run.model_path, run.end_to_end_seconds[key]
            else:
                (model_path,) = self._paths("model.json")
                code, error, wall = self._train(
                    run.device, run.settings.split() + [
                        "--max-seconds", str(self.budget), "--target-objective",
                        target_objective(f_star, target)], ["--model-out", model_path])
                if code != 0:
                    run.note = f"rerun to {key}: {error}"
                    continue
            model = json.load(open(model_path))
            run.reached[key]["test_mse"] = obj.mean_squared_error(X_test, y_test,
                                                                  model["weights"], model["bias"])
            run.reached[key]["objective_float64"] = obj.objective(
                self.problem, X, y, model["weights"], model["bias"])
            run.end_to_end_seconds[key] = wall
        return run


def runs(binary, problem, data_dir, work_dir, budget, smoke, f_star, data, devices):
    """linsgd's rows for one problem: per device, the tuned SGD run, the untuned --lr auto run,
    and the exact solver where it applies."""
    linsgd = Linsgd(binary, problem, data_dir, work_dir, budget)
    grid = sgd_grid(problem, smoke)
    grid_text = "; ".join(" ".join(settings) for settings in grid)
    rows = []
    for device in devices:
        rows.append(harness.best_of([linsgd.sgd(device, settings, f_star) for settings in grid],
                                    f_star, grid_text))
        rows.append(linsgd.sgd(device, untuned(problem, smoke), f_star,
                               "linsgd SGD, --lr auto untuned"))
        if problem.loss == "squared" and problem.penalty in ("none", "l2"):
            rows.append(linsgd.exact(device))
    for run in rows:
        harness.summarize(run, f_star)
        linsgd.at_targets(run, f_star, data)
    return rows
