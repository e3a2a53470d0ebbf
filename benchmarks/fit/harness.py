"""What every solver of the fit benchmark shares: the fitting clock, the record of a run (its
checkpoints), the targets, and the choice of a tuned run.

A run's time is the time spent fitting from "data in memory (on the device for GPU solvers)":
the clock runs only around the solver's own work and stops while the harness evaluates a
checkpoint (objective and test MSE, in float64 by objective.py).
"""
import dataclasses
import math
import time
from typing import Callable, Optional

TARGETS = (1e-2, 1e-4)  # (F - F*) / F*


class Clock:
    """Seconds spent inside `with clock:` blocks; `synchronize` (a device's) runs before each
    reading."""

    def __init__(self, synchronize: Optional[Callable[[], None]] = None):
        self.seconds = 0.0
        self._synchronize = synchronize or (lambda: None)
        self._start = 0.0

    def __enter__(self):
        self._synchronize()
        self._start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self._synchronize()
        self.seconds += time.perf_counter() - self._start
        return False


@dataclasses.dataclass
class Run:
    solver: str  # e.g. "linsgd SGD", "scikit-learn SGDRegressor"
    library: str  # linsgd, scikit-learn, pytorch
    device: str  # cpu or cuda
    settings: str  # the options or arguments, as a user would write them
    points: list = dataclasses.field(default_factory=list)  # [seconds, objective, test_mse|None]
    note: str = ""
    tuned_over: str = ""  # the grid this run was chosen from, when it was
    # Filled in by `summarize`: per target, seconds and test MSE when reached.
    reached: dict = dataclasses.field(default_factory=dict)
    end_to_end_seconds: dict = dataclasses.field(default_factory=dict)

    def add(self, seconds, objective, test_mse=None):
        self.points.append([float(seconds), float(objective),
                            None if test_mse is None else float(test_mse)])

    def diverged(self):
        return bool(self.points) and not math.isfinite(self.points[-1][1])


def suboptimality(objective, f_star):
    return (objective - f_star) / abs(f_star)


def first_reaching(run, f_star, target):
    """The first checkpoint with (F - F*) / F* <= target, or None."""
    for point in run.points:
        if math.isfinite(point[1]) and suboptimality(point[1], f_star) <= target:
            return point
    return None


def summarize(run, f_star):
    for target in TARGETS:
        point = first_reaching(run, f_star, target)
        run.reached[f"{target:g}"] = None if point is None else {
            "seconds": point[0], "objective": point[1], "test_mse": point[2]}
    return run


def score(run, f_star):
    """A tuned run's rank: the time to the tightest target reached, tighter targets first,
    then the lowest suboptimality for runs that reach none."""
    for rank, target in enumerate(reversed(TARGETS)):
        point = first_reaching(run, f_star, target)
        if point is not None:
            return (rank, point[0])
    finite = [p[1] for p in run.points if math.isfinite(p[1])]
    return (len(TARGETS), suboptimality(min(finite), f_star) if finite else math.inf)


def best_of(runs, f_star, grid_text):
    """The run with the best score, noting the grid it was tuned over."""
    best = min(runs, key=lambda run: score(run, f_star))
    best.tuned_over = grid_text
    return best
