"""The fit benchmark's problems and their data.

Synthetic problems are drawn by NumPy from fixed seeds; the diabetes data comes from
tests/data. Each problem is written once as two .npy files, train.npy and test.npy (float32,
rows x (features + 1), the target in the last column). linsgd reads these files with
`--data train.npy`, and the Python peers load them with numpy.load, so every solver fits the
same numbers.

The objective is linsgd's (README.md, "Fitting to convergence"):
    F(w, b) = (1 / n) sum_i L(x_i . w + b - y_i) + alpha [(1 - rho) / 2 |w|^2 + rho |w|_1]
"""
import dataclasses
import json
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
DIABETES_CSV = os.path.join(HERE, "..", "..", "tests", "data", "diabetes.csv")


@dataclasses.dataclass(frozen=True)
class Problem:
    name: str
    title: str
    rows: int
    features: int
    test_rows: int
    loss: str = "squared"  # linsgd's --loss
    epsilon: float = 0.1  # huber's epsilon
    penalty: str = "none"  # linsgd's --penalty: none, l2 or l1
    alpha: float = 0.0
    seed: int = 0
    # How F* is found: "exact" (the normal equations in float64), "lasso" (coordinate descent
    # run to a duality gap of 1e-12), "huber" (semismooth Newton to a zero gradient).
    reference: str = "exact"
    # Drawing parameters of the synthetic problems.
    noise: float = 0.01
    condition: float = 1.0  # of the features' covariance (1: independent features)
    nonzero: int = 0  # true non-zero weights (0: all)
    outliers: float = 0.0  # fraction of targets replaced by gross outliers

    @property
    def l1_ratio(self):
        return 1.0 if self.penalty == "l1" else 0.0

    def linsgd_objective_options(self):
        """The linsgd train options that state this problem's objective."""
        options = []
        if self.loss != "squared":
            options += ["--loss", self.loss, "--epsilon", repr(self.epsilon)]
        if self.penalty != "none":
            options += ["--penalty", self.penalty, "--alpha", repr(self.alpha)]
        return options

    def describe(self):
        text = f"{self.rows} x {self.features}, {self.loss} loss"
        if self.loss == "huber":
            text += f" (epsilon {self.epsilon:g})"
        if self.penalty != "none":
            text += f", {self.penalty} penalty (alpha {self.alpha:g})"
        return text


def problems(smoke):
    """The five problems, at full size or (smoke) tiny."""
    small = smoke
    tall_rows, tall_features = (3000, 24) if small else (1_000_000, 256)
    lasso_rows, lasso_features, lasso_nonzero = (1500, 40, 4) if small else (100_000, 1000, 20)
    # The lasso's alpha: twice the noise's universal threshold, sigma sqrt(2 log d / n), so the
    # true support survives and the noise's coordinates do not.
    lasso_alpha = 2 * 0.1 * np.sqrt(2 * np.log(lasso_features) / lasso_rows)
    return [
        Problem("post", "the post's problem", *((400, 60, 100) if small else (4000, 2000, 1000)),
                seed=42, noise=0.01),
        Problem("tall", "tall and ill-conditioned", tall_rows, tall_features,
                tall_rows // 10, seed=7, noise=0.1, condition=1e3),
        Problem("lasso", "sparse truth, lasso", lasso_rows, lasso_features, lasso_rows // 10,
                penalty="l1", alpha=float(lasso_alpha), seed=11, noise=0.1,
                nonzero=lasso_nonzero, reference="lasso"),
        Problem("diabetes", "ridge on the diabetes data", 354, 10, 88, penalty="l2", alpha=0.1,
                seed=3),
        # Huber's epsilon 1.35 sigma (95% efficiency under Gaussian noise) on the tall problem's
        # rows, 1% of whose targets are gross outliers.
        Problem("huber", "huber, tall with 1% outliers", tall_rows, tall_features,
                tall_rows // 10, loss="huber", epsilon=0.135, seed=7, noise=0.1,
                condition=1e3, outliers=0.01, reference="huber"),
    ]


def correlated_features(rng, rows, features, condition):
    """Rows of N(0, C), C = Q diag(lambda) Q^T with lambda from 1 down to 1 / condition
    (log-spaced) and Q a random rotation, drawn in blocks of rows (float32)."""
    if condition == 1.0:
        return rng.standard_normal((rows, features), dtype=np.float32)
    Q, _ = np.linalg.qr(rng.standard_normal((features, features)))
    root = (Q * np.sqrt(np.logspace(0, -np.log10(condition), features))) @ Q.T
    X = np.empty((rows, features), dtype=np.float32)
    for start in range(0, rows, 1 << 16):
        stop = min(rows, start + (1 << 16))
        X[start:stop] = rng.standard_normal((stop - start, features)) @ root
    return X


def synthetic(problem):
    """(X, y) of all rows, train and test, float32."""
    rng = np.random.default_rng(problem.seed)
    n = problem.rows + problem.test_rows
    X = correlated_features(rng, n, problem.features, problem.condition)
    w = rng.standard_normal(problem.features)
    if problem.nonzero:
        w = np.zeros(problem.features)
        support = rng.choice(problem.features, problem.nonzero, replace=False)
        w[support] = rng.choice([-1.0, 1.0], problem.nonzero) * rng.uniform(1, 2, problem.nonzero)
    b = rng.uniform(0, 1)
    y = X @ w + b + problem.noise * rng.standard_normal(n)
    if problem.outliers:
        # Gross outliers among the training rows only: the test rows measure the clean fit.
        hit = rng.random(problem.rows) < problem.outliers
        y[:problem.rows][hit] += rng.choice([-1.0, 1.0], hit.sum()) * rng.uniform(
            10, 30, hit.sum()) * y.std()
    return X, y.astype(np.float32)


def diabetes(problem):
    """The diabetes data, features standardized over all rows, rows in a seeded order."""
    table = np.loadtxt(DIABETES_CSV, delimiter=",", skiprows=1)
    X, y = table[:, :-1], table[:, -1]
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    order = np.random.default_rng(problem.seed).permutation(len(y))
    return X[order].astype(np.float32), y[order].astype(np.float32)


def write_data(problem, directory):
    """Writes DIRECTORY/train.npy and test.npy unless they are there for this problem."""
    os.makedirs(directory, exist_ok=True)
    spec_path = os.path.join(directory, "spec.json")
    spec = dataclasses.asdict(problem)
    if os.path.exists(spec_path) and json.load(open(spec_path)) == spec:
        return
    X, y = diabetes(problem) if problem.name == "diabetes" else synthetic(problem)
    table = np.hstack([X, y[:, None]])
    np.save(os.path.join(directory, "train.npy"), table[:problem.rows])
    np.save(os.path.join(directory, "test.npy"), table[problem.rows:])
    with open(spec_path, "w") as file:
        json.dump(spec, file)


def load_data(directory):
    """(X, y, X_test, y_test), float32, X C-contiguous."""
    train = np.load(os.path.join(directory, "train.npy"))
    test = np.load(os.path.join(directory, "test.npy"))
    return (np.ascontiguousarray(train[:, :-1]), np.ascontiguousarray(train[:, -1]),
            np.ascontiguousarray(test[:, :-1]), np.ascontiguousarray(test[:, -1]))
